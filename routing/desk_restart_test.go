package routing

import (
	"testing"
	"time"

	"github.com/livedesk/gateway/routing/schedule"
	"github.com/livedesk/gateway/store"
)

// TestRestartRestoresQueueAndLoad: a new desk on the same store gets back the queue
// in order and each agent's open count, so max_chats still holds.
func TestRestartRestoresQueueAndLoad(t *testing.T) {
	t0 := utc(0, 10, 0, 0)
	r := newRig(t, t0)
	r.addSite(newSite("s1", schedule.AlwaysOpen()))
	r.addAgent(newAgent("a1", 1))
	r.load()
	r.connect("a1")
	r.startWant("s1", "v0", OutcomeAssigned, "a1")
	r.endByAgent("v0") // ended: not in flight after the restart
	r.startWant("s1", "v1", OutcomeAssigned, "a1")
	for _, v := range []string{"v2", "v3", "v4"} {
		r.clk.Advance(time.Second)
		r.startWant("s1", v, OutcomeQueued, "")
	}

	r.clk.Set(t0.Add(time.Minute))
	r.rec.take()
	r.load() // the restart
	expectEvents(t, "load", r.rec.take(), "2026-11-23T10:01:00Z SiteStatus s1 online open")
	assertEqual(t, "queue length", r.d.QueueLength("s1"), 3)
	for i, v := range []string{"v2", "v3", "v4"} {
		res := r.start("s1", v, "resend") // the visitor's resend after its reconnect
		assertEqual(t, v+" outcome", res.Outcome, OutcomeQueued)
		assertEqual(t, v+" position", res.Position, i+1)
	}
	if c := r.d.VisitorConversation("v1"); c == nil || c.State != store.StateOpen || c.AgentID != "a1" {
		t.Fatalf("v1 after restart: %+v", c)
	}
	if c := r.d.VisitorConversation("v0"); c != nil {
		t.Fatalf("ended v0 came back: %+v", c)
	}
	// v2 ends while queued: the queue the desk rebuilt is a real one.
	_, err := r.d.EndChat(r.ctx, EndRequest{ConversationID: r.convOf("v2").ID, By: store.FromVisitor})
	assertNoError(t, err)
	r.rec.take()

	r.clk.Advance(5 * time.Second)
	snap, err := r.d.AgentConnected("a1")
	assertNoError(t, err)
	assertEqual(t, "a1's conversations", len(snap.Conversations), 1)
	assertEqual(t, "queue in the snapshot", snap.Queues["s1"], 2)
	expectEvents(t, "a1 at max_chats gets nothing", only(r.rec.take(), evAssigned))
	r.startWant("s1", "v5", OutcomeQueued, "")
	r.rec.take()

	r.clk.Advance(time.Second)
	r.endByAgent("v1")
	expectEvents(t, "drain after restart", r.rec.take(),
		"2026-11-23T10:01:06Z Ended v1 state=ended by=agent",
		"2026-11-23T10:01:06Z Assigned v3 to=a1 state=open queue=true msgs=hello from v3",
		"2026-11-23T10:01:06Z QueueLength s1 2",
		"2026-11-23T10:01:06Z QueuePosition v4 1",
		"2026-11-23T10:01:06Z QueuePosition v5 2")
}

// TestRestartGrace: after Load every agent counts as just disconnected, so the site
// does not flip to no_agents (missing its queue) before the grace is over.
func TestRestartGrace(t *testing.T) {
	t0 := utc(0, 10, 0, 0)
	r := newRig(t, t0)
	r.addSite(newSite("s1", schedule.AlwaysOpen()))
	r.addAgent(newAgent("a1", 1))
	r.load()
	r.connect("a1")
	r.startWant("s1", "v1", OutcomeAssigned, "a1")
	r.startWant("s1", "v2", OutcomeQueued, "")

	back := t0.Add(time.Minute)
	r.clk.Set(back)
	r.rec.take()
	r.load()
	expectEvents(t, "load", r.rec.take(), "2026-11-23T10:01:00Z SiteStatus s1 online open")
	r.clk.Set(back.Add(DefaultDisconnectGrace - time.Millisecond))
	expectEvents(t, "within the grace", r.rec.take())
	assertEqual(t, "status within the grace", r.status("s1").Reason, ReasonOpen)
	res := r.startWant("s1", "v3", OutcomeQueued, "") // available, but no socket yet
	assertEqual(t, "v3 position", res.Position, 2)
	r.rec.take()

	r.clk.Set(back.Add(DefaultDisconnectGrace))
	expectEvents(t, "grace over", r.rec.take(),
		"2026-11-23T10:01:15Z SiteStatus s1 offline no_agents",
		`2026-11-23T10:01:15Z Missed v2 state=missed reason=no_agents text="hello from v2" name=Name v2 email=v2@visitor.test`,
		`2026-11-23T10:01:15Z Missed v3 state=missed reason=no_agents text="hello from v3" name=Name v3 email=v3@visitor.test`,
		"2026-11-23T10:01:15Z QueueLength s1 0")
	assertEqual(t, "v1 stays open", r.convOf("v1").State, store.StateOpen)
}

// TestRestartReconnectInGrace: an agent back within the grace changes nothing.
func TestRestartReconnectInGrace(t *testing.T) {
	r := newRig(t, utc(0, 10, 0, 0))
	r.addSite(newSite("s1", schedule.AlwaysOpen()))
	r.addAgent(newAgent("a1", 2))
	r.load()
	r.connect("a1")
	r.startWant("s1", "v1", OutcomeAssigned, "a1")
	r.rec.take()
	r.load()
	r.rec.take()
	r.clk.Advance(10 * time.Second)
	r.connect("a1")
	r.clk.Advance(time.Hour)
	expectEvents(t, "reconnected in time", r.rec.take())
	r.startWant("s1", "v2", OutcomeAssigned, "a1")
}

// TestRestartTimers: a queue timeout and a closing time that fall after the restart
// still fire at their instant; a closing time that passed while the desk was down
// misses the queue at Load.
func TestRestartTimers(t *testing.T) {
	t.Run("queue timeout", func(t *testing.T) {
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
		r.clk.Set(t0.Add(30 * time.Second))
		r.load()
		r.connect("a1")
		r.rec.take()
		runSteps(t, r, []string{evMissed}, []step{
			{t0.Add(59 * time.Second), nil},
			{t0.Add(60 * time.Second), []string{`2026-11-23T10:01:00Z Missed v2 state=missed reason=queue_timeout text="hello from v2" name=Name v2 email=v2@visitor.test`}},
		})
	})
	t.Run("closed while down", func(t *testing.T) {
		r := newRig(t, mon(16, 58, 0))
		r.addSite(newSite("s1", mondays("Europe/Paris", iv("08:00", "17:00"))))
		r.addAgent(newAgent("a1", 1))
		r.load()
		r.connect("a1")
		r.startWant("s1", "v1", OutcomeAssigned, "a1")
		r.startWant("s1", "v2", OutcomeQueued, "")
		r.rec.take()
		r.d.Close() // down before 17:00...
		r.clk.Set(mon(17, 5, 0))
		expectEvents(t, "a closed desk does nothing", r.rec.take())
		r.load() // ...and back after
		expectEvents(t, "load", r.rec.take(),
			"2026-11-23T16:05:00Z SiteStatus s1 offline outside_hours opens=2026-11-30T07:00:00Z",
			`2026-11-23T16:05:00Z Missed v2 state=missed reason=outside_hours text="hello from v2" name=Name v2 email=v2@visitor.test`,
			"2026-11-23T16:05:00Z QueueLength s1 0")
		assertEqual(t, "v1 stays open", r.convOf("v1").State, store.StateOpen)
	})
}

// TestRestartKeepsAssignmentRecency: ties still go to the agent assigned least
// recently after a restart, as far as the open conversations tell.
func TestRestartKeepsAssignmentRecency(t *testing.T) {
	r := newRig(t, utc(0, 10, 0, 0))
	r.addSite(newSite("s1", schedule.AlwaysOpen()))
	r.addAgent(newAgent("a1", 2))
	r.addAgent(newAgent("a2", 2))
	r.load()
	r.connect("a1", "a2")
	r.startWant("s1", "v1", OutcomeAssigned, "a1")
	r.clk.Advance(time.Second)
	r.startWant("s1", "v2", OutcomeAssigned, "a2")
	r.endByAgent("v1")
	r.clk.Advance(time.Second)
	r.startWant("s1", "v3", OutcomeAssigned, "a1") // a1: 1 open, assigned last
	r.load()
	r.connect("a1", "a2")
	r.clk.Advance(time.Second)
	r.startWant("s1", "v4", OutcomeAssigned, "a2")
}
