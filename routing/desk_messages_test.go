package routing

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/livedesk/gateway/routing/schedule"
	"github.com/livedesk/gateway/store"
)

// countingStore counts the store calls a visitor's message makes.
type countingStore struct {
	store.Store
	reads, appends atomic.Int32
}

func (c *countingStore) ListConversations(ctx context.Context, f store.ConversationFilter) ([]*store.Conversation, error) {
	c.reads.Add(1)
	return c.Store.ListConversations(ctx, f)
}

func (c *countingStore) GetConversation(ctx context.Context, id string) (*store.Conversation, error) {
	c.reads.Add(1)
	return c.Store.GetConversation(ctx, id)
}

func (c *countingStore) AppendLive(ctx context.Context, m *store.Message, party string) (*store.Message, *store.Conversation, bool, error) {
	c.appends.Add(1)
	return c.Store.AppendLive(ctx, m, party)
}

// TestVisitorMessage: a visitor's message goes to the conversation its last one went
// to, else to its conversation in flight (queued or open), with one store write and
// no store read; a resend is answered with the stored message, even once the
// conversation ended; nobody writes to, or learns of, another visitor's conversation.
func TestVisitorMessage(t *testing.T) {
	r := newRig(t, utc(0, 10, 0, 0))
	r.addSite(newSite("s1", schedule.AlwaysOpen()))
	r.addAgent(newAgent("a1", 1))
	cs := &countingStore{Store: r.st}
	r.st = cs
	r.load()
	r.connect("a1")
	open := r.startWant("s1", "v1", OutcomeAssigned, "a1").Conversation.ID
	queued := r.startWant("s1", "v2", OutcomeQueued, "").Conversation.ID

	type want struct {
		conv  string // "" with err
		seq   int64
		dup   bool
		err   error
		reads int32
	}
	step := func(name string, m VisitorMessage, w want) {
		t.Helper()
		cs.reads.Store(0)
		cs.appends.Store(0)
		m.Text = "text of " + m.ClientID
		m.At = r.clk.Now()
		a, err := r.d.VisitorMessage(r.ctx, m)
		if w.err != nil {
			if !errors.Is(err, w.err) {
				t.Fatalf("%s: err %v, want %v", name, err, w.err)
			}
		} else {
			assertNoError(t, err)
			assertEqual(t, name+": conversation", a.Conversation.ID, w.conv)
			assertEqual(t, name+": message's conversation", a.Message.ConversationID, w.conv)
			assertEqual(t, name+": seq", a.Message.Seq, w.seq)
			assertEqual(t, name+": duplicate", a.Duplicate, w.dup)
			assertEqual(t, name+": text", a.Message.Text, "text of "+m.ClientID)
			assertEqual(t, name+": from", a.Message.From, store.FromVisitor)
		}
		assertEqual(t, name+": store reads", cs.reads.Load(), w.reads)
	}

	step("open, none known", VisitorMessage{VisitorID: "v1", ClientID: "m1"}, want{conv: open, seq: 2})
	step("open, known", VisitorMessage{VisitorID: "v1", ConversationID: open, ClientID: "m2"}, want{conv: open, seq: 3})
	step("resend", VisitorMessage{VisitorID: "v1", ConversationID: open, ClientID: "m1"}, want{conv: open, seq: 2, dup: true})
	step("queued", VisitorMessage{VisitorID: "v2", ClientID: "q1"}, want{conv: queued, seq: 2})
	step("no conversation", VisitorMessage{VisitorID: "v3", ClientID: "x1"}, want{err: ErrNotInConversation})
	step("another visitor's", VisitorMessage{VisitorID: "v3", ConversationID: open, ClientID: "x2"}, want{err: ErrNotInConversation})
	step("another visitor's frame id", VisitorMessage{VisitorID: "v3", ConversationID: open, ClientID: "m1"}, want{err: ErrNotInConversation})
	step("unknown conversation", VisitorMessage{VisitorID: "v3", ConversationID: "nope", ClientID: "x3"}, want{err: ErrNotInConversation})

	r.endByAgent("v1") // v2's chat is assigned from the queue meanwhile
	step("resend once ended", VisitorMessage{VisitorID: "v1", ConversationID: open, ClientID: "m2"}, want{conv: open, seq: 3, dup: true})
	step("new once ended", VisitorMessage{VisitorID: "v1", ConversationID: open, ClientID: "m3"}, want{err: ErrNotInConversation})
	step("queued, then assigned", VisitorMessage{VisitorID: "v2", ConversationID: queued, ClientID: "q2"}, want{conv: queued, seq: 3})

	r.endByAgent("v2")
	next := r.startWant("s1", "v1", OutcomeAssigned, "a1").Conversation.ID
	step("the last one ended, a new one open", VisitorMessage{VisitorID: "v1", ConversationID: open, ClientID: "m4"}, want{conv: next, seq: 2})
	if n := cs.appends.Load(); n != 2 {
		t.Fatalf("a message to a conversation that no longer takes it: %d store writes, want 2 (refused, then stored)", n)
	}
}

// TestWrittenBy: who wrote a stored message, as a resend's answer needs it.
func TestWrittenBy(t *testing.T) {
	c := &store.Conversation{VisitorID: "v1", AgentID: "a1"}
	cases := []struct {
		name        string
		m           *store.Message
		from, party string
		want        bool
	}{
		{"the visitor's, by the visitor", &store.Message{From: store.FromVisitor}, store.FromVisitor, "v1", true},
		{"the visitor's, by another visitor", &store.Message{From: store.FromVisitor}, store.FromVisitor, "v2", false},
		{"the visitor's, by the agent", &store.Message{From: store.FromVisitor}, store.FromAgent, "a1", false},
		{"the agent's, by the agent", &store.Message{From: store.FromAgent, AgentID: "a1"}, store.FromAgent, "a1", true},
		{"the agent's, by another agent", &store.Message{From: store.FromAgent, AgentID: "a1"}, store.FromAgent, "a2", false},
		{"the agent's, by the visitor", &store.Message{From: store.FromAgent, AgentID: "a1"}, store.FromVisitor, "v1", false},
		{"the system's", &store.Message{From: store.FromSystem}, store.FromSystem, "a1", false},
	}
	for _, tc := range cases {
		if got := WrittenBy(tc.m, c, tc.from, tc.party); got != tc.want {
			t.Errorf("%s: WrittenBy = %v, want %v", tc.name, got, tc.want)
		}
	}
}
