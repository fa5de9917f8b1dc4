package gateway

import (
	"context"

	"go.uber.org/zap"

	"github.com/livedesk/gateway/store"
)

// The offline inbox's live frames (docs/protocol.md#offline-inbox-frames): a new
// offline message and a change of state go to the agent sockets of the site, on
// every node (rt.out), with the site's count of new messages right after the write.

// offlineMessageFrame is offline.message: the message and the site's unread count.
type offlineMessageFrame struct {
	Message offlineMessageView `json:"message"`
	Unread  *int               `json:"unread,omitempty"`
}

// offlineStateFrame is offline.state: a message's new state and the site's unread
// count.
type offlineStateFrame struct {
	SiteID string `json:"site_id"`
	ID     string `json:"id"`
	State  string `json:"state"`
	Unread *int   `json:"unread,omitempty"`
}

// offlineArrived tells the agents of m's site that m was stored.
func (s *Server) offlineArrived(ctx context.Context, m *store.OfflineMessage) {
	f := offlineMessageFrame{Message: viewOfflineMessage(m), Unread: s.offlineUnread(ctx, m.SiteID)}
	broadcastAgents(s.rt.out, m.SiteID, frame("offline.message", f))
}

// offlineChanged tells the agents of m's site that m changed state.
func (s *Server) offlineChanged(ctx context.Context, m *store.OfflineMessage) {
	f := offlineStateFrame{SiteID: m.SiteID, ID: m.ID, State: m.State, Unread: s.offlineUnread(ctx, m.SiteID)}
	broadcastAgents(s.rt.out, m.SiteID, frame("offline.state", f))
}

// offlineUnread counts the site's new offline messages; nil (the frame goes
// without it, and the console asks for the counts) when the store cannot say now.
func (s *Server) offlineUnread(ctx context.Context, siteID string) *int {
	c, err := s.store.CountOffline(ctx, siteID)
	if err != nil {
		s.log.Warn("offline messages not counted", zap.String("site", siteID), zap.Error(err))
		return nil
	}
	return &c.New
}
