package gateway

import (
	"sort"
	"time"

	"github.com/livedesk/gateway/routing"
	"github.com/livedesk/gateway/store"
)

// notifier turns the desk's decisions into frames on the hub. The desk calls it with
// its lock held: every method only encodes and queues (hub sends never block).
type notifier realtime

var _ routing.Notifier = (*notifier)(nil)

func (n *notifier) rt() *realtime { return (*realtime)(n) }

// broadcastAgents sends a frame to the agents of a site (and to those of all sites).
func (n *notifier) broadcastAgents(siteID string, b []byte) {
	n.hub.Broadcast("agents:site:"+siteID, b)
	n.hub.Broadcast("agents:all", b)
}

func (n *notifier) SiteStatus(siteID string, st routing.Status) {
	b := frame("status", map[string]any{"status": st})
	n.statusMu.Lock()
	n.statusFrames[siteID] = b
	n.statusMu.Unlock()
	n.hub.BroadcastStatus("site:"+siteID, b)
	n.broadcastAgents(siteID, frame("site.status", map[string]any{"site_id": siteID, "status": st}))
}

func (n *notifier) ClosingSoon(siteID string, closesAt time.Time) {
	n.hub.Broadcast("site:"+siteID, frame("closing_soon", map[string]any{"closes_at": closesAt.UTC()}))
}

func (n *notifier) QueueLength(siteID string, length int) {
	n.broadcastAgents(siteID, frame("queue", map[string]any{"site_id": siteID, "length": length}))
}

func (n *notifier) QueuePosition(c *store.Conversation, position int) {
	n.hub.Broadcast("visitor:"+c.VisitorID, frame("queue.position", map[string]any{"conversation_id": c.ID, "position": position}))
}

func (n *notifier) Assigned(c *store.Conversation, msgs []*store.Message, fromQueue bool) {
	wc := toWSConversation(c, msgs)
	n.hub.Broadcast("agent:"+c.AgentID, frame("chat.assigned", agentChat{Conversation: wc, Visitor: visitorOf(c)}))
	if fromQueue {
		n.hub.Broadcast("visitor:"+c.VisitorID, frame("chat.assigned", map[string]any{"conversation": wc}))
	}
}

func (n *notifier) Missed(c *store.Conversation, site *store.Site, reason string, pre routing.Prefill) {
	fields := offlineFrame("", reason, site, pre)
	fields["conversation_id"] = c.ID
	n.hub.Broadcast("visitor:"+c.VisitorID, frame("chat.offline", fields))
}

func (n *notifier) Ended(c *store.Conversation, by string) {
	b := frame("chat.ended", map[string]any{"conversation_id": c.ID, "by": by})
	n.hub.Broadcast("visitor:"+c.VisitorID, b)
	n.statusMu.Lock()
	st := n.statusFrames[c.SiteID]
	n.statusMu.Unlock()
	if st != nil {
		n.hub.Broadcast("visitor:"+c.VisitorID, st)
	}
	if c.AgentID != "" {
		n.hub.Broadcast("agent:"+c.AgentID, b)
	}
}

func (n *notifier) Presence(agentID string, p routing.Presence) {
	n.hub.Broadcast("agent:"+agentID, frame("presence", p))
}

func (n *notifier) Shift(agentID string, sh routing.Shift) {
	n.hub.Broadcast("agent:"+agentID, frame("shift", sh))
}

func (n *notifier) ShiftEnding(agentID string, endsAt time.Time) {
	n.hub.Broadcast("agent:"+agentID, frame("shift.ending", map[string]any{"ends_at": endsAt.UTC()}))
}

func (n *notifier) ShiftEnded(agentID string) {
	n.hub.Broadcast("agent:"+agentID, frame("shift.ended", struct{}{}))
}

func sortSites(s []wsSite) { sort.Slice(s, func(i, j int) bool { return s[i].ID < s[j].ID }) }
