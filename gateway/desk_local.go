package gateway

import (
	"context"
	"time"

	"github.com/livedesk/gateway/hub"
	"github.com/livedesk/gateway/protocol"
	"github.com/livedesk/gateway/routing"
	"github.com/livedesk/gateway/store"
)

// localDesk is the deskAPI of a desk that runs in this process: the single node's,
// or the cluster leader's own. Welcomes are queued under the desk's lock, so no
// decision can fall between a snapshot and the frames built from it.
type localDesk struct {
	d   *routing.Desk
	out frameOut
}

var _ deskAPI = localDesk{}

func (l localDesk) Site(siteID string) *store.Site { return l.d.Site(siteID) }

func (l localDesk) JoinVisitor(_ context.Context, siteID, visitorID string, c *hub.Client, join func(), welcome func(visitorJoin) [][]byte) error {
	return l.d.JoinVisitor(siteID, visitorID, func(j routing.VisitorJoin) {
		join()
		for _, b := range welcome(visitorJoin{Status: j.Status, Conversation: j.Conversation, ClosingSoon: j.ClosingSoon, Site: j.Site}) {
			c.Send(b)
		}
	})
}

func (l localDesk) StartChat(ctx context.Context, req routing.StartRequest) (routing.StartResult, error) {
	return l.d.StartChat(ctx, req)
}

func (l localDesk) VisitorConversation(_ context.Context, visitorID string) (*store.Conversation, error) {
	return l.d.VisitorConversation(visitorID), nil
}

func (l localDesk) Conversation(_ context.Context, id string) (*store.Conversation, error) {
	return l.d.Conversation(id), nil
}

func (l localDesk) EndChat(ctx context.Context, req routing.EndRequest) (*store.Conversation, error) {
	return l.d.EndChat(ctx, req)
}

func (l localDesk) ConnectAgent(_ context.Context, agentID string, c *hub.Client, join func(), welcome func(routing.AgentSnapshot) [][]byte) error {
	_, err := l.d.ConnectAgent(agentID, func(snap routing.AgentSnapshot) {
		join()
		for _, b := range welcome(snap) {
			c.Send(b)
		}
	})
	return err
}

func (l localDesk) AgentDisconnected(agentID string) { l.d.AgentDisconnected(agentID) }

func (l localDesk) SetPresence(ctx context.Context, agentID, status, reason string) (routing.Presence, error) {
	return l.d.SetPresence(ctx, agentID, status, reason)
}

func (l localDesk) Activity(agentID string) { l.d.Activity(agentID) }

func (l localDesk) Snooze(_ context.Context, agentID, re string) error {
	_, err := l.d.SnoozeAnnounced(agentID, func(sh routing.Shift) {
		l.out.send("agent:"+agentID, shiftFrame(re, sh), false)
	})
	return err
}

func (l localDesk) EndSnooze(_ context.Context, agentID, re string, until time.Time) error {
	_, err := l.d.EndSnoozeAnnounced(agentID, until, func(sh routing.Shift) {
		l.out.send("agent:"+agentID, shiftFrame(re, sh), false)
	})
	return err
}

// shiftFrame is the shift frame; re is the shift.snooze or shift.snooze.end it answers ("" for none).
func shiftFrame(re string, sh routing.Shift) []byte {
	return protocol.Encode(protocol.ShiftFrame{Re: re, Shift: protocol.Shift(sh)})
}

func (l localDesk) SiteChanged(_ context.Context, s *store.Site) error { return l.d.SiteChanged(s) }

func (l localDesk) SiteDeleted(_ context.Context, siteID string) { l.d.SiteDeleted(siteID) }

func (l localDesk) AgentChanged(_ context.Context, a *store.Agent) { l.d.AgentChanged(a) }

func (l localDesk) AgentDeleted(_ context.Context, agentID string) { l.d.AgentDeleted(agentID) }

func (l localDesk) Status(_ context.Context, siteID string) (routing.Status, int, error) {
	st, _, err := l.d.Status(siteID)
	if err != nil {
		return st, 0, err
	}
	return st, l.d.AvailableAgents(siteID, l.d.Now()), nil
}
