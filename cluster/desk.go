package cluster

import (
	"context"
	"errors"
	"time"

	"github.com/livedesk/gateway/deskapi"
	"github.com/livedesk/gateway/hub"
	"github.com/livedesk/gateway/routing"
	"github.com/livedesk/gateway/store"
)

// remoteDesk is the deskapi.Desk of a cluster node: every decision is a call to the
// leader's desk, and a visitor without a conversation in flight is welcomed from
// the node's view of the site's status (siteViews). Welcomes use a hold (hub.Client.Hold): the socket joins its groups
// (the node subscribes to their channels), then the leader's snapshot comes with the
// number of the last decision it reflects, and Release writes the welcome followed
// by only the frames decided after it.
type remoteDesk struct{ n *Node }

var _ deskapi.Desk = remoteDesk{}

func (r remoteDesk) Site(siteID string) *store.Site { return r.n.sites.get(siteID) }

func (r remoteDesk) JoinVisitor(ctx context.Context, siteID, visitorID string, c *hub.Client, join func(), welcome func(deskapi.VisitorJoin) [][]byte) error {
	n := r.n
	site := n.sites.get(siteID)
	if site == nil {
		return routing.ErrUnknownSite
	}
	c.Hold()
	join()
	if r.joinFromView(ctx, site, visitorID, c, welcome) {
		return nil
	}
	res, err := opJoinVisitor.call(ctx, n.rpc, visitorID, joinVisitorReq{Site: siteID, Visitor: visitorID})
	if err != nil {
		c.Release(^uint64(0))
		return err
	}
	n.joinsLeader.Add(1)
	n.views.offer(siteID, res.View.Status, res.View.Departments, true, res.Seq, n.d.Clock.Now())
	res.View.Site = site
	c.Release(res.Seq, welcome(res.View)...)
	return nil
}

// joinFromView welcomes a held visitor from the node's view of the site's status
// when it has one it can trust and the store shows the visitor has no conversation
// in flight; it reports false, having sent nothing, when the leader must answer.
//
// The welcome is released after the view's decision number, and that is exact: a
// frame of the site decided after the view comes after the welcome (the visitor
// joined before the view was read); a conversation of the visitor decided before it
// is in the store (the leader writes before it announces, and the view was read
// after its frame), so such a visitor goes to the leader; and one decided after it
// comes after the welcome like any other frame.
func (r remoteDesk) joinFromView(ctx context.Context, site *store.Site, visitorID string, c *hub.Client, welcome func(deskapi.VisitorJoin) [][]byte) bool {
	n := r.n
	now := n.d.Clock.Now()
	v, ok := n.views.get(site.ID, now)
	if !ok || !v.known {
		return false
	}
	conv, err := r.VisitorConversation(ctx, visitorID)
	if err != nil || conv != nil {
		return false
	}
	view := deskapi.VisitorJoin{Status: v.st, Site: site, ClosingSoon: routing.ClosingSoon(v.st, site.ClosingSoonMinutes, now), Departments: v.depts}
	n.joinsLocal.Add(1) // before the welcome goes out: whoever sees it sees the count
	c.Release(v.seq, welcome(view)...)
	return true
}

func (r remoteDesk) StartChat(ctx context.Context, req routing.StartRequest) (routing.StartResult, error) {
	return opStart.call(ctx, r.n.rpc, req.VisitorID, req)
}

// VisitorConversation reads the store, not the leader: the leader records every
// change of a conversation (start, assignment, end, miss) before it announces it, so
// the store is never behind what the visitor was told. That saves a round trip
// through the leader on every message and typing frame, and lets chats in progress
// go on while the leadership moves.
func (r remoteDesk) VisitorConversation(ctx context.Context, visitorID string) (*store.Conversation, error) {
	list, err := r.n.d.Store.ListConversations(ctx, store.ConversationFilter{VisitorID: visitorID, Limit: 1})
	if err != nil || len(list) == 0 {
		return nil, err
	}
	return inFlight(list[0]), nil
}

// Conversation reads the store, as VisitorConversation does.
func (r remoteDesk) Conversation(ctx context.Context, id string) (*store.Conversation, error) {
	c, err := r.n.d.Store.GetConversation(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return inFlight(c), nil
}

// inFlight returns c when it is queued or open, else nil (what the desk answers).
func inFlight(c *store.Conversation) *store.Conversation {
	if routing.InFlight(c) {
		return c
	}
	return nil
}

// VisitorMessage applies the desk's rule on this node (routing.AppendVisitorMessage)
// with the visitor's conversation read from the store, as VisitorConversation does,
// rather than calling the leader: the store's write checks that the conversation
// still takes the message, so the leader has nothing to add, and a call per message
// is the round trip docs/performance.md measured as the cost of chat p99 across
// nodes. Chats in progress also go on while the leadership moves.
func (r remoteDesk) VisitorMessage(ctx context.Context, m routing.VisitorMessage) (routing.Appended, error) {
	return routing.AppendVisitorMessage(ctx, r.n.d.Store, m, r.VisitorConversation)
}

func (r remoteDesk) EndChat(ctx context.Context, req routing.EndRequest) (*store.Conversation, error) {
	return opEnd.call(ctx, r.n.rpc, req.ConversationID, req)
}

func (r remoteDesk) ConnectAgent(ctx context.Context, agentID string, c *hub.Client, join func(), welcome func(routing.AgentSnapshot) [][]byte) error {
	n := r.n
	c.Hold()
	join()
	// Counted and queued under sockMu: a heartbeat queued after the call includes
	// this socket, one queued before does not, and the leader handles both in that
	// order (same key), so it never counts the socket twice.
	n.sockMu.Lock()
	n.sockets[agentID]++
	pc := opConnect.begin(n.rpc, n.o.NodeID, connectReq{Agent: agentID})
	n.sockMu.Unlock()
	res, err := opConnect.wait(ctx, pc)
	if err != nil {
		c.Release(^uint64(0))
		n.dropSocket(agentID)
		return err
	}
	c.Release(res.Seq, welcome(res.Snap)...)
	return nil
}

// dropSocket uncounts a socket of the agent on this node.
func (n *Node) dropSocket(agentID string) {
	n.sockMu.Lock()
	defer n.sockMu.Unlock()
	if n.sockets[agentID] > 1 {
		n.sockets[agentID]--
	} else {
		delete(n.sockets, agentID)
	}
}

func (r remoteDesk) AgentDisconnected(agentID string) {
	n := r.n
	n.sockMu.Lock()
	defer n.sockMu.Unlock()
	if n.sockets[agentID] == 0 {
		return
	}
	if n.sockets[agentID]--; n.sockets[agentID] == 0 {
		delete(n.sockets, agentID)
	}
	opDisconnect.cast(n.rpc, n.o.NodeID, disconnectReq{Agent: agentID})
}

func (r remoteDesk) SetPresence(ctx context.Context, agentID, status, reason string) (routing.Presence, error) {
	return opPresence.call(ctx, r.n.rpc, agentID, presenceReq{Agent: agentID, Status: status, Reason: reason})
}

// activityEvery throttles activity calls per agent and node: idle timeouts are
// minutes, and the first activity after a pause always goes through.
const activityEvery = time.Second

func (r remoteDesk) Activity(agentID string) {
	n := r.n
	now := time.Now()
	n.activityMu.Lock()
	last, ok := n.activity[agentID]
	send := !ok || now.Sub(last) >= activityEvery
	if send {
		n.activity[agentID] = now
	}
	if len(n.activity) > 10000 { // forget old entries now and then
		for a, t := range n.activity {
			if now.Sub(t) >= activityEvery {
				delete(n.activity, a)
			}
		}
	}
	n.activityMu.Unlock()
	if send {
		opActivity.cast(n.rpc, agentID, activityReq{Agent: agentID})
	}
}

func (r remoteDesk) Snooze(ctx context.Context, agentID, re string) error {
	_, err := opSnooze.call(ctx, r.n.rpc, agentID, snoozeReq{Agent: agentID, Re: re})
	return err
}

func (r remoteDesk) EndSnooze(ctx context.Context, agentID, re string, until time.Time) error {
	_, err := opEndSnooze.call(ctx, r.n.rpc, agentID, endSnoozeReq{Agent: agentID, Re: re, Until: until})
	return err
}

func (r remoteDesk) SiteChanged(ctx context.Context, s *store.Site) error {
	r.n.sites.drop(s.ID)
	r.n.broadcastControl(control{Op: ctlSite, ID: s.ID})
	_, err := opSiteChanged.call(ctx, r.n.rpc, s.ID, siteChangedReq{Site: s.ID})
	return err
}

func (r remoteDesk) SiteDeleted(ctx context.Context, siteID string) {
	r.n.sites.drop(siteID)
	r.n.broadcastControl(control{Op: ctlSite, ID: siteID})
	if _, err := opSiteDeleted.call(ctx, r.n.rpc, siteID, siteDeletedReq{Site: siteID}); err != nil {
		r.n.log.Warn("leader not told of a deleted site; it learns at its next load")
	}
}

func (r remoteDesk) AgentChanged(ctx context.Context, a *store.Agent) {
	if _, err := opAgentChanged.call(ctx, r.n.rpc, a.ID, agentChangedReq{Agent: a.ID}); err != nil {
		r.n.log.Warn("leader not told of an edited agent; it learns at its next load")
	}
}

func (r remoteDesk) AgentDeleted(ctx context.Context, agentID string) {
	if _, err := opAgentDeleted.call(ctx, r.n.rpc, agentID, agentDeletedReq{Agent: agentID}); err != nil {
		r.n.log.Warn("leader not told of a deleted agent; it learns at its next load")
	}
}

func (r remoteDesk) Status(ctx context.Context, siteID string) (routing.Status, int, error) {
	res, err := opStatus.call(ctx, r.n.rpc, siteID, statusReq{Site: siteID})
	return res.Status, res.Available, err
}

func (r remoteDesk) Transfer(ctx context.Context, req routing.TransferRequest) (routing.TransferResult, error) {
	return opTransfer.call(ctx, r.n.rpc, req.ConversationID, req)
}

// DepartmentsChanged has the leader reload the site's departments, then drops every
// node's view of the site (its departments are in it: a node would go on welcoming
// with the old list, as an edit that changes no status publishes nothing), so the
// next join on each node asks the leader, which has the new list by then.
func (r remoteDesk) DepartmentsChanged(ctx context.Context, siteID string) error {
	_, err := opDepartmentsChanged.call(ctx, r.n.rpc, siteID, siteChangedReq{Site: siteID})
	r.n.views.drop(siteID)
	r.n.broadcastControl(control{Op: ctlDepartments, ID: siteID})
	return err
}

func (r remoteDesk) DepartmentStatus(ctx context.Context, siteID, deptID string) (routing.Status, int, error) {
	res, err := opDepartmentStatus.call(ctx, r.n.rpc, siteID, departmentStatusReq{Site: siteID, Department: deptID})
	return res.Status, res.Available, err
}

func (r remoteDesk) AgentLoads(ctx context.Context, siteID string) ([]routing.AgentLoad, error) {
	return opAgentLoads.call(ctx, r.n.rpc, siteID, statusReq{Site: siteID})
}
