package routing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/livedesk/gateway/store"
	"go.uber.org/zap"
)

// ErrUnknownAgent: the agent a transfer names does not exist.
var ErrUnknownAgent = errors.New("no such agent")

// ErrNotOpen: the conversation is in flight but not open (queued): only an open
// conversation is transferred.
var ErrNotOpen = errors.New("the conversation is not open")

// ErrTransferConflict is what every TransferConflict is (errors.Is).
var ErrTransferConflict = errors.New("the target cannot take the conversation")

// TransferConflict is a transfer the target cannot take (docs/protocol.md#transfers):
// nothing changed. Its text is the reason, for the error's message.
type TransferConflict struct{ Reason string }

func (e *TransferConflict) Error() string { return e.Reason }

// Unwrap makes a TransferConflict an ErrTransferConflict.
func (e *TransferConflict) Unwrap() error { return ErrTransferConflict }

// TransferRequest hands an open conversation to an agent or to a department
// (exactly one of ToAgentID, ToDepartmentID). Its JSON is its shape on the
// cluster's leader RPC.
type TransferRequest struct {
	ConversationID string `json:"conversation_id"`
	// ByAgentID is the agent that asks, who may transfer only a conversation open
	// with it; "" for an owner or admin through the API, who may transfer any.
	ByAgentID      string `json:"by_agent_id,omitempty"`
	ToAgentID      string `json:"to_agent_id,omitempty"`
	ToDepartmentID string `json:"to_department_id,omitempty"`
	Note           string `json:"note,omitempty"`
	// Re is the id of the frame that asked ("" for none), passed on to the sender's
	// chat.transferred.
	Re string `json:"re,omitempty"`
}

// TransferTarget is where a transfer went: an agent, or a department with the agent
// it was assigned to there (none: it waits in the department's queue).
type TransferTarget struct {
	AgentID      string `json:"agent_id,omitempty"`
	AgentName    string `json:"agent_name,omitempty"`
	DepartmentID string `json:"department_id,omitempty"`
}

// Handoff says how a conversation came to the agent it is now assigned to: handed
// over by another agent, with a note for it.
type Handoff = store.Handoff

// Transferred is a transfer done, for the Notifier: the sender's chat.transferred,
// the visitor's system message.
type Transferred struct {
	// Conversation is as the transfer left it (the new agent, or queued).
	Conversation *store.Conversation
	FromAgentID  string
	To           TransferTarget
	Re           string
	// System is the system message the visitor is told with (nil when it could
	// not be stored).
	System *store.Message
}

// TransferResult is the answer to the one who asked.
type TransferResult struct {
	Conversation *store.Conversation `json:"conversation"`
	To           TransferTarget      `json:"to"`
}

// transfer is a transfer decided and reserved under mu, to be written outside it.
type transfer struct {
	cs       *convState
	convID   string
	from     *agentState // nil when the agent is gone
	fromID   string
	fromName string
	to       *agentState // nil: queued in dept
	toID     string
	toName   string
	dept     *line // the target line
	deptID   string
	label    string // the target as the visitor is told
	note, re string
	prev     time.Time // to's lastAssigned before
	at       time.Time
}

// Transfer hands an open conversation to another agent or to a department
// (docs/protocol.md#transfers). The decision is made and reserved under the lock
// (the new agent's slot), written outside it (the conversation, then the system
// message), and carried out under it again: the sender's slot is freed, the sender,
// the new agent and the visitor are told. Conflicts change nothing.
func (d *Desk) Transfer(ctx context.Context, req TransferRequest) (TransferResult, error) {
	d.mu.Lock()
	defer d.unlock()
	var cs *convState
	for {
		cs = d.convs[req.ConversationID]
		if cs == nil || cs.pending || (req.ByAgentID != "" && (cs.conv.State != store.StateOpen || cs.conv.AgentID != req.ByAgentID)) {
			return TransferResult{}, ErrNotInConversation
		}
		if cs.busy == nil {
			break
		}
		if err := d.waitLocked(ctx, cs); err != nil {
			return TransferResult{}, err
		}
	}
	if cs.conv.State != store.StateOpen {
		return TransferResult{}, ErrNotOpen
	}
	t, err := d.decideTransferLocked(cs, req, d.clock.Now())
	if err != nil {
		return TransferResult{}, err
	}
	d.unlock()
	res, err := d.recordTransfer(ctx, t)
	d.mu.Lock()
	return res, err
}

// decideTransferLocked checks that the target can take cs and reserves it: the new
// agent's slot, cs busy.
func (d *Desk) decideTransferLocked(cs *convState, req TransferRequest, now time.Time) (*transfer, error) {
	ss := d.sites[cs.conv.SiteID]
	if ss == nil {
		return nil, ErrNotInConversation
	}
	t := &transfer{cs: cs, convID: cs.conv.ID, fromID: cs.conv.AgentID, fromName: cs.conv.AgentName, from: d.agents[cs.conv.AgentID],
		note: req.Note, re: req.Re, at: now, deptID: cs.conv.DepartmentID}
	if req.ToAgentID != "" {
		as := d.agents[req.ToAgentID]
		if as == nil {
			return nil, ErrUnknownAgent
		}
		if err := d.agentCanTakeLocked(ss, cs, as, now); err != nil {
			return nil, err
		}
		t.to, t.label = as, as.agent.Name
	} else {
		ln := ss.department(req.ToDepartmentID)
		if ln == nil {
			return nil, ErrUnknownDepartment
		}
		if st := d.lineStatusLocked(ss, ln, now); !st.Online {
			return nil, &TransferConflict{fmt.Sprintf("%s is offline (%s)", ln.dept.Name, st.Reason)}
		}
		others := d.availableInLocked(ss, ln, now)
		if t.from != nil && ln.answers(t.fromID) && t.from.availableFor(ss.site.ID, now, d.grace) {
			others--
		}
		if others <= 0 {
			return nil, &TransferConflict{fmt.Sprintf("no one else is available in %s", ln.dept.Name)}
		}
		t.dept, t.deptID, t.label = ln, ln.dept.ID, ln.dept.Name
		t.to = d.pickAgentLocked(ss, ln, now, t.fromID)
	}
	if t.to != nil {
		t.toID, t.toName = t.to.agent.ID, t.to.agent.Name
		t.to.open++
		t.prev = t.to.lastAssigned
		t.to.lastAssigned = now
	}
	cs.begin()
	return t, nil
}

// agentCanTakeLocked is nil when as may be handed cs now, else the conflict.
func (d *Desk) agentCanTakeLocked(ss *siteState, cs *convState, as *agentState, now time.Time) error {
	name := as.agent.Name
	switch {
	case as.agent.ID == cs.conv.AgentID:
		return &TransferConflict{"the conversation is already " + name + "'s"}
	case !as.agent.Serves(ss.site.ID):
		return &TransferConflict{name + " does not serve this site"}
	}
	if ln := ss.department(cs.conv.DepartmentID); ln != nil && !ln.answers(as.agent.ID) {
		return &TransferConflict{name + " does not answer for " + ln.dept.Name}
	}
	switch {
	case !as.availableFor(ss.site.ID, now, d.grace):
		return &TransferConflict{name + " is not available"}
	case as.open >= as.agent.MaxChats:
		return &TransferConflict{fmt.Sprintf("%s has %d open chats, the most allowed", name, as.open)}
	}
	return nil
}

// recordTransfer writes a decided transfer and carries it out (or undoes it when
// the store refused). mu not held.
func (d *Desk) recordTransfer(ctx context.Context, t *transfer) (TransferResult, error) {
	c, err := d.store.UpdateConversation(ctx, t.convID, func(c *store.Conversation) error {
		if c.State != store.StateOpen {
			return store.ErrConflict
		}
		c.DepartmentID = t.deptID
		if t.to != nil {
			at := t.at
			c.AgentID, c.AgentName, c.AssignedAt = t.toID, t.toName, &at
		} else {
			c.State, c.AgentID, c.AgentName, c.AssignedAt = store.StateQueued, "", "", nil
			c.Handoff = &store.Handoff{FromAgentID: t.fromID, FromAgentName: t.fromName, Note: t.note, At: t.at}
		}
		return nil
	})
	var sys *store.Message
	var msgs []*store.Message
	if err == nil {
		// Messages stored before the step (seq up to c.LastSeq) went to the sender
		// and are the new agent's transcript; those stored after it go to the new
		// agent as they come. The system message follows the step.
		sys, _, err = d.store.AppendMessage(ctx, &store.Message{ConversationID: t.convID, From: store.FromSystem,
			Text: "Transferred to " + t.label + ".", At: t.at})
		if err != nil {
			d.log.Error("could not store a transfer's system message", zap.String("conversation", t.convID), zap.Error(err))
			sys, err = nil, nil
		}
		msgs = d.transcriptUpTo(ctx, t.convID, c.LastSeq, sys)
	}

	d.mu.Lock()
	defer d.unlock()
	cs := t.cs
	cs.finish()
	if err != nil {
		if t.to != nil && d.agents[t.toID] == t.to {
			t.to.open--
			if t.to.lastAssigned.Equal(t.at) {
				t.to.lastAssigned = t.prev
			}
		}
		if errors.Is(err, store.ErrConflict) {
			err = ErrNotOpen
		}
		return TransferResult{}, err
	}
	if sys != nil {
		c.LastSeq = sys.Seq
	}
	cs.conv = c
	to := TransferTarget{AgentID: t.toID, AgentName: t.toName, DepartmentID: t.deptID}
	if t.dept == nil {
		to.DepartmentID = ""
	}
	d.notify.Transferred(Transferred{Conversation: copyConv(c), FromAgentID: t.fromID, To: to, Re: t.re, System: sys})
	h := &Handoff{FromAgentID: t.fromID, FromAgentName: t.fromName, Note: t.note, At: t.at}
	if t.to != nil {
		d.notify.Assigned(copyConv(c), msgs, true, h)
	} else if ss := d.sites[c.SiteID]; ss != nil {
		cs.handoff = h
		cs.waitFrom = t.at
		d.turns++
		cs.turn = d.turns
		ln := ss.lineFor(c.DepartmentID)
		ln.queue = append(ln.queue, c.ID)
		d.armQueueTimeoutLocked(cs, ss)
		d.queueChangedLocked(ss, ln)
	}
	if t.from != nil && d.agents[t.fromID] == t.from {
		t.from.open--
		d.drainForAgentLocked(t.from, d.clock.Now())
	}
	return TransferResult{Conversation: copyConv(c), To: to}, nil
}

// transcriptUpTo reads the last messages of a conversation up to seq upTo, then
// extra (when not nil): what an agent handed the conversation is given.
func (d *Desk) transcriptUpTo(ctx context.Context, convID string, upTo int64, extra *store.Message) []*store.Message {
	after := max(upTo-transcriptLength, 0)
	msgs, err := d.store.ListMessages(ctx, convID, after, transcriptLength)
	if err != nil {
		d.log.Warn("could not read a transcript", zap.String("conversation", convID), zap.Error(err))
	}
	out := msgs[:0]
	for _, m := range msgs {
		if m.Seq <= upTo {
			out = append(out, m)
		}
	}
	if extra != nil {
		out = append(out, extra)
	}
	return out
}

// transcriptLength is how many of its last messages an agent given a conversation
// gets with it.
const transcriptLength = 200
