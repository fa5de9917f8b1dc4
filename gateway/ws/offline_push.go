package ws

import (
	"context"

	"go.uber.org/zap"

	"github.com/livedesk/gateway/gateway/api"
	"github.com/livedesk/gateway/protocol"
	"github.com/livedesk/gateway/store"
)

// The offline inbox's live frames (docs/protocol.md#offline-inbox-frames): a new
// offline message and a change of state go to the agent sockets of the site, on
// every node (rt.out), with the site's count of new messages right after the write.

// offlineArrived tells the agents of m's site that m was stored.
func (rt *Realtime) offlineArrived(ctx context.Context, m *store.OfflineMessage) {
	f := protocol.OfflineMessage{Message: mustJSON(api.ViewOfflineMessage(m)), Unread: rt.offlineUnread(ctx, m.SiteID)}
	broadcastAgents(rt.out, m.SiteID, protocol.Encode(f))
}

// OfflineChanged tells the agents of m's site that m changed state.
func (rt *Realtime) OfflineChanged(ctx context.Context, m *store.OfflineMessage) {
	f := protocol.OfflineState{SiteID: m.SiteID, ID: m.ID, State: m.State, Unread: rt.offlineUnread(ctx, m.SiteID)}
	broadcastAgents(rt.out, m.SiteID, protocol.Encode(f))
}

// offlineUnread counts the site's new offline messages; nil (the frame goes
// without it, and the console asks for the counts) when the store cannot say now.
func (rt *Realtime) offlineUnread(ctx context.Context, siteID string) *int {
	c, err := rt.store.CountOffline(ctx, siteID)
	if err != nil {
		rt.log.Warn("offline messages not counted", zap.String("site", siteID), zap.Error(err))
		return nil
	}
	return &c.New
}
