package routing

import (
	"context"
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
	cs.timeout = d.after(cs.conv.CreatedAt.Add(timeout), func(now time.Time) {
		cs := d.convs[id]
		if cs == nil || cs.conv.State != store.StateQueued || cs.busy != nil {
			return
		}
		ss := d.sites[cs.conv.SiteID]
		if ss != nil {
			ss.queue = removeID(ss.queue, id)
		}
		d.missLocked(cs, ReasonQueueTimeout)
		if ss != nil {
			d.queueChangedAfterLocked(ss)
		}
	})
}

func removeID(q []string, id string) []string {
	if i := queueIndex(q, id); i >= 0 {
		return append(q[:i:i], q[i+1:]...)
	}
	return q
}

// queueChangedLocked tells agents the length and every queued visitor its place (a
// start still being recorded learns its place from its answer).
func (d *Desk) queueChangedLocked(ss *siteState) {
	d.notify.QueueLength(ss.site.ID, len(ss.queue))
	for i, id := range ss.queue {
		if cs := d.convs[id]; cs != nil && !cs.pending {
			d.notify.QueuePosition(cs.conv, i+1)
		}
	}
}

// queueChangedAfterLocked is queueChangedLocked told after the writes queued so
// far (the misses and assignments that changed the queue) are carried out, so
// agents hear of a chat's fate before of the queue it left.
func (d *Desk) queueChangedAfterLocked(ss *siteState) {
	d.writes = append(d.writes, func() {
		d.mu.Lock()
		defer d.unlock()
		if d.sites[ss.site.ID] == ss {
			d.queueChangedLocked(ss)
		}
	})
}

// missQueueLocked turns every queued chat of a site into a missed one. Starts still
// being recorded stay: their own end sees the site's status (startQueued).
func (d *Desk) missQueueLocked(ss *siteState, reason string) {
	if len(ss.queue) == 0 {
		return
	}
	var kept []string
	for _, id := range ss.queue {
		cs := d.convs[id]
		switch {
		case cs == nil:
		case cs.pending:
			kept = append(kept, id)
		default:
			d.missLocked(cs, reason)
		}
	}
	ss.queue = kept
	d.writes = append(d.writes, func() {
		d.mu.Lock()
		defer d.unlock()
		d.notify.QueueLength(ss.site.ID, len(ss.queue))
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

// drainSiteLocked assigns queued chats of a site, oldest first, while it is online
// and someone can take them. It stops at a start still being recorded: that one
// keeps its turn, and its own end drains again.
func (d *Desk) drainSiteLocked(siteID string, now time.Time) {
	ss := d.sites[siteID]
	if ss == nil || len(ss.queue) == 0 || !d.statusLocked(ss, now).Online {
		return
	}
	changed := false
	for len(ss.queue) > 0 {
		cs := d.convs[ss.queue[0]]
		if cs != nil && cs.busy != nil {
			break
		}
		as := d.pickAgentLocked(siteID, now)
		if as == nil {
			break
		}
		ss.queue = ss.queue[1:]
		changed = true
		if cs != nil {
			d.assignQueuedLocked(cs, as, now)
		}
	}
	if changed {
		d.queueChangedAfterLocked(ss)
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
	convID, id, name := cs.conv.ID, as.agent.ID, as.agent.Name
	d.writes = append(d.writes, func() { d.recordAssignment(cs, convID, as, id, name, prev, now) })
}

// recordAssignment stores an assignment decided at now, reads the transcript the
// agent is given with it, and tells both sides. When the store refuses, the agent's
// slot is given back and the chat goes back to its place in the queue; a later
// drain tries again.
func (d *Desk) recordAssignment(cs *convState, convID string, as *agentState, agentID, agentName string, prev, now time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), storeWriteTimeout)
	defer cancel()
	c, err := d.store.UpdateConversation(ctx, convID, func(c *store.Conversation) error {
		t := now
		c.State, c.AgentID, c.AgentName, c.AssignedAt = store.StateOpen, agentID, agentName, &t
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
	d.notify.Assigned(copyConv(c), msgs, true)
}

// drainForAgentLocked drains the queues of every site the agent serves, the site
// whose head has waited longest first.
func (d *Desk) drainForAgentLocked(as *agentState, now time.Time) {
	type head struct {
		site string
		at   time.Time
	}
	var heads []head
	for id, ss := range d.sites {
		if len(ss.queue) > 0 && as.agent.Serves(id) {
			if cs := d.convs[ss.queue[0]]; cs != nil {
				heads = append(heads, head{id, cs.conv.CreatedAt})
			}
		}
	}
	sort.Slice(heads, func(i, j int) bool { return heads[i].at.Before(heads[j].at) })
	for _, h := range heads {
		d.drainSiteLocked(h.site, now)
	}
}
