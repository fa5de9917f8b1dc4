package routing

import (
	"testing"
	"time"

	"github.com/livedesk/gateway/routing/schedule"
	"github.com/livedesk/gateway/store"
)

// appendVisitor stores one more line of visitor v (what the hub does for a message
// frame while the chat waits).
func (r *rig) appendLine(v, from, text string) {
	r.t.Helper()
	_, _, err := r.st.AppendMessage(r.ctx, &store.Message{ConversationID: r.convOf(v).ID, From: from, Text: text, At: r.clk.Now()})
	assertNoError(r.t, err)
}

// TestQueueFIFO: with every agent full, chats queue in order; freed capacity takes
// the head (with its transcript), and everyone behind moves up.
func TestQueueFIFO(t *testing.T) {
	r := newRig(t, utc(0, 10, 0, 0))
	r.addSite(newSite("s1", schedule.AlwaysOpen()))
	r.addAgent(newAgent("a1", 1))
	r.addAgent(newAgent("a2", 1))
	r.load()
	r.connect("a1", "a2")
	r.startWant("s1", "v1", OutcomeAssigned, "a1")
	r.startWant("s1", "v2", OutcomeAssigned, "a2")
	r.rec.take()

	for i, v := range []string{"v3", "v4", "v5"} {
		res := r.startWant("s1", v, OutcomeQueued, "")
		assertEqual(t, v+" position", res.Position, i+1)
		assertEqual(t, v+" state", res.Conversation.State, store.StateQueued)
		assertEqual(t, v+" stored state", r.convOf(v).State, store.StateQueued)
	}
	expectEvents(t, "queueing", r.rec.take(),
		"2026-11-23T10:00:00Z QueueLength s1 1",
		"2026-11-23T10:00:00Z QueueLength s1 2",
		"2026-11-23T10:00:00Z QueueLength s1 3")
	r.appendLine("v3", store.FromVisitor, "still there?")

	r.clk.Advance(time.Minute)
	r.endByAgent("v1")
	expectEvents(t, "a1 ends v1", r.rec.take(),
		"2026-11-23T10:01:00Z Ended v1 state=ended by=agent",
		"2026-11-23T10:01:00Z Assigned v3 to=a1 state=open queue=true msgs=hello from v3|still there?",
		"2026-11-23T10:01:00Z QueueLength s1 2",
		"2026-11-23T10:01:00Z QueuePosition v4 1",
		"2026-11-23T10:01:00Z QueuePosition v5 2")
	c3 := r.convOf("v3")
	assertEqual(t, "v3 stored state", c3.State, store.StateOpen)
	assertEqual(t, "v3 stored agent", c3.AgentID, "a1")
	assertEqual(t, "v3 assigned at", ts(*c3.AssignedAt), "2026-11-23T10:01:00Z")

	res := r.startWant("s1", "v6", OutcomeQueued, "")
	assertEqual(t, "v6 position", res.Position, 3)
	r.rec.take()

	// A visitor who gives up leaves the line; those behind move up.
	r.clk.Advance(time.Minute)
	_, err := r.d.EndChat(r.ctx, EndRequest{ConversationID: r.convOf("v4").ID, By: store.FromVisitor})
	assertNoError(t, err)
	expectEvents(t, "v4 leaves", r.rec.take(),
		"2026-11-23T10:02:00Z Ended v4 state=ended by=visitor",
		"2026-11-23T10:02:00Z QueueLength s1 2",
		"2026-11-23T10:02:00Z QueuePosition v5 1",
		"2026-11-23T10:02:00Z QueuePosition v6 2")

	r.clk.Advance(time.Minute)
	r.endByAgent("v2")
	expectEvents(t, "a2 ends v2", r.rec.take(),
		"2026-11-23T10:03:00Z Ended v2 state=ended by=agent",
		"2026-11-23T10:03:00Z Assigned v5 to=a2 state=open queue=true msgs=hello from v5",
		"2026-11-23T10:03:00Z QueueLength s1 1",
		"2026-11-23T10:03:00Z QueuePosition v6 1")

	r.clk.Advance(time.Minute)
	_, err = r.d.EndChat(r.ctx, EndRequest{ConversationID: r.convOf("v5").ID, By: store.FromVisitor})
	assertNoError(t, err)
	expectEvents(t, "v5 ends its open chat", r.rec.take(),
		"2026-11-23T10:04:00Z Ended v5 state=ended by=visitor",
		"2026-11-23T10:04:00Z Assigned v6 to=a2 state=open queue=true msgs=hello from v6",
		"2026-11-23T10:04:00Z QueueLength s1 0")
	assertEqual(t, "queue length", r.d.QueueLength("s1"), 0)
}

// TestQueueMissedAtClosing: queued chats become missed at the closing instant, with
// every visitor line they wrote as prefill; open ones stay open.
func TestQueueMissedAtClosing(t *testing.T) {
	r := newRig(t, mon(16, 40, 0))
	r.addSite(newSite("s1", mondays("Europe/Paris", iv("08:00", "17:00"))))
	r.addAgent(newAgent("a1", 1))
	r.load()
	r.connect("a1")
	r.startWant("s1", "v1", OutcomeAssigned, "a1")
	r.startWant("s1", "v2", OutcomeQueued, "")
	r.clk.Advance(time.Minute)
	r.startWant("s1", "v3", OutcomeQueued, "")
	r.appendLine("v2", store.FromVisitor, "second line")
	r.appendLine("v2", store.FromSystem, "you are number 1")
	r.appendLine("v2", store.FromVisitor, "third line")
	r.rec.take()

	r.clk.Set(mon(16, 59, 59))
	expectEvents(t, "before closing", r.rec.take())
	r.clk.Advance(time.Second)
	expectEvents(t, "closing", r.rec.take(),
		"2026-11-23T16:00:00Z SiteStatus s1 offline outside_hours opens=2026-11-30T07:00:00Z",
		`2026-11-23T16:00:00Z Missed v2 state=missed reason=outside_hours text="hello from v2\nsecond line\nthird line" name=Name v2 email=v2@visitor.test`,
		`2026-11-23T16:00:00Z Missed v3 state=missed reason=outside_hours text="hello from v3" name=Name v3 email=v3@visitor.test`,
		"2026-11-23T16:00:00Z QueueLength s1 0")
	for v, want := range map[string]string{"v1": store.StateOpen, "v2": store.StateMissed, "v3": store.StateMissed} {
		assertEqual(t, v+" stored state", r.convOf(v).State, want)
	}
	assertEqual(t, "v2 ended at", ts(*r.convOf("v2").EndedAt), "2026-11-23T16:00:00Z")
	if c := r.d.VisitorConversation("v2"); c != nil {
		t.Fatalf("missed chat still in flight: %+v", c)
	}
	assertEqual(t, "queue length", r.d.QueueLength("s1"), 0)
	// The visitor may try again: now it gets the offline form.
	assertEqual(t, "v2 again", r.start("s1", "v2", "again").Outcome, OutcomeOffline)
}

// TestQueueTimeout: a chat that waits queue_timeout_seconds is missed at exactly that
// instant, not before; one assigned in time is not.
func TestQueueTimeout(t *testing.T) {
	t0 := utc(0, 10, 0, 0)
	r := newRig(t, t0)
	s := newSite("s1", schedule.AlwaysOpen())
	s.QueueTimeoutSeconds = 60
	r.addSite(s)
	r.addAgent(newAgent("a1", 1))
	r.load()
	r.connect("a1")
	r.startWant("s1", "v1", OutcomeAssigned, "a1")
	r.startWant("s1", "v2", OutcomeQueued, "")
	r.clk.Advance(30 * time.Second)
	r.startWant("s1", "v3", OutcomeQueued, "")
	r.appendLine("v3", store.FromVisitor, "hurry")
	r.rec.take()

	runSteps(t, r, nil, []step{
		{t0.Add(59 * time.Second), nil},
		{t0.Add(60 * time.Second), []string{
			`2026-11-23T10:01:00Z Missed v2 state=missed reason=queue_timeout text="hello from v2" name=Name v2 email=v2@visitor.test`,
			"2026-11-23T10:01:00Z QueueLength s1 1",
			"2026-11-23T10:01:00Z QueuePosition v3 1",
		}},
		{t0.Add(89 * time.Second), nil},
		{t0.Add(90 * time.Second), []string{
			`2026-11-23T10:01:30Z Missed v3 state=missed reason=queue_timeout text="hello from v3\nhurry" name=Name v3 email=v3@visitor.test`,
			"2026-11-23T10:01:30Z QueueLength s1 0",
		}},
	})
	assertEqual(t, "v2 stored state", r.convOf("v2").State, store.StateMissed)
	assertEqual(t, "v3 stored state", r.convOf("v3").State, store.StateMissed)

	// Assigned before its timeout: no miss later.
	r.clk.Set(t0.Add(100 * time.Second))
	r.startWant("s1", "v4", OutcomeQueued, "")
	r.clk.Set(t0.Add(130 * time.Second))
	r.endByAgent("v1")
	r.rec.take()
	r.clk.Set(t0.Add(10 * time.Minute))
	expectEvents(t, "after the drain", r.rec.take())
	assertEqual(t, "v4 stored state", r.convOf("v4").State, store.StateOpen)
}

// TestQueueAssignFailure: when the store cannot record an assignment, the chat stays
// at the head of the queue (the desk does not spin retrying with its lock held); a
// chat that starts meanwhile does not jump the line, and gives the head another try.
func TestQueueAssignFailure(t *testing.T) {
	r := newRig(t, utc(0, 10, 0, 0))
	fs := &failingStore{Store: r.st}
	r.st = fs
	r.addSite(newSite("s1", schedule.AlwaysOpen()))
	r.addAgent(newAgent("a1", 1))
	r.addAgent(newAgent("a2", 1))
	r.load()
	r.connect("a1")
	r.startWant("s1", "v1", OutcomeAssigned, "a1")
	r.startWant("s1", "v2", OutcomeQueued, "")
	r.rec.take()

	fs.setFail(true)
	r.clk.Advance(time.Second)
	r.endByAgent("v1")
	assertEqual(t, "assignment attempts", fs.attemptsSoFar(), 1)
	expectEvents(t, "failed drain", only(r.rec.take(), evAssigned))
	assertEqual(t, "v2 stored state", r.convOf("v2").State, store.StateQueued)
	assertEqual(t, "queue length", r.d.QueueLength("s1"), 1)

	res := r.startWant("s1", "v3", OutcomeQueued, "") // a1 is free, but v2 is first
	assertEqual(t, "v3 position", res.Position, 2)
	assertEqual(t, "assignment attempts", fs.attemptsSoFar(), 2)

	fs.setFail(false)
	r.clk.Advance(time.Second)
	res = r.startWant("s1", "v4", OutcomeQueued, "")
	assertEqual(t, "v4 position", res.Position, 2)
	expectEvents(t, "retried at the next start", only(r.rec.take(), evAssigned),
		"2026-11-23T10:00:02Z Assigned v2 to=a1 state=open queue=true msgs=hello from v2")

	r.clk.Advance(time.Second)
	r.connect("a2")
	expectEvents(t, "drain", only(r.rec.take(), evAssigned),
		"2026-11-23T10:00:03Z Assigned v3 to=a2 state=open queue=true msgs=hello from v3")
}
