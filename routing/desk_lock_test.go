package routing

import (
	"context"
	"testing"

	"github.com/livedesk/gateway/routing/schedule"
	"github.com/livedesk/gateway/store"
)

// agentGate holds the agent writes (UpdateAgent) of the store until released: a
// write caught while it is made.
type agentGate struct {
	store.Store
	entered chan struct{}
	release chan struct{}
}

func (g *agentGate) UpdateAgent(ctx context.Context, id string, fn func(*store.Agent) error) (*store.Agent, error) {
	g.entered <- struct{}{}
	<-g.release
	return g.Store.UpdateAgent(ctx, id, fn)
}

func newAgentGateRig(t *testing.T) (*rig, *agentGate) {
	r := newRig(t, utc(0, 10, 0, 0))
	r.addSite(newSite("s1", schedule.AlwaysOpen()))
	r.addAgent(newAgent("a1", 1))
	r.addAgent(newAgent("a2", 1))
	g := &agentGate{Store: r.st, entered: make(chan struct{}), release: make(chan struct{})}
	r.st = g
	r.load()
	return r, g
}

// The desk answers while an agent's socket record is written: the write comes after
// the lock. A disconnect and a grace that runs out during that write leave the store
// with the last record decided (no socket), not the one being written.
func TestSocketRecordIsWrittenOutsideTheLock(t *testing.T) {
	r, g := newAgentGateRig(t)
	connected := make(chan error, 1)
	go func() { _, err := r.d.AgentConnected("a1"); connected <- err }()
	<-g.entered // a1's record (had a socket) is being written

	// The desk is not locked: its decisions go on.
	assertEqual(t, "status during the write", r.status("s1").Online, true)
	r.startWant("s1", "v1", OutcomeAssigned, "a1")
	r.d.AgentDisconnected("a1")
	r.clk.Advance(DefaultDisconnectGrace) // grace over: no socket is decided
	assertEqual(t, "status after the grace", r.status("s1").Online, false)

	g.release <- struct{}{} // the first write completes ...
	<-g.entered             // ... and the flush stores the last decision
	g.release <- struct{}{}
	assertNoError(t, <-connected)
	a, err := r.st.GetAgent(r.ctx, "a1")
	assertNoError(t, err)
	assertEqual(t, "a1's record in the end", a.HadSocket, false)
}

// SetPresence writes the store without the desk's lock, and two calls for one agent
// are stored and applied in the same order.
func TestPresenceIsWrittenOutsideTheLock(t *testing.T) {
	r, g := newAgentGateRig(t)
	type answer struct {
		p   Presence
		err error
	}
	first, second := make(chan answer, 1), make(chan answer, 1)
	go func() {
		p, err := r.d.SetPresence(r.ctx, "a1", store.PresenceAway, PresenceReasonManual)
		first <- answer{p, err}
	}()
	<-g.entered // the first write is being made

	// The desk is not locked. A second call for a1 meanwhile: the answers, the
	// store and the desk's events come in the order of the calls.
	assertEqual(t, "a2's copy during the write", r.d.Agent("a2").ID, "a2")
	go func() {
		p, err := r.d.SetPresence(r.ctx, "a1", store.PresenceOnline, PresenceReasonManual)
		second <- answer{p, err}
	}()
	g.release <- struct{}{}
	a1 := <-first
	assertNoError(t, a1.err)
	assertEqual(t, "first answer", a1.p.Status, store.PresenceAway)
	<-g.entered
	g.release <- struct{}{}
	a2 := <-second
	assertNoError(t, a2.err)
	assertEqual(t, "second answer", a2.p.Status, store.PresenceOnline)

	stored, err := r.st.GetAgent(r.ctx, "a1")
	assertNoError(t, err)
	assertEqual(t, "stored presence", stored.Presence, store.PresenceOnline)
	assertEqual(t, "desk's copy", r.d.Agent("a1").Presence, store.PresenceOnline)
	expectEvents(t, "presence", only(r.rec.take(), evPresence),
		"2026-11-23T10:00:00Z Presence a1 away/manual", "2026-11-23T10:00:00Z Presence a1 online/manual")
}
