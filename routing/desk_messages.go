package routing

import (
	"context"
	"errors"
	"time"

	"github.com/livedesk/gateway/store"
)

// VisitorMessage is a visitor's chat message (a "message" frame).
type VisitorMessage struct {
	VisitorID string
	// ConversationID is the conversation the visitor's last message went to ("":
	// none known). It is tried first, so a chat in progress costs one store write,
	// and a resend of a message stored there is answered even once it has ended.
	ConversationID string
	// ClientID is the frame's id: a resend with it is answered with the message
	// already stored, and nothing is written.
	ClientID string
	Text     string
	// At is when the message was received.
	At time.Time
}

// Appended is a message stored in a live chat.
type Appended struct {
	Message *store.Message
	// Conversation is the conversation as the write saw it (LastSeq includes the
	// message): whom to deliver the message to.
	Conversation *store.Conversation
	// Duplicate: a resend of Message; nothing new was stored, nobody is to be told.
	Duplicate bool
}

// VisitorMessage stores a visitor's message in its queued or open conversation, as
// AppendVisitorMessage does with the desk's own knowledge of the visitor's
// conversation (no store read). The desk's lock is not held across the write: the
// store checks, in the write itself, that the conversation still takes it.
func (d *Desk) VisitorMessage(ctx context.Context, m VisitorMessage) (Appended, error) {
	return AppendVisitorMessage(ctx, d.store, m, func(_ context.Context, visitorID string) (*store.Conversation, error) {
		return d.VisitorConversation(visitorID), nil
	})
}

// AppendVisitorMessage is the rule of a visitor's message, for every desk: it goes to
// m.ConversationID when that conversation still takes it (or holds it already, for a
// resend), else to the visitor's conversation in flight, which current returns (nil:
// none) as the desk that runs the conversations knows it (the Desk from memory); a cluster node reads the
// store, which the leader writes before it announces. ErrNotInConversation when
// neither takes it; store errors (store.ErrUnavailable...) as they come.
func AppendVisitorMessage(ctx context.Context, st store.Store, m VisitorMessage, current func(ctx context.Context, visitorID string) (*store.Conversation, error)) (Appended, error) {
	msg := func(convID string) *store.Message {
		return &store.Message{ConversationID: convID, From: store.FromVisitor, Text: m.Text, At: m.At, ClientID: m.ClientID}
	}
	if m.ConversationID != "" {
		if a, err := AppendLive(ctx, st, msg(m.ConversationID), m.VisitorID); !errors.Is(err, ErrNotInConversation) {
			return a, err
		}
	}
	c, err := current(ctx, m.VisitorID)
	if err != nil {
		return Appended{}, err
	}
	if c == nil || c.ID == m.ConversationID {
		return Appended{}, ErrNotInConversation
	}
	return AppendLive(ctx, st, msg(c.ID), m.VisitorID)
}

// AppendLive stores m (its ConversationID set) written by party, the visitor's id
// or the agent's, in a live chat: the store checks in the same write that party may
// write there (store.CheckLiveWrite) and answers a resend by client id.
// ErrNotInConversation when the conversation is unknown, party may not write there,
// or a resend names a message party did not write (refused like any write it may not
// make, so naming another party's frame id reveals nothing of its message).
func AppendLive(ctx context.Context, st store.Store, m *store.Message, party string) (Appended, error) {
	stored, c, dup, err := st.AppendLive(ctx, m, party)
	switch {
	case errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrNotFound):
		return Appended{}, ErrNotInConversation
	case err != nil:
		return Appended{}, err
	case dup && !WrittenBy(stored, c, m.From, party):
		return Appended{}, ErrNotInConversation
	}
	return Appended{Message: stored, Conversation: c, Duplicate: dup}, nil
}

// WrittenBy reports whether party, of kind from (store.FromAgent with an agent's
// id, store.FromVisitor with the visitor's), wrote m, a message of conversation c.
func WrittenBy(m *store.Message, c *store.Conversation, from, party string) bool {
	if m.From != from {
		return false
	}
	switch from {
	case store.FromAgent:
		return m.AgentID == party
	case store.FromVisitor:
		return c.VisitorID == party
	}
	return false
}
