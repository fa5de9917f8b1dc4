package routing

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/livedesk/gateway/store"
	"go.uber.org/zap"
)

func (d *Desk) armQueueTimeoutLocked(cs *convState, ss *siteState) {
	timeout := time.Duration(ss.site.QueueTimeoutSeconds) * time.Second
	if timeout <= 0 {
		return
	}
	id := cs.conv.ID
	stopTimer(cs.timeout)
	from := cs.conv.CreatedAt
	if !cs.waitFrom.IsZero() {
		from = cs.waitFrom
	}
	cs.timeout = d.after(from.Add(timeout), func(now time.Time) {
		cs := d.convs[id]
		if cs == nil || cs.conv.State != store.StateQueued || cs.busy != nil {
			return
		}
		ss := d.sites[cs.conv.SiteID]
		var ln *line
		if ss != nil {
			ln = ss.lineFor(cs.conv.DepartmentID)
			ln.queue = removeID(ln.queue, id)
		}
		d.missLocked(cs, ReasonQueueTimeout)
		if ln != nil {
			d.queueChangedAfterLocked(ss, ln)
		}
	})
}

func removeID(q []string, id string) []string {
	if i := queueIndex(q, id); i >= 0 {
		return append(q[:i:i], q[i+1:]...)
	}
	return q
}

// queueChangedLocked tells agents the line's length and every visitor queued in it
// its place (a start still being recorded learns its place from its answer).
func (d *Desk) queueChangedLocked(ss *siteState, ln *line) {
	d.notify.QueueLength(ss.site.ID, ln.deptID(), len(ln.queue))
	for i, id := range ln.queue {
		if cs := d.convs[id]; cs != nil && !cs.pending {
			d.notify.QueuePosition(cs.conv, i+1)
		}
	}
}

// queueChangedAfterLocked is queueChangedLocked told after the writes queued so
// far (the misses and assignments that changed the queue) are carried out, so
// agents hear of a chat's fate before of the queue it left.
func (d *Desk) queueChangedAfterLocked(ss *siteState, ln *line) {
	d.writes = append(d.writes, func() {
		d.mu.Lock()
		defer d.unlock()
		if d.sites[ss.site.ID] == ss && slices.Contains(ss.lines, ln) {
			d.queueChangedLocked(ss, ln)
		}
	})
}

// missQueueLocked turns every chat queued in the line into a missed one. Starts
// still being recorded stay: their own end sees the line's status (startQueued).
func (d *Desk) missQueueLocked(ss *siteState, ln *line, reason string) {
	if len(ln.queue) == 0 {
		return
	}
	var kept []string
	for _, id := range ln.queue {
		cs := d.convs[id]
		switch {
		case cs == nil:
		case cs.pending:
			kept = append(kept, id)
		default:
			d.missLocked(cs, reason)
		}
	}
	ln.queue = kept
	d.writes = append(d.writes, func() {
		d.mu.Lock()
		defer d.unlock()
		d.notify.QueueLength(ss.site.ID, ln.deptID(), len(ln.queue))
	})
}

// missLocked decides that a queued conversation, already off its queue, is missed.
// It is recorded after the lock (recordMiss): the write and the read of the words
// the visitor's offline form is filled with are made outside mu, then the visitor
// is told. Until then the conversation stays the visitor's, busy.
func (d *Desk) missLocked(cs *convState, reason string) {
	stopTimer(cs.timeout)
	cs.timeout = nil
	cs.begin()
	at, c := d.clock.Now(), copyConv(cs.conv) // cs.conv is mu's: copied here for the write
	d.writes = append(d.writes, func() { d.recordMiss(cs, c, reason, at) })
}

// recordMiss stores a miss decided at the instant at and gives the visitor the
// offline form with every word it wrote while waiting. A failed write is logged and
// the chat is missed all the same: the visitor is not left waiting for an agent no
// one will send.
func (d *Desk) recordMiss(cs *convState, was *store.Conversation, reason string, at time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), storeWriteTimeout)
	defer cancel()
	c, err := d.store.UpdateConversation(ctx, was.ID, func(c *store.Conversation) error {
		c.State, c.EndedAt, c.EndedBy = store.StateMissed, &at, store.FromSystem
		return nil
	})
	if err != nil {
		d.log.Error("could not record a missed chat", zap.String("conversation", was.ID), zap.Error(err))
		c = was
		c.State, c.EndedAt, c.EndedBy = store.StateMissed, &at, store.FromSystem
	}
	pre := Prefill{Name: c.VisitorName, Email: c.VisitorEmail}
	if msgs, err := d.store.ListMessages(ctx, c.ID, 0, 1000); err == nil {
		var parts []string
		for _, m := range msgs {
			if m.From == store.FromVisitor {
				parts = append(parts, m.Text)
			}
		}
		pre.Text = strings.Join(parts, "\n")
	}
	d.mu.Lock()
	defer d.unlock()
	d.forgetLocked(cs)
	cs.finish()
	var site *store.Site
	if ss := d.sites[c.SiteID]; ss != nil {
		site = ss.site
	}
	d.notify.Missed(c, site, reason, pre)
}

// drainSiteLocked drains every line of a site (drainLineLocked).
func (d *Desk) drainSiteLocked(siteID string, now time.Time) {
	if ss := d.sites[siteID]; ss != nil {
		for _, ln := range ss.lines {
			d.drainLineLocked(ss, ln, now)
		}
	}
}

// drainLineLocked assigns the line's queued chats, oldest first, while it is online
// and someone can take them. It stops at a start still being recorded: that one
// keeps its turn, and its own end drains again.
func (d *Desk) drainLineLocked(ss *siteState, ln *line, now time.Time) {
	if len(ln.queue) == 0 || !d.lineStatusLocked(ss, ln, now).Online {
		return
	}
	changed := false
	for len(ln.queue) > 0 {
		cs := d.convs[ln.queue[0]]
		if cs != nil && cs.busy != nil {
			break
		}
		as := d.pickAgentLocked(ss, ln, now, "")
		if as == nil {
			break
		}
		ln.queue = ln.queue[1:]
		changed = true
		if cs != nil {
			d.assignQueuedLocked(cs, as, now)
		}
	}
	if changed {
		d.queueChangedAfterLocked(ss, ln)
	}
}

// assignQueuedLocked gives a queued chat, already off its queue, to as: the agent's
// slot is taken at once, the assignment is recorded after the lock
// (recordAssignment).
func (d *Desk) assignQueuedLocked(cs *convState, as *agentState, now time.Time) {
	stopTimer(cs.timeout)
	cs.timeout = nil
	as.open++
	prev := as.lastAssigned
	as.lastAssigned = now
	cs.begin()
	// as.agent and cs.conv are mu's: what the write needs is read here.
	convID, id, name, h := cs.conv.ID, as.agent.ID, as.agent.Name, cs.handoff
	d.writes = append(d.writes, func() { d.recordAssignment(cs, convID, as, id, name, h, prev, now) })
}

// recordAssignment stores an assignment decided at now, reads the transcript the
// agent is given with it, and tells both sides. When the store refuses, the agent's
// slot is given back and the chat goes back to its place in the queue; a later
// drain tries again.
func (d *Desk) recordAssignment(cs *convState, convID string, as *agentState, agentID, agentName string, h *Handoff, prev, now time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), storeWriteTimeout)
	defer cancel()
	c, err := d.store.UpdateConversation(ctx, convID, func(c *store.Conversation) error {
		t := now
		c.State, c.AgentID, c.AgentName, c.AssignedAt = store.StateOpen, agentID, agentName, &t
		c.Handoff = nil // told with this assignment
		return nil
	})
	var msgs []*store.Message
	if err == nil {
		msgs, _ = d.store.ListMessages(ctx, c.ID, 0, 200)
	}
	d.mu.Lock()
	defer d.unlock()
	cs.finish()
	if err != nil {
		d.log.Error("could not record an assignment", zap.String("conversation", convID), zap.Error(err))
		if d.agents[agentID] == as {
			as.open--
			if as.lastAssigned.Equal(now) {
				as.lastAssigned = prev
			}
		}
		d.requeueLocked(cs)
		return
	}
	cs.conv = c
	cs.handoff, cs.waitFrom = nil, time.Time{}
	d.notify.Assigned(copyConv(c), msgs, true, h)
}

// drainForAgentLocked drains the lines the agent answers for, in the sites it
// serves, the line whose head has waited longest first.
func (d *Desk) drainForAgentLocked(as *agentState, now time.Time) {
	type head struct {
		ss *siteState
		ln *line
		at uint64
	}
	var heads []head
	for id, ss := range d.sites {
		if !as.agent.Serves(id) {
			continue
		}
		for _, ln := range ss.lines {
			if len(ln.queue) > 0 && ln.answers(as.agent.ID) {
				if cs := d.convs[ln.queue[0]]; cs != nil {
					heads = append(heads, head{ss, ln, cs.turn})
				}
			}
		}
	}
	sort.Slice(heads, func(i, j int) bool { return heads[i].at < heads[j].at })
	for _, h := range heads {
		d.drainLineLocked(h.ss, h.ln, now)
	}
}
