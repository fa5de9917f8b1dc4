package routing

import (
	"testing"
	"time"

	"github.com/livedesk/gateway/routing/schedule"
	"github.com/livedesk/gateway/store"
)

// hadSocket is the store's socket record of an agent.
func (r *rig) hadSocket(id string) bool {
	r.t.Helper()
	a, err := r.st.GetAgent(r.ctx, id)
	assertNoError(r.t, err)
	return a.HadSocket
}

// TestRestartGraceOnlyForAgentsThatHadASocket: a first start counts nobody (the
// site is no_agents at once); after a restart only the agents whose socket was live
// when the desk stopped are held available for the grace, and the record goes once
// the grace runs out.
func TestRestartGraceOnlyForAgentsThatHadASocket(t *testing.T) {
	t0 := utc(0, 10, 0, 0)
	r := newRig(t, t0)
	r.addSite(newSite("s1", schedule.AlwaysOpen()))
	r.addAgent(newAgent("a1", 1))
	r.addAgent(newAgent("never", 1))
	r.load()
	expectEvents(t, "first start", r.rec.take(), "2026-11-23T10:00:00Z SiteStatus s1 offline no_agents")
	assertEqual(t, "available at first start", r.d.AvailableAgents("s1", t0), 0)

	r.connect("a1")
	assertEqual(t, "a1's record once connected", r.hadSocket("a1"), true)
	assertEqual(t, "never's record", r.hadSocket("never"), false)
	r.rec.take()

	back := t0.Add(time.Minute)
	r.clk.Set(back)
	r.load() // a crash: a1's socket was live
	expectEvents(t, "restart", r.rec.take(), "2026-11-23T10:01:00Z SiteStatus s1 online open")
	assertEqual(t, "available after the restart", r.d.AvailableAgents("s1", back), 1)

	r.clk.Set(back.Add(DefaultDisconnectGrace))
	expectEvents(t, "grace over", r.rec.take(), "2026-11-23T10:01:15Z SiteStatus s1 offline no_agents")
	assertEqual(t, "a1's record after the grace", r.hadSocket("a1"), false)

	r.load() // a1 did not come back: the next start holds nobody
	expectEvents(t, "second restart", r.rec.take(), "2026-11-23T10:01:15Z SiteStatus s1 offline no_agents")
}

// TestStoppingKeepsTheSocketRecord: sockets a draining desk sees close keep their
// agents' record past the grace, so the next start gives them the restart grace; a
// socket that closes on a desk that is not stopping loses it after the grace.
func TestStoppingKeepsTheSocketRecord(t *testing.T) {
	for _, tc := range []struct {
		name     string
		stopping bool
		want     bool
	}{{"drain", true, true}, {"plain disconnect", false, false}} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, utc(0, 10, 0, 0))
			r.addSite(newSite("s1", schedule.AlwaysOpen()))
			r.addAgent(newAgent("a1", 1))
			r.load()
			r.connect("a1")
			if tc.stopping {
				r.d.Stopping()
			}
			r.d.AgentDisconnected("a1")
			r.clk.Advance(DefaultDisconnectGrace)
			assertEqual(t, "record after the grace", r.hadSocket("a1"), tc.want)
		})
	}
}

// TestHadSocketSurvivesAnAPIEdit: an edit of the agent made elsewhere (the API) does
// not lose the desk's record, and the desk still clears it after the grace.
func TestHadSocketSurvivesAnAPIEdit(t *testing.T) {
	r := newRig(t, utc(0, 10, 0, 0))
	r.addSite(newSite("s1", schedule.AlwaysOpen()))
	r.addAgent(newAgent("a1", 1))
	r.load()
	r.connect("a1")
	a, err := r.st.UpdateAgent(r.ctx, "a1", func(a *store.Agent) error { a.Name = "Renamed"; return nil })
	assertNoError(t, err)
	r.d.AgentChanged(a)
	assertEqual(t, "record after the edit", r.hadSocket("a1"), true)
	r.d.AgentDisconnected("a1")
	r.clk.Advance(DefaultDisconnectGrace)
	assertEqual(t, "record after the grace", r.hadSocket("a1"), false)
}
