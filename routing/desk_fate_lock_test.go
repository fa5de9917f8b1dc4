package routing

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/livedesk/gateway/routing/schedule"
	"github.com/livedesk/gateway/store"
)

// fateGate holds the conversation update that would leave a conversation in state
// to (an assignment: open; a miss; an end) until released, then fails it with the
// error released or lets it through: a decision caught between its reservation and
// its record.
type fateGate struct {
	store.Store
	to      string
	entered chan struct{}
	release chan error
}

func newFateGate(r *rig, to string) *fateGate {
	g := &fateGate{Store: r.st, to: to, entered: make(chan struct{}), release: make(chan error)}
	r.st = g
	return g
}

func (g *fateGate) UpdateConversation(ctx context.Context, id string, fn func(*store.Conversation) error, out ...*store.Notification) (*store.Conversation, error) {
	cur, err := g.Store.GetConversation(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := fn(cur); err == nil && cur.State == g.to {
		g.entered <- struct{}{}
		if err := <-g.release; err != nil {
			return nil, err
		}
	}
	return g.Store.UpdateConversation(ctx, id, fn, out...)
}

// returned reports whether a call's answer came already (without waiting).
func returned[T any](c chan T) bool {
	select {
	case v := <-c:
		c <- v
		return true
	default:
		return false
	}
}

// A queued start is written outside the desk's lock and keeps its turn: while it is
// written, others are answered, an agent who frees up does not take the chat behind
// it, and once it is stored (or refused) the drain goes on in the queue's order.
func TestQueuedStartIsRecordedOutsideTheLock(t *testing.T) {
	for _, fail := range []bool{false, true} {
		name := map[bool]string{false: "write succeeds", true: "write fails"}[fail]
		t.Run(name, func(t *testing.T) {
			r := newRig(t, utc(0, 10, 0, 0))
			r.addSite(newSite("s1", schedule.AlwaysOpen()))
			r.addAgent(newAgent("a1", 1))
			g := newStartGate(r, "v1")
			r.load()
			r.connect("a1")
			r.startWant("s1", "v0", OutcomeAssigned, "a1")

			done := make(chan StartResult, 1)
			errc := make(chan error, 1)
			go func() {
				res, err := r.d.StartChat(r.ctx, StartRequest{SiteID: "s1", VisitorID: "v1", ClientID: "start-v1", Text: "first"})
				done <- res
				errc <- err
			}()
			<-g.entered // v1 has its place at the end of the queue and is being written

			assertEqual(t, "status during the write", r.status("s1").Online, true)
			assertEqual(t, "v2 behind v1", r.startWant("s1", "v2", OutcomeQueued, "").Position, 2)
			r.endByAgent("v0") // a1 is free: v1 is first, so v2 must wait
			assertEqual(t, "v2 waits for v1's turn", r.convOf("v2").State, store.StateQueued)
			r.rec.take()

			if fail {
				g.release <- errors.New("disk full")
				if err := <-errc; err == nil {
					t.Fatal("start succeeded on a failed write")
				}
				<-done
				// v1 never was; v2 is next, and gets a1 at once.
				assertEqual(t, "v2 after v1 failed", r.convOf("v2").State, store.StateOpen)
				assertEqual(t, "queue", r.d.QueueLength("s1"), 0)
				if c := r.d.VisitorConversation("v1"); c != nil {
					t.Fatalf("failed start left %+v", c)
				}
				return
			}
			g.release <- nil
			assertNoError(t, <-errc)
			got := <-done
			assertEqual(t, "v1 outcome", got.Outcome, OutcomeQueued)
			assertEqual(t, "v1 position", got.Position, 1)
			// The drain that stopped at v1 runs from a timer, after v1's answer.
			r.clk.Set(r.clk.Now())
			assertEqual(t, "v1 assigned", r.convOf("v1").State, store.StateOpen)
			assertEqual(t, "v2 still waits", r.convOf("v2").State, store.StateQueued)
			expectEvents(t, "after the write", only(r.rec.take(), evAssigned),
				"2026-11-23T10:00:00Z Assigned v1 to=a1 state=open queue=true msgs=first")
		})
	}
}

// A queued start whose site goes offline while it is written is missed at once: the
// visitor is answered with the offline form, and the store says missed.
func TestQueuedStartOnASiteThatClosedMeanwhile(t *testing.T) {
	r := newRig(t, utc(0, 10, 0, 0))
	r.addSite(newSite("s1", schedule.AlwaysOpen()))
	r.addAgent(newAgent("a1", 1))
	g := newStartGate(r, "v1")
	r.load()
	r.connect("a1")
	r.startWant("s1", "v0", OutcomeAssigned, "a1")
	done := make(chan StartResult, 1)
	go func() { done <- r.start("s1", "v1", "anyone?") }()
	<-g.entered
	r.d.AgentDisconnected("a1")
	r.clk.Advance(DefaultDisconnectGrace) // no agent: the site is offline
	assertEqual(t, "status", r.status("s1").Online, false)
	g.release <- nil
	got := <-done
	assertEqual(t, "outcome", got.Outcome, OutcomeOffline)
	assertEqual(t, "reason", got.Reason, "no_agents")
	assertEqual(t, "prefill", got.Prefill.Text, "anyone?")
	assertEqual(t, "stored state", r.convOf("v1").State, store.StateMissed)
	assertEqual(t, "queue", r.d.QueueLength("s1"), 0)
}

// An end is written outside the desk's lock: others are answered meanwhile, the
// agent's slot stays taken until the end is stored, and a second end of the same
// chat waits for the first and is told there is nothing to end. A refused end
// changes nothing.
func TestEndIsRecordedOutsideTheLock(t *testing.T) {
	for _, fail := range []bool{false, true} {
		name := map[bool]string{false: "write succeeds", true: "write fails"}[fail]
		t.Run(name, func(t *testing.T) {
			r := newRig(t, utc(0, 10, 0, 0))
			r.addSite(newSite("s1", schedule.AlwaysOpen()))
			r.addAgent(newAgent("a1", 1))
			g := newFateGate(r, store.StateEnded)
			r.load()
			r.connect("a1")
			c := r.startWant("s1", "v1", OutcomeAssigned, "a1").Conversation
			end := func() chan error {
				errc := make(chan error, 1)
				go func() {
					_, err := r.d.EndChat(r.ctx, EndRequest{ConversationID: c.ID, By: store.FromVisitor})
					errc <- err
				}()
				return errc
			}
			first := end()
			<-g.entered

			assertEqual(t, "status during the write", r.status("s1").Online, true)
			r.startWant("s1", "v2", OutcomeQueued, "") // a1's slot is still v1's
			second := end()
			if c := r.d.Conversation(c.ID); c == nil {
				t.Fatal("the chat being ended is gone before its end is stored")
			}
			if returned(second) {
				t.Fatalf("second end answered during the first: %v", <-second)
			}
			r.rec.take()

			if fail {
				g.release <- errors.New("disk full")
				if err := <-first; err == nil {
					t.Fatal("end succeeded on a failed write")
				}
				// The second end now makes its own try.
				<-g.entered
				g.release <- errors.New("disk full")
				if err := <-second; err == nil {
					t.Fatal("second end succeeded on a failed write")
				}
				assertEqual(t, "v1 stored state", r.convOf("v1").State, store.StateOpen)
				assertEqual(t, "v1 in flight", r.d.VisitorConversation("v1").State, store.StateOpen)
				assertEqual(t, "v2 still queued", r.convOf("v2").State, store.StateQueued)
				expectEvents(t, "after a failed end", only(r.rec.take(), evEnded, evAssigned))
				return
			}
			g.release <- nil
			assertNoError(t, <-first)
			if err := <-second; !errors.Is(err, ErrNotInConversation) {
				t.Fatalf("second end: %v", err)
			}
			expectEvents(t, "after the end", only(r.rec.take(), evEnded, evAssigned),
				"2026-11-23T10:00:00Z Ended v1 state=ended by=visitor",
				"2026-11-23T10:00:00Z Assigned v2 to=a1 state=open queue=true msgs=hello from v2")
		})
	}
}

// A queued chat whose end the store refuses is back at its place in the queue.
func TestQueuedEndRefusedKeepsTheChatsPlace(t *testing.T) {
	r := newRig(t, utc(0, 10, 0, 0))
	r.addSite(newSite("s1", schedule.AlwaysOpen()))
	r.addAgent(newAgent("a1", 1))
	g := newFateGate(r, store.StateEnded)
	r.load()
	r.connect("a1")
	r.startWant("s1", "v0", OutcomeAssigned, "a1")
	r.startWant("s1", "v1", OutcomeQueued, "")
	r.startWant("s1", "v2", OutcomeQueued, "")
	errc := make(chan error, 1)
	go func() {
		_, err := r.d.EndChat(r.ctx, EndRequest{ConversationID: r.convOf("v1").ID, By: store.FromVisitor})
		errc <- err
	}()
	<-g.entered
	g.release <- errors.New("disk full")
	if err := <-errc; err == nil {
		t.Fatal("end succeeded on a failed write")
	}
	assertEqual(t, "queue", r.d.QueueLength("s1"), 2)
	go func() {
		_, err := r.d.EndChat(r.ctx, EndRequest{ConversationID: r.convOf("v0").ID, By: store.FromVisitor})
		errc <- err
	}()
	<-g.entered
	g.release <- nil
	assertNoError(t, <-errc)
	assertEqual(t, "v1 first again", r.convOf("v1").State, store.StateOpen)
	assertEqual(t, "v2 after it", r.convOf("v2").State, store.StateQueued)
}

// A miss is written outside the desk's lock: the visitor's next start waits for it
// and then starts a new chat; the offline form it is given has every word it wrote.
func TestMissIsRecordedOutsideTheLock(t *testing.T) {
	t0 := utc(0, 10, 0, 0)
	r := newRig(t, t0)
	s := newSite("s1", schedule.AlwaysOpen())
	s.QueueTimeoutSeconds = 60
	r.addSite(s)
	r.addAgent(newAgent("a1", 1))
	g := newFateGate(r, store.StateMissed)
	r.load()
	r.connect("a1")
	r.startWant("s1", "v0", OutcomeAssigned, "a1")
	r.startWant("s1", "v1", OutcomeQueued, "")
	r.rec.take()

	advanced := make(chan struct{})
	go func() { r.clk.Advance(60 * time.Second); close(advanced) }()
	<-g.entered // the timeout decided the miss; the write is held

	assertEqual(t, "status during the write", r.status("s1").Online, true)
	again := make(chan StartResult, 1)
	go func() {
		res, err := r.d.StartChat(r.ctx, StartRequest{SiteID: "s1", VisitorID: "v1", ClientID: "again-v1", Text: "again"})
		assertNoError(t, err)
		again <- res
	}()
	if returned(again) {
		t.Fatal("a new start answered before the miss was stored")
	}
	g.release <- nil
	<-advanced
	res := <-again
	assertEqual(t, "new start", res.Outcome, OutcomeQueued)
	expectEvents(t, "the miss", only(r.rec.take(), evMissed),
		`2026-11-23T10:01:00Z Missed v1 state=missed reason=queue_timeout text="hello from v1" name=Name v1 email=v1@visitor.test`)
	if res.Conversation.ID == "" || res.Conversation.StartID != "again-v1" {
		t.Fatalf("new conversation: %+v", res.Conversation)
	}
}

// An assignment from the queue is written outside the desk's lock: the agent's slot
// is taken at once, others are answered, and an end of that chat waits for it.
func TestAssignmentIsRecordedOutsideTheLock(t *testing.T) {
	r := newRig(t, utc(0, 10, 0, 0))
	r.addSite(newSite("s1", schedule.AlwaysOpen()))
	r.addAgent(newAgent("a1", 1))
	r.addAgent(newAgent("a2", 1))
	r.load()
	r.connect("a1")
	r.startWant("s1", "v0", OutcomeAssigned, "a1")
	r.startWant("s1", "v1", OutcomeQueued, "")
	g := newFateGate(r, store.StateOpen)
	r.d.store = g
	r.rec.take()

	connected := make(chan error, 1)
	go func() { _, err := r.d.AgentConnected("a2"); connected <- err }()
	<-g.entered // a2 came: v1 is given to it, and the write is held

	assertEqual(t, "queue during the write", r.d.QueueLength("s1"), 0)
	ended := make(chan error, 1)
	go func() {
		_, err := r.d.EndChat(r.ctx, EndRequest{ConversationID: r.convOf("v1").ID, By: store.FromVisitor})
		ended <- err
	}()
	if returned(ended) {
		t.Fatal("the end answered during the assignment")
	}
	g.release <- nil
	assertNoError(t, <-connected)
	assertNoError(t, <-ended)
	expectEvents(t, "assigned, then ended", only(r.rec.take(), evAssigned, evEnded),
		"2026-11-23T10:00:00Z Assigned v1 to=a2 state=open queue=true msgs=hello from v1",
		"2026-11-23T10:00:00Z Ended v1 state=ended by=visitor")
}
