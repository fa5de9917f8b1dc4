package routing

import (
	"errors"
	"testing"
	"time"

	"github.com/livedesk/gateway/routing/schedule"
	"github.com/livedesk/gateway/store"
)

// TestRoutingAtChatStart: routing is decided at the instant of the chat start, and
// open conversations are never cut by closing time.
func TestRoutingAtChatStart(t *testing.T) {
	r := newRig(t, mon(16, 58, 0))
	r.addSite(newSite("s1", mondays("Europe/Paris", iv("08:00", "12:00"), iv("13:00", "17:00"))))
	r.addAgent(newAgent("a1", 2))
	r.load()
	r.connect("a1")
	r.clk.Set(mon(16, 59, 0))
	r.rec.take()

	res := r.startWant("s1", "v1", OutcomeAssigned, "a1")
	conv := res.Conversation
	assertEqual(t, "v1 state", conv.State, store.StateOpen)
	if len(res.Messages) != 1 || res.Messages[0].Text != "hello from v1" || res.Messages[0].From != store.FromVisitor {
		t.Fatalf("v1 messages: %+v", res.Messages)
	}
	expectEvents(t, "v1 start", r.rec.take(),
		"2026-11-23T15:59:00Z Assigned v1 to=a1 state=open queue=false msgs=hello from v1")

	r.clk.Set(mon(17, 0, 1))
	expectEvents(t, "closing", r.rec.take(),
		"2026-11-23T16:00:00Z SiteStatus s1 offline outside_hours opens=2026-11-30T07:00:00Z")

	res, err := r.d.StartChat(r.ctx, StartRequest{SiteID: "s1", VisitorID: "v2", ClientID: "c1",
		Text: "are you there?", Name: "Vera", Email: "vera@example.test"})
	assertNoError(t, err)
	assertEqual(t, "v2 outcome", res.Outcome, OutcomeOffline)
	assertEqual(t, "v2 reason", res.Reason, ReasonOutsideHours)
	assertEqual(t, "v2 prefill", res.Prefill, Prefill{Text: "are you there?", Name: "Vera", Email: "vera@example.test"})
	if res.Conversation != nil {
		t.Fatalf("offline start returned a conversation: %+v", res.Conversation)
	}
	stored, err := r.st.ListConversations(r.ctx, store.ConversationFilter{VisitorID: "v2"})
	assertNoError(t, err)
	assertEqual(t, "v2 stored conversations", len(stored), 0)
	if c := r.d.VisitorConversation("v2"); c != nil {
		t.Fatalf("desk holds a conversation for v2: %+v", c)
	}

	// Long after closing, v1's conversation is still open on both sides.
	r.clk.Set(mon(19, 0, 0))
	expectEvents(t, "after hours", r.rec.take())
	assertEqual(t, "v1 stored state", r.convOf("v1").State, store.StateOpen)
	if c := r.d.Conversation(conv.ID); c == nil || c.State != store.StateOpen {
		t.Fatalf("desk conversation after hours: %+v", c)
	}
	// Only its own agent may end it.
	if _, err := r.d.EndChat(r.ctx, EndRequest{ConversationID: conv.ID, By: store.FromAgent, AgentID: "someone-else"}); !errors.Is(err, ErrNotInConversation) {
		t.Fatalf("EndChat by another agent: %v, want ErrNotInConversation", err)
	}
	ended, err := r.d.EndChat(r.ctx, EndRequest{ConversationID: conv.ID, By: store.FromAgent, AgentID: "a1"})
	assertNoError(t, err)
	assertEqual(t, "ended state", ended.State, store.StateEnded)
	assertEqual(t, "ended at", ts(*ended.EndedAt), "2026-11-23T18:00:00Z")
	expectEvents(t, "end", r.rec.take(), "2026-11-23T18:00:00Z Ended v1 state=ended by=agent")
	assertEqual(t, "v1 stored state", r.convOf("v1").State, store.StateEnded)
	if c := r.d.VisitorConversation("v1"); c != nil {
		t.Fatalf("ended conversation still in flight: %+v", c)
	}
}

// TestAssignmentRule: fewest open conversations wins, ties go to the agent assigned
// least recently; agents at max_chats, away, invisible, not serving the site or
// without a socket get nothing. The excluded agents have ids that sort first, so
// they would win every tie if they were considered.
func TestAssignmentRule(t *testing.T) {
	r := newRig(t, utc(0, 10, 0, 0))
	r.addSite(newSite("s1", schedule.AlwaysOpen()))
	r.addSite(newSite("s2", schedule.AlwaysOpen()))
	away := newAgent("a0away", 2)
	away.Presence = store.PresenceAway
	invisible := newAgent("a0invisible", 2)
	invisible.Presence = store.PresenceInvisible
	for _, a := range []*store.Agent{away, invisible, newAgent("a0other", 2, "s2"), newAgent("a0nosocket", 2),
		newAgent("a1", 2, "s1", "s2"), newAgent("a2", 2), newAgent("a3", 2, "s1")} {
		r.addAgent(a)
	}
	r.load()
	r.connect("a0away", "a0invisible", "a0other", "a1", "a2", "a3")
	r.clk.Advance(DefaultDisconnectGrace) // a0nosocket's restart grace runs out

	steps := []struct {
		do, v string
		want  string // start: agent or "queued"; end: who takes the queue head, "" nobody
	}{
		{"start", "v1", "a1"}, // 0/0/0, never assigned: the id breaks the tie
		{"start", "v2", "a2"}, // fewest
		{"start", "v3", "a3"},
		{"end", "v3", ""},     // a3 back to 0
		{"start", "v4", "a3"}, // fewest wins over "assigned least recently"
		{"start", "v5", "a1"}, // 1/1/1: a1 was assigned least recently
		{"start", "v6", "a2"}, // 2/1/1: a2 (assigned before a3)
		{"start", "v7", "a3"}, // 2/2/1
		{"start", "v8", "queued"},
		{"max a1 1", "", ""},
		{"end", "v5", ""}, // a1 has the fewest (1) but is at its new max_chats
		{"end", "v6", "a2"},
	}
	for _, s := range steps {
		r.clk.Advance(time.Second)
		r.rec.take()
		switch s.do {
		case "start":
			res := r.start("s1", s.v, "hi")
			got := res.Outcome
			if got == OutcomeAssigned {
				got = res.Conversation.AgentID
			}
			assertEqual(t, s.v+" went to", got, s.want)
		case "end":
			r.endByAgent(s.v)
			var got string
			for _, e := range only(r.rec.take(), evAssigned) {
				got += e.Conv.AgentID
			}
			assertEqual(t, "after ending "+s.v+" the queue head went to", got, s.want)
		case "max a1 1":
			a, err := r.st.UpdateAgent(r.ctx, "a1", func(a *store.Agent) error { a.MaxChats = 1; return nil })
			assertNoError(t, err)
			r.d.AgentChanged(a)
			assertEqual(t, "queue after lowering max", r.d.QueueLength("s1"), 1)
		}
	}
	// Nobody is over its max_chats, and the excluded agents have nothing.
	load := map[string]int{}
	open, err := r.st.ListConversations(r.ctx, store.ConversationFilter{State: store.StateOpen})
	assertNoError(t, err)
	for _, c := range open {
		load[c.AgentID]++
	}
	want := map[string]int{"a1": 1, "a2": 2, "a3": 2}
	if len(load) != len(want) {
		t.Fatalf("open conversations per agent: %v, want %v", load, want)
	}
	for id, n := range want {
		assertEqual(t, "open conversations of "+id, load[id], n)
	}
}

// TestStartChatIdempotent: a resend of the same chat.start gets the same answer and
// stores nothing twice; another chat.start while one is in flight is a conflict.
func TestStartChatIdempotent(t *testing.T) {
	r := newRig(t, utc(0, 10, 0, 0))
	r.addSite(newSite("s1", schedule.AlwaysOpen()))
	r.addAgent(newAgent("a1", 1))
	r.load()
	r.connect("a1")
	req := func(v, id string) StartRequest {
		return StartRequest{SiteID: "s1", VisitorID: v, ClientID: id, Text: "first words of " + v, Name: "N", Email: "n@x.test"}
	}
	countStored := func(v string, wantMsgs int) *store.Conversation {
		t.Helper()
		c := r.convOf(v)
		msgs, err := r.st.ListMessages(r.ctx, c.ID, 0, 100)
		assertNoError(t, err)
		assertEqual(t, v+" stored messages", len(msgs), wantMsgs)
		return c
	}

	first, err := r.d.StartChat(r.ctx, req("v1", "c1"))
	assertNoError(t, err)
	assertEqual(t, "v1 outcome", first.Outcome, OutcomeAssigned)
	r.rec.take()
	r.clk.Advance(5 * time.Minute)
	again, err := r.d.StartChat(r.ctx, req("v1", "c1"))
	assertNoError(t, err)
	assertEqual(t, "resend outcome", again.Outcome, OutcomeAssigned)
	assertEqual(t, "resend conversation", again.Conversation.ID, first.Conversation.ID)
	assertEqual(t, "resend agent", again.Conversation.AgentID, "a1")
	assertEqual(t, "resend messages", len(again.Messages), 1)
	expectEvents(t, "resend", r.rec.take())
	countStored("v1", 1)

	for _, id := range []string{"c2", ""} {
		if _, err := r.d.StartChat(r.ctx, req("v1", id)); !errors.Is(err, ErrConversationExists) {
			t.Fatalf("start with client id %q: %v, want ErrConversationExists", id, err)
		}
	}
	countStored("v1", 1)

	q, err := r.d.StartChat(r.ctx, req("v2", "q1"))
	assertNoError(t, err)
	assertEqual(t, "v2 outcome", q.Outcome, OutcomeQueued)
	assertEqual(t, "v2 position", q.Position, 1)
	q3, err := r.d.StartChat(r.ctx, req("v3", "q3"))
	assertNoError(t, err)
	assertEqual(t, "v3 position", q3.Position, 2)
	r.rec.take()
	q3again, err := r.d.StartChat(r.ctx, req("v3", "q3"))
	assertNoError(t, err)
	assertEqual(t, "v3 resend outcome", q3again.Outcome, OutcomeQueued)
	assertEqual(t, "v3 resend position", q3again.Position, 2)
	assertEqual(t, "v3 resend conversation", q3again.Conversation.ID, q3.Conversation.ID)
	expectEvents(t, "queued resend", r.rec.take())
	assertEqual(t, "queue length", r.d.QueueLength("s1"), 2)
	countStored("v3", 1)

	// The answer follows the conversation: once v2 is assigned, a resend says so.
	r.endByAgent("v1")
	q2again, err := r.d.StartChat(r.ctx, req("v2", "q1"))
	assertNoError(t, err)
	assertEqual(t, "v2 resend after drain", q2again.Outcome, OutcomeAssigned)
	q3again, err = r.d.StartChat(r.ctx, req("v3", "q3"))
	assertNoError(t, err)
	assertEqual(t, "v3 moved up", q3again.Position, 1)
	countStored("v2", 1)
}
