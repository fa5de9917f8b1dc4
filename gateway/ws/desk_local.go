package ws

import (
	"context"
	"time"

	"github.com/livedesk/gateway/deskapi"
	"github.com/livedesk/gateway/hub"
	"github.com/livedesk/gateway/protocol"
	"github.com/livedesk/gateway/routing"
	"github.com/livedesk/gateway/store"
)

// localDesk is the deskapi.Desk of a desk that runs in this process: the single node's,
// or the cluster leader's own. A welcome's socket is held (hub.Client.Hold) and
// joins its groups under the desk's lock, with the snapshot; the welcome is built
// after the lock (it reads transcripts from the store) and released ahead of every
// frame given to the socket since: the desk queues its frames under its lock, so
// those are exactly the decisions made after the snapshot.
type localDesk struct {
	d   *routing.Desk
	out frameOut
}

var _ deskapi.Desk = localDesk{}

func (l localDesk) Site(siteID string) *store.Site { return l.d.Site(siteID) }

func (l localDesk) JoinVisitor(_ context.Context, siteID, visitorID string, c *hub.Client, join func(), welcome func(deskapi.VisitorJoin) [][]byte) error {
	var j routing.VisitorJoin
	c.Hold()
	err := l.d.JoinVisitor(siteID, visitorID, func(v routing.VisitorJoin) {
		join()
		j = v
	})
	if err != nil {
		c.Release(0)
		return err
	}
	c.Release(0, welcome(deskapi.VisitorJoin{Status: j.Status, Conversation: j.Conversation, ClosingSoon: j.ClosingSoon, Site: j.Site, Departments: j.Departments})...)
	return nil
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

func (l localDesk) VisitorMessage(ctx context.Context, m routing.VisitorMessage) (routing.Appended, error) {
	return l.d.VisitorMessage(ctx, m)
}

func (l localDesk) EndChat(ctx context.Context, req routing.EndRequest) (*store.Conversation, error) {
	return l.d.EndChat(ctx, req)
}

func (l localDesk) ConnectAgent(_ context.Context, agentID string, c *hub.Client, join func(), welcome func(routing.AgentSnapshot) [][]byte) error {
	c.Hold()
	snap, err := l.d.ConnectAgent(agentID, func(routing.AgentSnapshot) { join() })
	if err != nil {
		c.Release(0)
		return err
	}
	c.Release(0, welcome(snap)...)
	return nil
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

func (l localDesk) Transfer(ctx context.Context, req routing.TransferRequest) (routing.TransferResult, error) {
	return l.d.Transfer(ctx, req)
}

func (l localDesk) DepartmentsChanged(ctx context.Context, siteID string) error {
	return l.d.ReloadDepartments(ctx, siteID)
}

func (l localDesk) DepartmentStatus(_ context.Context, siteID, deptID string) (routing.Status, int, error) {
	return l.d.DepartmentStatus(siteID, deptID)
}

func (l localDesk) AgentLoads(_ context.Context, siteID string) ([]routing.AgentLoad, error) {
	return l.d.AgentLoads(siteID)
}
