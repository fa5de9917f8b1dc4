package routing

import (
	"testing"
	"time"

	"github.com/livedesk/gateway/routing/schedule"
	"github.com/livedesk/gateway/store"
)

// step moves the fake clock to an instant and lists the events that must have been
// recorded on the way (and only those).
type step struct {
	to   time.Time
	want []string
}

func runSteps(t *testing.T, r *rig, kinds []string, steps []step) {
	t.Helper()
	for _, s := range steps {
		r.clk.Set(s.to)
		evs := r.rec.take()
		if kinds != nil {
			evs = only(evs, kinds...)
		}
		expectEvents(t, "up to "+ts(s.to), evs, s.want...)
	}
}

// TestStatusAtScheduleBoundaries: status events come at each boundary's exact
// instant, only when the open period really ends (not at an internal boundary of
// touching intervals), and closing_soon comes closing_soon_minutes before the end of
// the merged period.
func TestStatusAtScheduleBoundaries(t *testing.T) {
	nextMon := func(h, m, s int) time.Time { return mon(h, m, s).AddDate(0, 0, 7) }
	cases := []struct {
		name  string
		hours schedule.Schedule
		steps []step
	}{
		{"lunch break", mondays("Europe/Paris", iv("08:00", "12:00"), iv("13:00", "17:00")), []step{
			{mon(7, 59, 59), nil},
			{mon(8, 0, 0), []string{"2026-11-23T07:00:00Z SiteStatus s1 online open closes=2026-11-23T11:00:00Z"}},
			{mon(11, 49, 59), nil},
			{mon(11, 50, 0), []string{"2026-11-23T10:50:00Z ClosingSoon s1 closes=2026-11-23T11:00:00Z"}},
			{mon(11, 59, 59), nil},
			{mon(12, 0, 0), []string{"2026-11-23T11:00:00Z SiteStatus s1 offline outside_hours opens=2026-11-23T12:00:00Z"}},
			{mon(12, 59, 59), nil},
			{mon(13, 0, 0), []string{"2026-11-23T12:00:00Z SiteStatus s1 online open closes=2026-11-23T16:00:00Z"}},
			{mon(16, 49, 59), nil},
			{mon(16, 50, 0), []string{"2026-11-23T15:50:00Z ClosingSoon s1 closes=2026-11-23T16:00:00Z"}},
			{mon(16, 59, 59), nil},
			{mon(17, 0, 0), []string{"2026-11-23T16:00:00Z SiteStatus s1 offline outside_hours opens=2026-11-30T07:00:00Z"}},
			{nextMon(7, 59, 59), nil},
			{nextMon(8, 0, 0), []string{"2026-11-30T07:00:00Z SiteStatus s1 online open closes=2026-11-30T11:00:00Z"}},
		}},
		{"touching intervals are one period", mondays("Europe/Paris", iv("08:00", "12:00"), iv("12:00", "17:00")), []step{
			{mon(8, 0, 0), []string{"2026-11-23T07:00:00Z SiteStatus s1 online open closes=2026-11-23T16:00:00Z"}},
			{mon(11, 50, 0), nil},
			{mon(12, 0, 0), nil},
			{mon(13, 0, 0), nil},
			{mon(16, 49, 59), nil},
			{mon(16, 50, 0), []string{"2026-11-23T15:50:00Z ClosingSoon s1 closes=2026-11-23T16:00:00Z"}},
			{mon(16, 59, 59), nil},
			{mon(17, 0, 0), []string{"2026-11-23T16:00:00Z SiteStatus s1 offline outside_hours opens=2026-11-30T07:00:00Z"}},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t, mon(7, 30, 0))
			s := newSite("s1", c.hours)
			s.ClosingSoonMinutes = 10
			r.addSite(s)
			r.addAgent(newAgent("a1", 2))
			r.load()
			r.connect("a1")
			expectEvents(t, "load", r.rec.take(),
				"2026-11-23T06:30:00Z SiteStatus s1 offline outside_hours opens=2026-11-23T07:00:00Z")
			runSteps(t, r, nil, c.steps)
		})
	}
}

// TestStatusExactInstantByAdvance: the same boundary driven by Advance one second at
// a time: nothing at 16:59:59, one event stamped 17:00:00.
func TestStatusExactInstantByAdvance(t *testing.T) {
	r := newRig(t, mon(16, 59, 0))
	r.addSite(newSite("s1", mondays("Europe/Paris", iv("08:00", "12:00"), iv("13:00", "17:00"))))
	r.addAgent(newAgent("a1", 2))
	r.load()
	r.connect("a1")
	r.rec.take()
	r.clk.Advance(59 * time.Second)
	expectEvents(t, "16:59:59", r.rec.take())
	assertEqual(t, "online at 16:59:59", r.status("s1").Online, true)
	r.clk.Advance(time.Second)
	expectEvents(t, "17:00:00", r.rec.take(),
		"2026-11-23T16:00:00Z SiteStatus s1 offline outside_hours opens=2026-11-30T07:00:00Z")
}

// TestClosingSoonNotLostToAnotherTimerAtTheSameInstant: a refresh of the site at the
// very instant the closing-soon notice is due (here: an agent going idle at 16:50)
// must not swallow the notice, and a later refresh must not repeat it.
func TestClosingSoonNotLostToAnotherTimerAtTheSameInstant(t *testing.T) {
	r := newRig(t, mon(16, 0, 0))
	s := newSite("s1", mondays("Europe/Paris", iv("08:00", "17:00")))
	s.ClosingSoonMinutes = 10
	r.addSite(s)
	idler := newAgent("a1", 2)
	idler.IdleMinutes = 15
	r.addAgent(idler)
	r.addAgent(newAgent("a2", 2))
	r.load()
	r.connect("a2")
	r.clk.Set(mon(16, 35, 0))
	r.connect("a1") // idle deadline 16:50, armed before the site's timers are re-armed
	r.rec.take()

	r.clk.Set(mon(16, 50, 0))
	evs := r.rec.take()
	expectEvents(t, "16:50", only(evs, evPresence), "2026-11-23T15:50:00Z Presence a1 away/idle")
	expectEvents(t, "16:50", only(evs, evClosingSoon), "2026-11-23T15:50:00Z ClosingSoon s1 closes=2026-11-23T16:00:00Z")

	r.clk.Set(mon(16, 55, 0))
	_, err := r.d.SetPresence(r.ctx, "a2", store.PresenceAway, PresenceReasonManual)
	assertNoError(t, err)
	expectEvents(t, "16:55", only(r.rec.take(), evSiteStatus, evClosingSoon),
		"2026-11-23T15:55:00Z SiteStatus s1 offline no_agents closes=2026-11-23T16:00:00Z")
	// Offline already (no agents): a visitor connecting now is not told "closing soon".
	_, ok := r.d.ClosingSoonAt("s1")
	assertEqual(t, "ClosingSoonAt ok at 16:55 with nobody there", ok, false)
	r.clk.Set(mon(17, 0, 0))
	expectEvents(t, "17:00", r.rec.take(),
		"2026-11-23T16:00:00Z SiteStatus s1 offline outside_hours opens=2026-11-30T07:00:00Z")
}

// TestClosingSoonWaitsForTheSiteToBeOnline: a paused site gets no closing-soon
// notice; one that comes back online inside the window gets it then, once.
func TestClosingSoonWaitsForTheSiteToBeOnline(t *testing.T) {
	r := newRig(t, mon(16, 0, 0))
	s := newSite("s1", mondays("Europe/Paris", iv("08:00", "17:00")))
	s.ClosingSoonMinutes = 10
	s.Mode = store.ModeOffline
	r.addSite(s)
	r.addAgent(newAgent("a1", 2))
	r.load()
	r.connect("a1")
	r.rec.take()
	r.clk.Set(mon(16, 50, 0))
	expectEvents(t, "16:50 paused", only(r.rec.take(), evClosingSoon))
	r.clk.Set(mon(16, 52, 0))
	r.updateSite("s1", func(s *store.Site) { s.Mode = store.ModeAuto })
	expectEvents(t, "16:52 back online", only(r.rec.take(), evClosingSoon), "2026-11-23T15:52:00Z ClosingSoon s1 closes=2026-11-23T16:00:00Z")
	r.clk.Set(mon(16, 59, 0))
	expectEvents(t, "16:59", only(r.rec.take(), evClosingSoon))
}

func TestClosingSoonAt(t *testing.T) {
	r := newRig(t, mon(16, 49, 59))
	s := newSite("s1", mondays("Europe/Paris", iv("08:00", "17:00")))
	s.ClosingSoonMinutes = 10
	r.addSite(s)
	r.addAgent(newAgent("a1", 2))
	r.load()
	r.connect("a1")
	for _, c := range []struct {
		at time.Time
		ok bool
	}{{mon(16, 49, 59), false}, {mon(16, 50, 0), true}, {mon(16, 59, 59), true}, {mon(17, 0, 0), false}} {
		r.clk.Set(c.at)
		end, ok := r.d.ClosingSoonAt("s1")
		assertEqual(t, "ClosingSoonAt ok at "+ts(c.at), ok, c.ok)
		if ok {
			assertEqual(t, "closes at", ts(end), "2026-11-23T16:00:00Z")
		}
	}
}

// updateSite edits the stored site and hands the result to the desk, as the API does.
func (r *rig) updateSite(id string, fn func(*store.Site)) {
	r.t.Helper()
	s, err := r.st.UpdateSite(r.ctx, id, func(s *store.Site) error { fn(s); return nil })
	assertNoError(r.t, err)
	assertNoError(r.t, r.d.SiteChanged(s))
}

// TestSiteChanged: the manual switch and a schedule edit take effect at once; queued
// chats are missed with the matching reason; open ones stay.
func TestSiteChanged(t *testing.T) {
	r := newRig(t, mon(10, 0, 0))
	s := newSite("s1", mondays("Europe/Paris", iv("08:00", "17:00")))
	s.ClosingSoonMinutes = 10
	r.addSite(s)
	r.addAgent(newAgent("a1", 1))
	r.load()
	r.connect("a1")
	r.startWant("s1", "v1", OutcomeAssigned, "a1")
	r.startWant("s1", "v2", OutcomeQueued, "")
	r.startWant("s1", "v3", OutcomeQueued, "")
	r.rec.take()

	r.updateSite("s1", func(s *store.Site) { s.Mode = store.ModeOffline })
	expectEvents(t, "paused", only(r.rec.take(), evSiteStatus, evMissed, evQueueLength, evEnded),
		"2026-11-23T09:00:00Z SiteStatus s1 offline paused closes=2026-11-23T16:00:00Z",
		`2026-11-23T09:00:00Z Missed v2 state=missed reason=paused text="hello from v2" name=Name v2 email=v2@visitor.test`,
		`2026-11-23T09:00:00Z Missed v3 state=missed reason=paused text="hello from v3" name=Name v3 email=v3@visitor.test`,
		"2026-11-23T09:00:00Z QueueLength s1 0")
	assertEqual(t, "v2 stored", r.convOf("v2").State, store.StateMissed)
	assertEqual(t, "v1 stored", r.convOf("v1").State, store.StateOpen)
	res := r.start("s1", "v4", "anyone?")
	assertEqual(t, "v4 outcome", res.Outcome, OutcomeOffline)
	assertEqual(t, "v4 reason", res.Reason, ReasonPaused)

	r.clk.Advance(time.Minute)
	r.updateSite("s1", func(s *store.Site) { s.Mode = store.ModeAuto })
	expectEvents(t, "auto", r.rec.take(),
		"2026-11-23T09:01:00Z SiteStatus s1 online open closes=2026-11-23T16:00:00Z")

	r.startWant("s1", "v5", OutcomeQueued, "")
	r.clk.Advance(time.Minute)
	r.rec.take()
	r.updateSite("s1", func(s *store.Site) { s.Schedule = mondays("Europe/Paris", iv("08:00", "10:00")) })
	expectEvents(t, "hours cut", only(r.rec.take(), evSiteStatus, evMissed),
		"2026-11-23T09:02:00Z SiteStatus s1 offline outside_hours opens=2026-11-30T07:00:00Z",
		`2026-11-23T09:02:00Z Missed v5 state=missed reason=outside_hours text="hello from v5" name=Name v5 email=v5@visitor.test`)
	// The old period's closing-soon notice and boundary are gone with it.
	r.clk.Set(mon(17, 30, 0))
	expectEvents(t, "old timers", r.rec.take())
	assertEqual(t, "v1 still open", r.convOf("v1").State, store.StateOpen)
}
