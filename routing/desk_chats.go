package routing

import (
	"context"
	"errors"
	"fmt"
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
	// DepartmentID is the department asked for ("": the first online one, on a
	// site with departments; docs/protocol.md#routing-by-department).
	DepartmentID string `json:"department_id,omitempty"`
}

// StartResult is what the visitor is answered.
type StartResult struct {
	Outcome      string              `json:"outcome"`
	Conversation *store.Conversation `json:"conversation"`
	Messages     []*store.Message    `json:"messages"`
	Position     int                 `json:"position"` // when queued
	Reason       string              `json:"reason"`   // when offline
	// DepartmentID is the department that was offline ("": the site's, or none).
	DepartmentID string  `json:"department_id,omitempty"`
	Prefill      Prefill `json:"prefill"`
}

// StartChat routes a visitor's chat at this instant (docs/protocol.md#routing): to the
// available agent with a live socket and room that has the fewest open chats (ties
// to the one assigned least recently), else into the site's FIFO queue when the site
// is online, else to the offline form with the visitor's words as prefill. A resend
// with the ClientID of the chat.start that made the visitor's current conversation
// gets the same answer and stores nothing.
//
// The outcome is decided and reserved under the lock (the agent's slot, or the
// place at the end of the queue; the visitor's conversation), written to the store
// outside it, then announced under it again; so starts for different visitors write
// in parallel instead of one fsync after another.
func (d *Desk) StartChat(ctx context.Context, req StartRequest) (StartResult, error) {
	d.mu.Lock()
	ss := d.sites[req.SiteID]
	if ss == nil {
		d.unlock()
		return StartResult{}, ErrUnknownSite
	}
	for {
		id, ok := d.byVisitor[req.VisitorID]
		if !ok {
			break
		}
		cs := d.convs[id]
		if cs.busy != nil && !cs.pending {
			// Its assignment, miss or end is being written: answer from what it
			// comes to.
			if err := d.waitLocked(ctx, cs); err != nil {
				d.unlock()
				return StartResult{}, err
			}
			if ss = d.sites[req.SiteID]; ss == nil {
				d.unlock()
				return StartResult{}, ErrUnknownSite
			}
			continue
		}
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
	ln, err := d.chooseLineLocked(ss, req.DepartmentID, now)
	if err != nil {
		d.unlock()
		return StartResult{}, err
	}
	pre := Prefill{Text: req.Text, Name: req.Name, Email: req.Email}
	if ln == nil {
		// Departments, none asked for and none online: the site's offline form.
		st := d.statusLocked(ss, now)
		d.unlock()
		return StartResult{Outcome: OutcomeOffline, Reason: st.Reason, Prefill: pre}, nil
	}
	if st := d.lineStatusLocked(ss, ln, now); !st.Online {
		d.unlock()
		return StartResult{Outcome: OutcomeOffline, Reason: st.Reason, DepartmentID: ln.deptID(), Prefill: pre}, nil
	}
	c := &store.Conversation{ID: newConversationID(), SiteID: req.SiteID, DepartmentID: ln.deptID(), VisitorID: req.VisitorID, VisitorName: req.Name,
		VisitorEmail: req.Email, Page: req.Page, VisitorLang: req.Lang, VisitorTimezone: req.Timezone, VisitorNumber: req.VisitorNumber, State: store.StateQueued,
		CreatedAt: now, StartID: req.ClientID}
	// The queue is FIFO: while chats wait (capacity only frees with a drain, so this
	// happens after an assignment the store could not record), give them their turn
	// first, and wait behind them if they still wait.
	d.drainLineLocked(ss, ln, now)
	var as *agentState
	if len(ln.queue) == 0 {
		as = d.pickAgentLocked(ss, ln, now, "")
	}
	if as == nil {
		return d.startQueued(ctx, ss, ln, c, req, now)
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
	d.notify.Assigned(copyConv(c), msgs, false, nil)
	return StartResult{Outcome: OutcomeAssigned, Conversation: copyConv(c), Messages: msgs}, nil
}

// startQueued records a start that waits for an agent. Its place at the end of the
// queue is reserved first: the start is pending (invisible; drains stop at it, so
// it keeps its turn) while it is written outside the lock. A site that went offline
// (or away) meanwhile misses it at once, and the visitor is answered with the
// offline form. Called with mu held; returns with mu released.
func (d *Desk) startQueued(ctx context.Context, ss *siteState, ln *line, c *store.Conversation, req StartRequest, now time.Time) (StartResult, error) {
	cs := &convState{conv: c, pending: true}
	cs.begin()
	d.convs[c.ID] = cs
	d.byVisitor[c.VisitorID] = c.ID
	d.turns++
	cs.turn = d.turns
	ln.queue = append(ln.queue, c.ID)
	d.unlock()

	m, err := d.recordStart(ctx, c, req, now)

	d.mu.Lock()
	defer d.unlock()
	cs.finish()
	cur := d.sites[c.SiteID]
	var ln2 *line // the line it waits in now (departments may have changed)
	if cur != nil {
		ln2 = cur.lineFor(c.DepartmentID)
	}
	if err != nil {
		d.forgetLocked(cs)
		if cur != nil {
			// Drains stopped at this start: their turn now.
			ln2.queue = removeID(ln2.queue, c.ID)
			d.drainLineLocked(cur, ln2, d.clock.Now())
		}
		return StartResult{}, err
	}
	c.LastSeq = m.Seq
	cs.pending = false
	at := d.clock.Now()
	st := Status{Reason: ReasonPaused}
	if cur != nil {
		st = d.lineStatusLocked(cur, ln2, at)
	}
	if !st.Online {
		d.forgetLocked(cs)
		if cur != nil {
			ln2.queue = removeID(ln2.queue, c.ID)
		}
		d.writes = append(d.writes, func() { d.recordMissedStart(c.ID, at) })
		return StartResult{Outcome: OutcomeOffline, Reason: st.Reason, DepartmentID: c.DepartmentID, Prefill: Prefill{Text: req.Text, Name: req.Name, Email: req.Email}}, nil
	}
	d.armQueueTimeoutLocked(cs, cur)
	d.notify.QueueLength(cur.site.ID, ln2.deptID(), len(ln2.queue))
	if ln2.queue[0] == c.ID && d.pickAgentLocked(cur, ln2, at, "") != nil {
		// Someone became free while the start was written and the drain stopped
		// here: it runs from a timer, so the visitor has its answer (queued) before
		// the assignment that follows it.
		d.after(at, func(now time.Time) {
			if ss := d.sites[c.SiteID]; ss != nil {
				d.drainLineLocked(ss, ss.lineFor(c.DepartmentID), now)
			}
		})
	}
	return StartResult{Outcome: OutcomeQueued, Conversation: copyConv(c), Messages: []*store.Message{m}, Position: queueIndex(ln2.queue, c.ID) + 1}, nil
}

// recordMissedStart stores that a queued start whose site went offline while it
// was written was missed at the instant at. A failure is logged: the visitor has
// the offline form either way; a restart takes the chat as queued again.
func (d *Desk) recordMissedStart(id string, at time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), storeWriteTimeout)
	defer cancel()
	if _, err := d.store.UpdateConversation(ctx, id, func(c *store.Conversation) error {
		c.State, c.EndedAt, c.EndedBy = store.StateMissed, &at, store.FromSystem
		return nil
	}); err != nil {
		d.log.Error("could not record a missed chat", zap.String("conversation", id), zap.Error(err))
	}
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
		res.Position = queueIndex(ss.lineFor(cs.conv.DepartmentID).queue, cs.conv.ID) + 1
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

// pickAgentLocked chooses whom to give a new chat of a line, or nil: the agent
// that can take one with the fewest open chats, ties to the one assigned least
// recently, then by id (docs/protocol.md#routing); never the agent except.
func (d *Desk) pickAgentLocked(ss *siteState, ln *line, now time.Time, except string) *agentState {
	var best *agentState
	for _, as := range d.agents {
		if as.agent.ID == except || !ln.answers(as.agent.ID) || !as.assignableFor(ss.site.ID, now, d.grace) {
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
