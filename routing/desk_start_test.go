package routing

import (
	"context"
	"errors"
	"testing"

	"github.com/livedesk/gateway/routing/schedule"
	"github.com/livedesk/gateway/store"
)

// gatedStore holds CreateConversation for one visitor until released, and then
// fails it or lets it through: a start caught between its decision and its record.
type gatedStore struct {
	store.Store
	visitor string
	entered chan struct{}
	release chan error
}

func (g *gatedStore) CreateConversation(ctx context.Context, c *store.Conversation, first ...*store.Message) error {
	if c.VisitorID == g.visitor {
		g.entered <- struct{}{}
		if err := <-g.release; err != nil {
			return err
		}
	}
	return g.Store.CreateConversation(ctx, c, first...)
}

// newStartGate puts a gatedStore for visitor's starts in front of r's store.
func newStartGate(r *rig, visitor string) *gatedStore {
	g := &gatedStore{Store: r.st, visitor: visitor, entered: make(chan struct{}), release: make(chan error)}
	r.st = g
	return g
}

// A start's store writes run outside the desk's lock: others go on meanwhile, the
// reserved start is invisible until stored, a resend is told to retry, and a failed
// write gives the agent's slot back.
func TestStartIsReservedThenRecordedOutsideTheLock(t *testing.T) {
	for _, fail := range []bool{false, true} {
		name := map[bool]string{false: "write succeeds", true: "write fails"}[fail]
		t.Run(name, func(t *testing.T) {
			r := newRig(t, utc(0, 10, 0, 0))
			r.addSite(newSite("s1", schedule.AlwaysOpen()))
			r.addAgent(newAgent("a1", 1))
			r.addAgent(newAgent("a2", 1))
			g := newStartGate(r, "v1")
			r.load()
			r.connect("a1", "a2")

			done := make(chan StartResult, 1)
			errc := make(chan error, 1)
			go func() {
				res, err := r.d.StartChat(r.ctx, StartRequest{SiteID: "s1", VisitorID: "v1", ClientID: "start-v1", Text: "first"})
				done <- res
				errc <- err
			}()
			<-g.entered // v1's start has reserved a1 (fewest chats, then id order) and is writing

			// The desk is not locked: another visitor is routed, to the other agent.
			res := r.startWant("s1", "v2", OutcomeAssigned, "a2")
			if res.Conversation.AgentID == "a1" {
				t.Fatal("a reserved slot was given away")
			}
			// The reserved start is invisible, and a resend of it must retry.
			if c := r.d.VisitorConversation("v1"); c != nil {
				t.Fatalf("pending conversation visible: %+v", c)
			}
			_, err := r.d.StartChat(r.ctx, StartRequest{SiteID: "s1", VisitorID: "v1", ClientID: "start-v1", Text: "first"})
			if !errors.Is(err, ErrStartPending) || !errors.Is(err, store.ErrUnavailable) {
				t.Fatalf("resend during the write: %v", err)
			}
			snap, err := r.d.AgentConnected("a1")
			assertNoError(t, err)
			if len(snap.Conversations) != 0 {
				t.Fatalf("agent snapshot shows the pending conversation: %+v", snap.Conversations)
			}
			r.rec.take()

			if fail {
				g.release <- errors.New("disk full")
				if err := <-errc; err == nil {
					t.Fatal("start succeeded on a failed write")
				}
				<-done
				// a1's slot is free again and v1 may start afresh.
				g.visitor = ""
				r.startWant("s1", "v3", OutcomeAssigned, "a1")
				if c := r.d.VisitorConversation("v1"); c != nil {
					t.Fatalf("failed start left %+v", c)
				}
				return
			}
			g.release <- nil
			assertNoError(t, <-errc)
			got := <-done
			assertEqual(t, "outcome", got.Outcome, OutcomeAssigned)
			assertEqual(t, "agent", got.Conversation.AgentID, "a1")
			expectEvents(t, "after the write", only(r.rec.take(), evAssigned), "2026-11-23T10:00:00Z Assigned v1 to=a1 state=open queue=false msgs=first")
			if c := r.d.VisitorConversation("v1"); c == nil || c.ID != got.Conversation.ID {
				t.Fatalf("stored start not visible: %+v", c)
			}
			// Now a resend replays.
			again := r.start("s1", "v1", "first")
			assertEqual(t, "replayed id", again.Conversation.ID, got.Conversation.ID)
		})
	}
}
