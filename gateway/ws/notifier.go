package ws

import (
	"sync"
	"time"

	"github.com/livedesk/gateway/hub"
	"github.com/livedesk/gateway/protocol"
	"github.com/livedesk/gateway/routing"
	"github.com/livedesk/gateway/store"
)

// frameOut sends a frame to a hub group: to this node's members (hubOut), or to the
// members on every node through Redis (the cluster publisher). status marks a
// coalescing frame (hub.Client.SendStatus). It never blocks on a socket or on Redis.
type frameOut interface {
	send(group string, b []byte, status bool)
}

// hubOut is the single-node frameOut.
type hubOut struct{ h *hub.Hub }

func (o hubOut) send(group string, b []byte, status bool) {
	if status {
		o.h.BroadcastStatus(group, b)
	} else {
		o.h.Broadcast(group, b)
	}
}

// notifier turns the desk's decisions into frames for out. The desk calls it with
// its lock held: every method only encodes and queues (out never blocks), and in
// the order of the desk's decisions, which is what the cluster publisher numbers.
type notifier struct {
	out frameOut
	// statusMu guards statusFrames: the latest status frame of each site (from
	// SiteStatus), so "chat.ended then status" needs no call into the desk.
	statusMu     sync.Mutex
	statusFrames map[string][]byte
}

var _ routing.Notifier = (*notifier)(nil)

func newNotifier(out frameOut) *notifier {
	return &notifier{out: out, statusFrames: map[string][]byte{}}
}

// broadcastAgents sends a frame to the agents of a site (and to those of all sites).
func (n *notifier) broadcastAgents(siteID string, b []byte) { broadcastAgents(n.out, siteID, b) }

// broadcastAgents sends a frame through out to the agent sockets of a site: those
// that serve it, and those that serve all sites (see agentGroups).
func broadcastAgents(out frameOut, siteID string, b []byte) {
	out.send("agents:site:"+siteID, b, false)
	out.send("agents:all", b, false)
}

func (n *notifier) SiteStatus(siteID string, st routing.Status, depts []routing.DepartmentStatus) {
	b := protocol.Encode(protocol.StatusFrame{Status: protocol.Status(st)})
	n.statusMu.Lock()
	n.statusFrames[siteID] = b
	n.statusMu.Unlock()
	n.out.send("site:"+siteID, b, true)
	n.broadcastAgents(siteID, protocol.Encode(protocol.SiteStatus{SiteID: siteID, Status: protocol.Status(st), Departments: toWSDepartments(depts)}))
}

// DepartmentStatus sends department.status to the site's visitors and agents
// (docs/protocol.md#department-status).
func (n *notifier) DepartmentStatus(siteID string, dept routing.DepartmentStatus) {
	b := protocol.Encode(protocol.DepartmentStatus{DepartmentID: dept.ID, Status: protocol.Status(dept.Status)})
	n.out.send("site:"+siteID, b, false)
	n.broadcastAgents(siteID, b)
}

func (n *notifier) ClosingSoon(siteID string, closesAt time.Time) {
	n.out.send("site:"+siteID, protocol.Encode(protocol.ClosingSoon{ClosesAt: closesAt.UTC()}), false)
}

func (n *notifier) QueueLength(siteID, deptID string, length int) {
	n.broadcastAgents(siteID, protocol.Encode(protocol.Queue{SiteID: siteID, DepartmentID: deptID, Length: length}))
}

func (n *notifier) QueuePosition(c *store.Conversation, position int) {
	n.out.send("visitor:"+c.VisitorID, protocol.Encode(protocol.QueuePosition{ConversationID: c.ID, Position: position}), false)
}

func (n *notifier) Assigned(c *store.Conversation, msgs []*store.Message, fromQueue bool, h *routing.Handoff) {
	wc := toWSConversation(c, msgs)
	v := visitorOf(c)
	f := protocol.ChatAssigned{Conversation: wc, Visitor: &v}
	if h != nil {
		f.Transfer = &protocol.Transfer{FromAgent: protocol.AgentRef{ID: h.FromAgentID, Name: h.FromAgentName}, Note: h.Note}
	}
	n.out.send("agent:"+c.AgentID, protocol.Encode(f), false)
	if fromQueue {
		n.out.send("visitor:"+c.VisitorID, protocol.Encode(protocol.ChatAssigned{Conversation: wc}), false)
	}
}

// Transferred tells the sender its chat.transferred and the visitor the system
// message (docs/protocol.md#transfers); the new agent's chat.assigned follows.
func (n *notifier) Transferred(t routing.Transferred) {
	c := t.Conversation
	if t.FromAgentID != "" {
		n.out.send("agent:"+t.FromAgentID, protocol.Encode(protocol.ChatTransferred{Re: t.Re, ConversationID: c.ID,
			To: protocol.TransferTarget(t.To)}), false)
	}
	if t.System != nil {
		n.out.send("visitor:"+c.VisitorID, protocol.Encode(protocol.MessageFrame(toWSMessage(t.System))), false)
	}
}

func (n *notifier) Missed(c *store.Conversation, site *store.Site, reason string, pre routing.Prefill) {
	f := protocol.ChatOffline{ConversationID: c.ID, DepartmentID: c.DepartmentID, Reason: reason, OfflineForm: offlineForm(site), Prefill: protocol.Prefill(pre)}
	n.out.send("visitor:"+c.VisitorID, protocol.Encode(f), false)
}

// Ended sends chat.ended to both sides, with the re of the frame that asked for it
// (the other sockets ignore a re they did not send).
func (n *notifier) Ended(c *store.Conversation, by, re string) {
	b := protocol.Encode(protocol.ChatEnded{Re: re, ConversationID: c.ID, By: by})
	n.out.send("visitor:"+c.VisitorID, b, false)
	n.statusMu.Lock()
	st := n.statusFrames[c.SiteID]
	n.statusMu.Unlock()
	if st != nil {
		n.out.send("visitor:"+c.VisitorID, st, false)
	}
	if c.AgentID != "" {
		n.out.send("agent:"+c.AgentID, b, false)
	}
}

func (n *notifier) Presence(agentID string, p routing.Presence) {
	n.out.send("agent:"+agentID, protocol.Encode(protocol.PresenceFrame{Presence: protocol.Presence(p)}), false)
}

func (n *notifier) Shift(agentID string, sh routing.Shift) {
	n.out.send("agent:"+agentID, shiftFrame("", sh), false)
}

func (n *notifier) ShiftEnding(agentID string, endsAt time.Time, open []*store.Conversation) {
	f := protocol.ShiftEnding{EndsAt: endsAt.UTC()}
	for _, c := range open {
		f.Conversations = append(f.Conversations, protocol.ShiftChat{ID: c.ID, VisitorName: c.VisitorName, VisitorNumber: c.VisitorNumber})
	}
	n.out.send("agent:"+agentID, protocol.Encode(f), false)
}

func (n *notifier) ShiftEnded(agentID string) {
	n.out.send("agent:"+agentID, protocol.Encode(protocol.ShiftEnded{}), false)
}
