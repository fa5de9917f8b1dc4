package routing

import (
	"testing"
	"time"

	"github.com/livedesk/gateway/routing/schedule"
	"github.com/livedesk/gateway/store"
)

func (r *rig) setPresence(agent, status string) {
	r.t.Helper()
	p, err := r.d.SetPresence(r.ctx, agent, status, PresenceReasonManual)
	assertNoError(r.t, err)
	assertEqual(r.t, "presence returned", p, Presence{Status: status, Reason: PresenceReasonManual})
}

// TestPresenceChangesStatusAtOnce: the only agent going away or invisible makes the
// site no_agents at that instant (its queued chats are missed, its open one stays);
// coming back online opens it again.
func TestPresenceChangesStatusAtOnce(t *testing.T) {
	for _, status := range []string{store.PresenceAway, store.PresenceInvisible} {
		t.Run(status, func(t *testing.T) {
			r := newRig(t, utc(0, 10, 0, 0))
			r.addSite(newSite("s1", schedule.AlwaysOpen()))
			r.addAgent(newAgent("a1", 1))
			r.load()
			r.connect("a1")
			r.startWant("s1", "v1", OutcomeAssigned, "a1")
			r.startWant("s1", "v2", OutcomeQueued, "")
			r.rec.take()

			r.clk.Advance(time.Minute)
			r.setPresence("a1", status)
			expectEvents(t, status, r.rec.take(),
				"2026-11-23T10:01:00Z Presence a1 "+status+"/manual",
				"2026-11-23T10:01:00Z SiteStatus s1 offline no_agents",
				`2026-11-23T10:01:00Z Missed v2 state=missed reason=no_agents text="hello from v2" name=Name v2 email=v2@visitor.test`,
				"2026-11-23T10:01:00Z QueueLength s1 0")
			a, err := r.st.GetAgent(r.ctx, "a1")
			assertNoError(t, err)
			assertEqual(t, "stored presence", a.Presence, status)
			assertEqual(t, "v1 stays open", r.convOf("v1").State, store.StateOpen)
			res := r.start("s1", "v3", "hi")
			assertEqual(t, "v3 outcome", res.Outcome, OutcomeOffline)
			assertEqual(t, "v3 reason", res.Reason, ReasonNoAgents)

			r.clk.Advance(time.Minute)
			r.setPresence("a1", store.PresenceOnline)
			expectEvents(t, "online", r.rec.take(),
				"2026-11-23T10:02:00Z Presence a1 online/manual",
				"2026-11-23T10:02:00Z SiteStatus s1 online open")
			// Setting the same presence again changes nothing.
			r.setPresence("a1", store.PresenceOnline)
			expectEvents(t, "same again", r.rec.take())
		})
	}
}

// TestIdle: idle_minutes without activity sends the agent away (idle) at exactly
// its last activity plus idle_minutes; activity moves that deadline and brings an
// idle agent back; a manual away or invisible is left alone.
func TestIdle(t *testing.T) {
	t0 := utc(0, 10, 0, 0)
	type act struct {
		at   time.Duration // after t0
		do   string        // "", "activity", or a presence to set manually
		want []string      // Presence events up to then
	}
	m := func(mins, secs int) time.Duration {
		return time.Duration(mins)*time.Minute + time.Duration(secs)*time.Second
	}
	cases := []struct {
		name string
		acts []act
	}{
		{"no activity", []act{
			{m(14, 59), "", nil},
			{m(15, 0), "", []string{"2026-11-23T10:15:00Z Presence a1 away/idle"}},
		}},
		{"activity moves the deadline", []act{
			{m(10, 0), "activity", nil},
			{m(15, 0), "", nil},
			{m(24, 59), "", nil},
			{m(25, 0), "", []string{"2026-11-23T10:25:00Z Presence a1 away/idle"}},
		}},
		{"activity brings an idle agent back", []act{
			{m(15, 0), "", []string{"2026-11-23T10:15:00Z Presence a1 away/idle"}},
			{m(20, 0), "activity", []string{"2026-11-23T10:20:00Z Presence a1 online/active"}},
			{m(34, 59), "", nil},
			{m(35, 0), "", []string{"2026-11-23T10:35:00Z Presence a1 away/idle"}},
		}},
		{"manual away is not undone by activity", []act{
			{m(5, 0), store.PresenceAway, []string{"2026-11-23T10:05:00Z Presence a1 away/manual"}},
			{m(20, 0), "", nil},
			{m(21, 0), "activity", nil},
			{m(60, 0), "", nil},
		}},
		{"invisible is not idled nor undone", []act{
			{m(1, 0), store.PresenceInvisible, []string{"2026-11-23T10:01:00Z Presence a1 invisible/manual"}},
			{m(16, 0), "activity", nil},
			{m(40, 0), "", nil},
		}},
		{"idle goes on after a manual away ends", []act{
			{m(5, 0), store.PresenceAway, []string{"2026-11-23T10:05:00Z Presence a1 away/manual"}},
			{m(30, 0), store.PresenceOnline, []string{"2026-11-23T10:30:00Z Presence a1 online/manual"}},
			{m(44, 59), "", nil},
			{m(45, 0), "", []string{"2026-11-23T10:45:00Z Presence a1 away/idle"}},
		}},
		{"idle agent set away by hand stays away", []act{
			{m(15, 0), "", []string{"2026-11-23T10:15:00Z Presence a1 away/idle"}},
			{m(16, 0), store.PresenceAway, []string{"2026-11-23T10:16:00Z Presence a1 away/manual"}},
			{m(17, 0), "activity", nil},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t, t0)
			r.addSite(newSite("s1", schedule.AlwaysOpen()))
			a := newAgent("a1", 2)
			a.IdleMinutes = 15
			r.addAgent(a)
			r.load()
			r.connect("a1")
			r.rec.take()
			for _, x := range c.acts {
				r.clk.Set(t0.Add(x.at))
				switch x.do {
				case "":
				case "activity":
					r.d.Activity("a1")
				default:
					r.setPresence("a1", x.do)
				}
				expectEvents(t, "at +"+x.at.String()+" "+x.do, only(r.rec.take(), evPresence), x.want...)
			}
		})
	}
}

// TestIdleMakesSiteNoAgents: going idle is a presence change like any other.
func TestIdleMakesSiteNoAgents(t *testing.T) {
	r := newRig(t, utc(0, 10, 0, 0))
	r.addSite(newSite("s1", schedule.AlwaysOpen()))
	a := newAgent("a1", 2)
	a.IdleMinutes = 15
	r.addAgent(a)
	r.load()
	r.connect("a1")
	r.rec.take()
	r.clk.Advance(15 * time.Minute)
	expectEvents(t, "idle", r.rec.take(),
		"2026-11-23T10:15:00Z Presence a1 away/idle",
		"2026-11-23T10:15:00Z SiteStatus s1 offline no_agents")
	r.clk.Advance(time.Minute)
	r.d.Activity("a1")
	expectEvents(t, "active", r.rec.take(),
		"2026-11-23T10:16:00Z Presence a1 online/active",
		"2026-11-23T10:16:00Z SiteStatus s1 online open")
}

// TestDisconnectGrace: an agent that lost its last socket stays available for
// DefaultDisconnectGrace; chats started meanwhile queue (no live socket to take them)
// and go to it if it comes back in time.
func TestDisconnectGrace(t *testing.T) {
	t0 := utc(0, 10, 0, 0)
	lost := t0.Add(time.Minute)
	setup := func(t *testing.T) *rig {
		r := newRig(t, t0)
		r.addSite(newSite("s1", schedule.AlwaysOpen()))
		r.addAgent(newAgent("a1", 2))
		r.load()
		r.connect("a1")
		r.rec.take()
		r.clk.Set(lost)
		r.d.AgentDisconnected("a1")
		r.clk.Set(lost.Add(5 * time.Second))
		res := r.startWant("s1", "v1", OutcomeQueued, "")
		assertEqual(t, "v1 position", res.Position, 1)
		expectEvents(t, "during grace", r.rec.take(), "2026-11-23T10:01:05Z QueueLength s1 1")
		assertEqual(t, "available during grace", r.d.AvailableAgents("s1", r.clk.Now()), 1)
		return r
	}

	t.Run("expires", func(t *testing.T) {
		r := setup(t)
		r.clk.Set(lost.Add(DefaultDisconnectGrace - time.Millisecond))
		expectEvents(t, "just before", r.rec.take())
		assertEqual(t, "still online", r.status("s1").Reason, ReasonOpen)
		r.clk.Set(lost.Add(DefaultDisconnectGrace))
		expectEvents(t, "grace over", r.rec.take(),
			"2026-11-23T10:01:15Z SiteStatus s1 offline no_agents",
			`2026-11-23T10:01:15Z Missed v1 state=missed reason=no_agents text="hello from v1" name=Name v1 email=v1@visitor.test`,
			"2026-11-23T10:01:15Z QueueLength s1 0")
		// Coming back later opens the site again.
		r.clk.Advance(time.Minute)
		r.connect("a1")
		expectEvents(t, "back", r.rec.take(), "2026-11-23T10:02:15Z SiteStatus s1 online open")
	})

	t.Run("reconnect in time", func(t *testing.T) {
		r := setup(t)
		r.clk.Set(lost.Add(10 * time.Second))
		r.connect("a1")
		expectEvents(t, "reconnect", r.rec.take(),
			"2026-11-23T10:01:10Z Assigned v1 to=a1 state=open queue=true msgs=hello from v1",
			"2026-11-23T10:01:10Z QueueLength s1 0")
		r.clk.Set(lost.Add(time.Hour))
		expectEvents(t, "the old grace timer is gone", r.rec.take())
		assertEqual(t, "v1 stored state", r.convOf("v1").State, store.StateOpen)
	})
}

// TestSecondSocket: losing one of two sockets changes nothing.
func TestSecondSocket(t *testing.T) {
	r := newRig(t, utc(0, 10, 0, 0))
	r.addSite(newSite("s1", schedule.AlwaysOpen()))
	r.addAgent(newAgent("a1", 2))
	r.load()
	r.connect("a1", "a1")
	r.d.AgentDisconnected("a1")
	r.rec.take()
	r.clk.Advance(time.Minute)
	expectEvents(t, "one socket left", r.rec.take())
	r.startWant("s1", "v1", OutcomeAssigned, "a1")
	r.d.AgentDisconnected("a1")
	r.d.AgentDisconnected("a1") // one too many: ignored
	r.clk.Advance(DefaultDisconnectGrace)
	expectEvents(t, "last socket gone", only(r.rec.take(), evSiteStatus),
		"2026-11-23T10:01:15Z SiteStatus s1 offline no_agents")
	r.connect("a1")
	expectEvents(t, "one reconnect is enough", only(r.rec.take(), evSiteStatus),
		"2026-11-23T10:01:15Z SiteStatus s1 online open")
}
