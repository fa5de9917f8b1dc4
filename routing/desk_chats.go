package routing

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/livedesk/gateway/store"
	"go.uber.org/zap"
)

// Outcomes of a chat start.
const (
	OutcomeAssigned = "assigned"
	OutcomeQueued   = "queued"
	OutcomeOffline  = "offline"
)

// ReasonQueueTimeout is the chat.offline reason of a chat that waited longer than the
// site's queue_timeout_seconds.
const ReasonQueueTimeout = "queue_timeout"

// ErrConversationExists: the visitor already has a queued or open conversation.
var ErrConversationExists = errors.New("a conversation is already open or queued")

// ErrStartPending: the visitor's chat start is still being recorded (a resend came
// in meanwhile); it is a kind of store.ErrUnavailable, so the client retries.
var ErrStartPending = fmt.Errorf("%w: this visitor's chat start is still being recorded", store.ErrUnavailable)

// ErrNotInConversation: the conversation is not in flight, or not the caller's.
var ErrNotInConversation = errors.New("no such open conversation")

// StartRequest is a visitor's chat.start. Its JSON is its shape on the cluster's
// leader RPC (package cluster), as is StartResult's and EndRequest's.
type StartRequest struct {
	SiteID    string `json:"site_id"`
	VisitorID string `json:"visitor_id"`
	ClientID  string `json:"client_id"`
	Text      string `json:"text"`
	Name      string `json:"name"`
	Email     string `json:"email"`
	Page      string `json:"page"`
	Lang      string `json:"lang"`
	Timezone  string `json:"timezone"`
	// VisitorNumber is the visitor's number on the site (store.Store.VisitorNumber),
	// kept on the conversation; 0 when not known.
	VisitorNumber int64 `json:"visitor_number"`
}

// StartResult is what the visitor is answered.
type StartResult struct {
	Outcome      string              `json:"outcome"`
	Conversation *store.Conversation `json:"conversation"`
	Messages     []*store.Message    `json:"messages"`
	Position     int                 `json:"position"` // when queued
	Reason       string              `json:"reason"`   // when offline
	Prefill      Prefill             `json:"prefill"`
}

// StartChat routes a visitor's chat at this instant (docs/protocol.md#routing): to the
// available agent with a live socket and room that has the fewest open chats (ties
// to the one assigned least recently), else into the site's FIFO queue when the site
// is online, else to the offline form with the visitor's words as prefill. A resend
// with the ClientID of the chat.start that made the visitor's current conversation
// gets the same answer and stores nothing.
//
// An assignment is decided and reserved under the lock (the agent's slot, the
// visitor's place), written to the store outside it, then announced under it again;
// so starts for different visitors write in parallel instead of one fsync after
// another. A queued start is written under the lock: the queue's order is its record.
func (d *Desk) StartChat(ctx context.Context, req StartRequest) (StartResult, error) {
	d.mu.Lock()
	ss := d.sites[req.SiteID]
	if ss == nil {
		d.unlock()
		return StartResult{}, ErrUnknownSite
	}
	if id, ok := d.byVisitor[req.VisitorID]; ok {
		cs := d.convs[id]
		switch {
		case req.ClientID == "" || cs.conv.StartID != req.ClientID:
			d.unlock()
			return StartResult{}, ErrConversationExists
		case cs.pending:
			d.unlock()
			return StartResult{}, ErrStartPending
		}
		res := d.replayLocked(cs, ss)
		d.unlock()
		// The transcript is read after the lock: a resend is answered with what the
		// conversation holds now, as the store has it.
		msgs, err := d.store.ListMessages(ctx, res.Conversation.ID, 0, 200)
		if err != nil {
			return StartResult{}, err
		}
		res.Messages = msgs
		return res, nil
	}
	now := d.clock.Now()
	st := d.statusLocked(ss, now)
	if !st.Online {
		d.unlock()
		return StartResult{Outcome: OutcomeOffline, Reason: st.Reason, Prefill: Prefill{Text: req.Text, Name: req.Name, Email: req.Email}}, nil
	}
	c := &store.Conversation{ID: newConversationID(), SiteID: req.SiteID, VisitorID: req.VisitorID, VisitorName: req.Name,
		VisitorEmail: req.Email, Page: req.Page, VisitorLang: req.Lang, VisitorTimezone: req.Timezone, VisitorNumber: req.VisitorNumber, State: store.StateQueued,
		CreatedAt: now, StartID: req.ClientID}
	// The queue is FIFO: while chats wait (capacity only frees with a drain, so this
	// happens after an assignment the store could not record), give them their turn
	// first, and wait behind them if they still wait.
	d.drainSiteLocked(req.SiteID, now)
	var as *agentState
	if len(ss.queue) == 0 {
		as = d.pickAgentLocked(req.SiteID, now)
	}
	if as == nil {
		defer d.unlock()
		return d.queueLocked(ctx, ss, c, req, now)
	}
	// Reserve: the agent's slot and the visitor's conversation, invisible to
	// everyone (pending) until it is stored.
	t := now
	c.State, c.AgentID, c.AgentName, c.AssignedAt = store.StateOpen, as.agent.ID, as.agent.Name, &t
	cs := &convState{conv: c, pending: true}
	d.convs[c.ID] = cs
	d.byVisitor[c.VisitorID] = c.ID
	as.open++
	prevAssigned := as.lastAssigned
	as.lastAssigned = now
	d.unlock()

	m, err := d.recordStart(ctx, c, req, now)

	d.mu.Lock()
	defer d.unlock()
	if err != nil {
		delete(d.convs, c.ID)
		delete(d.byVisitor, c.VisitorID)
		if cur := d.agents[c.AgentID]; cur == as {
			as.open--
			if as.lastAssigned.Equal(now) {
				as.lastAssigned = prevAssigned
			}
			d.drainForAgentLocked(as, d.clock.Now())
		}
		return StartResult{}, err
	}
	c.LastSeq = m.Seq
	cs.pending = false
	msgs := []*store.Message{m}
	d.notify.Assigned(copyConv(c), msgs, false)
	return StartResult{Outcome: OutcomeAssigned, Conversation: copyConv(c), Messages: msgs}, nil
}

// queueLocked records a start that waits for an agent and puts it in line.
func (d *Desk) queueLocked(ctx context.Context, ss *siteState, c *store.Conversation, req StartRequest, now time.Time) (StartResult, error) {
	m, err := d.recordStart(ctx, c, req, now)
	if err != nil {
		return StartResult{}, err
	}
	c.LastSeq = m.Seq
	cs := &convState{conv: c}
	d.convs[c.ID] = cs
	d.byVisitor[c.VisitorID] = c.ID
	ss.queue = append(ss.queue, c.ID)
	d.armQueueTimeoutLocked(cs, ss)
	d.notify.QueueLength(ss.site.ID, len(ss.queue))
	return StartResult{Outcome: OutcomeQueued, Conversation: copyConv(c), Messages: []*store.Message{m}, Position: len(ss.queue)}, nil
}

// recordStart stores a new conversation and its first message in one write (one
// fsync'd round trip on Redis, one transaction on bolt): there is no conversation
// without its message to clean up after a failure.
func (d *Desk) recordStart(ctx context.Context, c *store.Conversation, req StartRequest, now time.Time) (*store.Message, error) {
	m := &store.Message{From: store.FromVisitor, Text: req.Text, At: now, ClientID: req.ClientID}
	if err := d.store.CreateConversation(ctx, c, m); err != nil {
		return nil, err
	}
	return m, nil
}

// newConversationID returns a time-ordered id, made here so a start can be reserved
// under its id before the store has it.
func newConversationID() string { return uuid.Must(uuid.NewV7()).String() }

// replayLocked is the answer to a resent chat.start of cs, without its transcript.
func (d *Desk) replayLocked(cs *convState, ss *siteState) StartResult {
	res := StartResult{Conversation: copyConv(cs.conv)}
	if cs.conv.State == store.StateOpen {
		res.Outcome = OutcomeAssigned
	} else {
		res.Outcome = OutcomeQueued
		res.Position = queueIndex(ss.queue, cs.conv.ID) + 1
	}
	return res
}

func copyConv(c *store.Conversation) *store.Conversation {
	cc := *c
	return &cc
}

func queueIndex(q []string, id string) int {
	for i, x := range q {
		if x == id {
			return i
		}
	}
	return -1
}

// pickAgentLocked chooses whom to give a new chat of a site, or nil.
func (d *Desk) pickAgentLocked(siteID string, now time.Time) *agentState {
	var best *agentState
	for _, as := range d.agents {
		if !as.assignableFor(siteID, now, d.grace) {
			continue
		}
		if best == nil || as.open < best.open ||
			(as.open == best.open && (as.lastAssigned.Before(best.lastAssigned) ||
				(as.lastAssigned.Equal(best.lastAssigned) && as.agent.ID < best.agent.ID))) {
			best = as
		}
	}
	return best
}

func (d *Desk) armQueueTimeoutLocked(cs *convState, ss *siteState) {
	timeout := time.Duration(ss.site.QueueTimeoutSeconds) * time.Second
	if timeout <= 0 {
		return
	}
	id := cs.conv.ID
	cs.timeout = d.after(cs.conv.CreatedAt.Add(timeout), func(now time.Time) {
		cs := d.convs[id]
		if cs == nil || cs.conv.State != store.StateQueued {
			return
		}
		ss := d.sites[cs.conv.SiteID]
		d.missLocked(cs, ReasonQueueTimeout)
		if ss != nil {
			ss.queue = removeID(ss.queue, id)
			d.queueChangedLocked(ss)
		}
	})
}

func removeID(q []string, id string) []string {
	if i := queueIndex(q, id); i >= 0 {
		return append(q[:i:i], q[i+1:]...)
	}
	return q
}

// queueChangedLocked tells agents the length and every queued visitor its place.
func (d *Desk) queueChangedLocked(ss *siteState) {
	d.notify.QueueLength(ss.site.ID, len(ss.queue))
	for i, id := range ss.queue {
		if cs := d.convs[id]; cs != nil {
			d.notify.QueuePosition(cs.conv, i+1)
		}
	}
}

// missQueueLocked turns every queued chat of a site into a missed one.
func (d *Desk) missQueueLocked(ss *siteState, reason string) {
	if len(ss.queue) == 0 {
		return
	}
	for _, id := range ss.queue {
		if cs := d.convs[id]; cs != nil {
			d.missLocked(cs, reason)
		}
	}
	ss.queue = nil
	d.notify.QueueLength(ss.site.ID, 0)
}

// missLocked records a queued conversation as missed and gives the visitor the
// offline form with every word it wrote while waiting.
func (d *Desk) missLocked(cs *convState, reason string) {
	// Under mu (see Desk.mu): bounded like the desk's other own writes.
	ctx, cancel := context.WithTimeout(context.Background(), storeWriteTimeout)
	defer cancel()
	now := d.clock.Now()
	c, err := d.store.UpdateConversation(ctx, cs.conv.ID, func(c *store.Conversation) error {
		c.State, c.EndedAt, c.EndedBy = store.StateMissed, &now, store.FromSystem
		return nil
	})
	if err != nil {
		d.log.Error("could not record a missed chat", zap.String("conversation", cs.conv.ID), zap.Error(err))
		c = copyConv(cs.conv)
		c.State = store.StateMissed
	}
	stopTimer(cs.timeout)
	delete(d.convs, cs.conv.ID)
	delete(d.byVisitor, cs.conv.VisitorID)
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
	var site *store.Site
	if ss := d.sites[c.SiteID]; ss != nil {
		site = ss.site
	}
	d.notify.Missed(c, site, reason, pre)
}

// drainSiteLocked assigns queued chats of a site, oldest first, while it is online
// and someone can take them.
func (d *Desk) drainSiteLocked(siteID string, now time.Time) {
	ss := d.sites[siteID]
	if ss == nil || len(ss.queue) == 0 || !d.statusLocked(ss, now).Online {
		return
	}
	changed := false
	for len(ss.queue) > 0 {
		as := d.pickAgentLocked(siteID, now)
		if as == nil {
			break
		}
		cs := d.convs[ss.queue[0]]
		ss.queue = ss.queue[1:]
		changed = true
		if cs == nil {
			continue
		}
		if !d.assignQueuedLocked(cs, as, now) {
			// Not recorded (the chat is back at the head): stop here rather than
			// retry at once with the lock held; the next drain tries again.
			break
		}
	}
	if changed {
		d.queueChangedLocked(ss)
	}
}

// assignQueuedLocked gives a queued chat (already taken off its queue) to as, and
// reports whether that was recorded; when not, the chat is back at the queue's head.
func (d *Desk) assignQueuedLocked(cs *convState, as *agentState, now time.Time) bool {
	// Under mu (see Desk.mu): bounded like the desk's other own writes.
	ctx, cancel := context.WithTimeout(context.Background(), storeWriteTimeout)
	defer cancel()
	c, err := d.store.UpdateConversation(ctx, cs.conv.ID, func(c *store.Conversation) error {
		t := now
		c.State, c.AgentID, c.AgentName, c.AssignedAt = store.StateOpen, as.agent.ID, as.agent.Name, &t
		return nil
	})
	if err != nil {
		// Not recorded: put it back at the head of its queue for the next drain.
		d.log.Error("could not record an assignment", zap.String("conversation", cs.conv.ID), zap.Error(err))
		if ss := d.sites[cs.conv.SiteID]; ss != nil {
			ss.queue = append([]string{cs.conv.ID}, ss.queue...)
		}
		return false
	}
	stopTimer(cs.timeout)
	cs.timeout = nil
	cs.conv = c
	as.open++
	as.lastAssigned = now
	msgs, _ := d.store.ListMessages(ctx, c.ID, 0, 200)
	d.notify.Assigned(copyConv(c), msgs, true)
	return true
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

// EndRequest asks to end a conversation.
type EndRequest struct {
	ConversationID string `json:"conversation_id"`
	// By is "visitor" or "agent"; AgentID is the agent's, who may end only a
	// conversation assigned to it.
	By      string `json:"by"`
	AgentID string `json:"agent_id"`
	// Re is the id of the frame that asked, passed on to Notifier.Ended so the
	// answer can carry it ("" for none).
	Re string `json:"re"`
}

// EndChat ends a queued or open conversation.
func (d *Desk) EndChat(ctx context.Context, req EndRequest) (*store.Conversation, error) {
	conversationID, by, agentID := req.ConversationID, req.By, req.AgentID
	d.mu.Lock()
	defer d.unlock()
	cs := d.convs[conversationID]
	if cs == nil || cs.pending || (by == store.FromAgent && cs.conv.AgentID != agentID) {
		return nil, ErrNotInConversation
	}
	now := d.clock.Now()
	var out []*store.Notification
	if ss := d.sites[cs.conv.SiteID]; ss != nil && d.announce != nil {
		ended := *cs.conv
		ended.State, ended.EndedAt, ended.EndedBy = store.StateEnded, &now, by
		out = d.announce.ConversationEnded(ss.site, &ended)
	}
	c, err := d.store.UpdateConversation(ctx, conversationID, func(c *store.Conversation) error {
		c.State, c.EndedAt, c.EndedBy = store.StateEnded, &now, by
		return nil
	}, out...)
	if err != nil {
		return nil, err
	}
	if len(out) > 0 {
		d.announce.Stored()
	}
	stopTimer(cs.timeout)
	delete(d.convs, conversationID)
	delete(d.byVisitor, c.VisitorID)
	d.notify.Ended(c, by, req.Re)
	if ss := d.sites[c.SiteID]; ss != nil && queueIndex(ss.queue, c.ID) >= 0 {
		ss.queue = removeID(ss.queue, c.ID)
		d.queueChangedLocked(ss)
	}
	if as := d.agents[c.AgentID]; as != nil && cs.conv.State == store.StateOpen {
		as.open--
		d.drainForAgentLocked(as, now)
	}
	return c, nil
}

// VisitorConversation returns the visitor's queued or open conversation, or nil.
func (d *Desk) VisitorConversation(visitorID string) *store.Conversation {
	d.mu.Lock()
	defer d.unlock()
	if id, ok := d.byVisitor[visitorID]; ok && !d.convs[id].pending {
		return copyConv(d.convs[id].conv)
	}
	return nil
}

// Conversation returns a queued or open conversation, or nil.
func (d *Desk) Conversation(id string) *store.Conversation {
	d.mu.Lock()
	defer d.unlock()
	if cs := d.convs[id]; cs != nil && !cs.pending {
		return copyConv(cs.conv)
	}
	return nil
}

// QueueLength returns how many chats wait for a site.
func (d *Desk) QueueLength(siteID string) int {
	d.mu.Lock()
	defer d.unlock()
	if ss := d.sites[siteID]; ss != nil {
		return len(ss.queue)
	}
	return 0
}
