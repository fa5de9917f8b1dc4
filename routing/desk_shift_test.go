package routing

import (
	"testing"
	"time"

	"github.com/livedesk/gateway/routing/schedule"
	"github.com/livedesk/gateway/store"
)

// shiftAgent works 09:00-17:00 UTC every day, warned 10 minutes before the end.
func shiftAgent(id string, maxChats int) *store.Agent {
	a := newAgent(id, maxChats)
	s := daily("UTC", iv("09:00", "17:00"))
	a.Schedule = &s
	a.ShiftWarningMinutes = 10
	return a
}

func (r *rig) snooze(agent, want string) {
	r.t.Helper()
	sh, err := r.d.Snooze(agent)
	assertNoError(r.t, err)
	assertEqual(r.t, "snooze result", fmtShift(sh), want)
}

// TestShiftEnds: the warning, the end, the open conversation that outlives the
// shift, and the next day's start.
func TestShiftEnds(t *testing.T) {
	r := newRig(t, utc(0, 16, 0, 0))
	r.addSite(newSite("s1", schedule.AlwaysOpen()))
	r.addAgent(shiftAgent("a1", 2))
	r.load()
	snap, err := r.d.AgentConnected("a1")
	assertNoError(t, err)
	assertEqual(t, "shift at connect", fmtShift(snap.Shift), "on ends=2026-11-23T17:00:00Z")
	r.startWant("s1", "v1", OutcomeAssigned, "a1")
	r.rec.take()

	runSteps(t, r, nil, []step{
		{utc(0, 16, 49, 59), nil},
		{utc(0, 16, 50, 0), []string{"2026-11-23T16:50:00Z ShiftEnding a1 ends=2026-11-23T17:00:00Z"}},
		{utc(0, 16, 59, 59), nil},
		{utc(0, 17, 0, 0), []string{
			"2026-11-23T17:00:00Z ShiftEnded a1",
			"2026-11-23T17:00:00Z Shift a1 off starts=2026-11-24T09:00:00Z",
			"2026-11-23T17:00:00Z SiteStatus s1 offline no_agents",
		}},
	})
	assertEqual(t, "v1 stays open", r.convOf("v1").State, store.StateOpen)
	res := r.start("s1", "v2", "hello?")
	assertEqual(t, "v2 outcome", res.Outcome, OutcomeOffline)
	assertEqual(t, "v2 reason", res.Reason, ReasonNoAgents)
	snap, err = r.d.AgentConnected("a1")
	assertNoError(t, err)
	assertEqual(t, "shift after the end", fmtShift(snap.Shift), "off starts=2026-11-24T09:00:00Z")
	assertEqual(t, "the agent still has its conversation", len(snap.Conversations), 1)
	r.d.AgentDisconnected("a1")

	r.clk.Set(utc(0, 17, 30, 0))
	r.endByAgent("v1")
	expectEvents(t, "end after the shift", r.rec.take(), "2026-11-23T17:30:00Z Ended v1 state=ended by=agent")

	runSteps(t, r, nil, []step{
		{utc(1, 8, 59, 59), nil},
		{utc(1, 9, 0, 0), []string{
			"2026-11-24T09:00:00Z Shift a1 on ends=2026-11-24T17:00:00Z",
			"2026-11-24T09:00:00Z SiteStatus s1 online open",
		}},
	})
}

// TestShiftStartDrainsQueue: chats that queued while the agent was off shift go to it
// when its next shift starts.
func TestShiftStartDrainsQueue(t *testing.T) {
	r := newRig(t, utc(0, 16, 0, 0))
	r.addSite(newSite("s1", schedule.AlwaysOpen()))
	r.addAgent(shiftAgent("a1", 1))
	r.addAgent(newAgent("a2", 1)) // no schedule: always on shift
	r.load()
	r.connect("a1", "a2")
	r.startWant("s1", "v1", OutcomeAssigned, "a1")
	r.startWant("s1", "v2", OutcomeAssigned, "a2")
	r.rec.take()
	r.clk.Set(utc(0, 17, 0, 0))
	expectEvents(t, "a1 off shift; a2 keeps the site open", only(r.rec.take(), evSiteStatus, evShiftEnded),
		"2026-11-23T17:00:00Z ShiftEnded a1")
	r.clk.Set(utc(0, 17, 5, 0))
	r.endByAgent("v1") // a1 has room now but is off shift
	r.startWant("s1", "v3", OutcomeQueued, "")
	r.rec.take()

	r.clk.Set(utc(1, 9, 0, 0))
	expectEvents(t, "next shift", r.rec.take(),
		"2026-11-24T09:00:00Z Shift a1 on ends=2026-11-24T17:00:00Z",
		"2026-11-24T09:00:00Z Assigned v3 to=a1 state=open queue=true msgs=hello from v3",
		"2026-11-24T09:00:00Z QueueLength s1 0")
}

// TestSnooze: before the end it extends from the end, any number of times; after the
// end it extends from now and puts the agent back on shift.
func TestSnooze(t *testing.T) {
	t.Run("before the end", func(t *testing.T) {
		r := newRig(t, utc(0, 16, 0, 0))
		r.addSite(newSite("s1", schedule.AlwaysOpen()))
		r.addAgent(shiftAgent("a1", 2))
		r.load()
		r.connect("a1")
		r.clk.Set(utc(0, 16, 55, 0))
		r.rec.take()
		r.snooze("a1", "on ends=2026-11-23T18:00:00Z")
		r.snooze("a1", "on ends=2026-11-23T19:00:00Z")
		expectEvents(t, "snoozes", r.rec.take(),
			"2026-11-23T16:55:00Z Shift a1 on ends=2026-11-23T18:00:00Z",
			"2026-11-23T16:55:00Z Shift a1 on ends=2026-11-23T19:00:00Z")
		runSteps(t, r, nil, []step{
			{utc(0, 17, 0, 0), nil},
			{utc(0, 17, 50, 0), nil},
			{utc(0, 18, 49, 59), nil},
			{utc(0, 18, 50, 0), []string{"2026-11-23T18:50:00Z ShiftEnding a1 ends=2026-11-23T19:00:00Z"}},
			{utc(0, 18, 59, 59), nil},
			{utc(0, 19, 0, 0), []string{
				"2026-11-23T19:00:00Z ShiftEnded a1",
				"2026-11-23T19:00:00Z Shift a1 off starts=2026-11-24T09:00:00Z",
				"2026-11-23T19:00:00Z SiteStatus s1 offline no_agents",
			}},
		})
	})

	t.Run("after the end", func(t *testing.T) {
		r := newRig(t, utc(0, 16, 0, 0))
		r.addSite(newSite("s1", schedule.AlwaysOpen()))
		r.addAgent(shiftAgent("a1", 2))
		r.load()
		r.connect("a1")
		r.clk.Set(utc(0, 17, 30, 0))
		r.rec.take()
		r.snooze("a1", "on ends=2026-11-23T18:30:00Z")
		expectEvents(t, "snooze", r.rec.take(),
			"2026-11-23T17:30:00Z Shift a1 on ends=2026-11-23T18:30:00Z",
			"2026-11-23T17:30:00Z SiteStatus s1 online open")
		r.startWant("s1", "v1", OutcomeAssigned, "a1")
		r.snooze("a1", "on ends=2026-11-23T19:30:00Z")
		r.rec.take()
		runSteps(t, r, []string{evShiftEnding, evShiftEnded, evSiteStatus}, []step{
			{utc(0, 19, 19, 59), nil},
			{utc(0, 19, 20, 0), []string{"2026-11-23T19:20:00Z ShiftEnding a1 ends=2026-11-23T19:30:00Z"}},
			{utc(0, 19, 30, 0), []string{
				"2026-11-23T19:30:00Z ShiftEnded a1",
				"2026-11-23T19:30:00Z SiteStatus s1 offline no_agents",
			}},
		})
		assertEqual(t, "v1 stays open", r.convOf("v1").State, store.StateOpen)
	})

	t.Run("no own schedule", func(t *testing.T) {
		r := newRig(t, utc(0, 16, 0, 0))
		r.addSite(newSite("s1", schedule.AlwaysOpen()))
		r.addAgent(newAgent("a1", 2))
		r.load()
		r.connect("a1")
		r.rec.take()
		r.snooze("a1", "on")
		expectEvents(t, "snooze without a schedule", r.rec.take())
	})
}

// TestAgentWithinBothSchedules: an agent with its own schedule is available only
// where its hours and the site's overlap; outside_hours wins over no_agents.
func TestAgentWithinBothSchedules(t *testing.T) {
	r := newRig(t, utc(0, 7, 30, 0))
	r.addSite(newSite("s1", daily("UTC", iv("08:00", "12:00"))))
	r.addAgent(shiftAgent("a1", 2))
	r.load()
	r.connect("a1")
	r.rec.take()
	runSteps(t, r, []string{evSiteStatus, evShiftEnded}, []step{
		{utc(0, 8, 0, 0), []string{"2026-11-23T08:00:00Z SiteStatus s1 offline no_agents closes=2026-11-23T12:00:00Z"}},
		{utc(0, 9, 0, 0), []string{"2026-11-23T09:00:00Z SiteStatus s1 online open closes=2026-11-23T12:00:00Z"}},
		{utc(0, 12, 0, 0), []string{"2026-11-23T12:00:00Z SiteStatus s1 offline outside_hours opens=2026-11-24T08:00:00Z"}},
		{utc(0, 12, 30, 0), nil},
	})
	res := r.start("s1", "v1", "hi")
	assertEqual(t, "on shift but the site is closed", res.Reason, ReasonOutsideHours)
	runSteps(t, r, []string{evSiteStatus, evShiftEnded}, []step{
		{utc(0, 17, 0, 0), []string{"2026-11-23T17:00:00Z ShiftEnded a1"}},
	})
	// A snooze does not open the site's hours either.
	r.snooze("a1", "on ends=2026-11-23T18:00:00Z")
	assertEqual(t, "snoozed outside the site's hours", r.status("s1").Reason, ReasonOutsideHours)
}

// TestSharedBoundaryOneStatusEvent: when the site's hours and the agent's shift
// change at the same instant, visitors see one status change, not a passing
// no_agents.
func TestSharedBoundaryOneStatusEvent(t *testing.T) {
	r := newRig(t, utc(0, 8, 0, 0))
	r.addSite(newSite("s1", daily("UTC", iv("09:00", "17:00"))))
	r.addAgent(shiftAgent("a1", 2))
	r.load()
	r.connect("a1")
	r.rec.take()
	runSteps(t, r, []string{evSiteStatus}, []step{
		{utc(0, 9, 0, 0), []string{"2026-11-23T09:00:00Z SiteStatus s1 online open closes=2026-11-23T17:00:00Z"}},
		{utc(0, 17, 0, 0), []string{"2026-11-23T17:00:00Z SiteStatus s1 offline outside_hours opens=2026-11-24T09:00:00Z"}},
		{utc(1, 9, 0, 0), []string{"2026-11-24T09:00:00Z SiteStatus s1 online open closes=2026-11-24T17:00:00Z"}},
		{utc(1, 17, 0, 0), []string{"2026-11-24T17:00:00Z SiteStatus s1 offline outside_hours opens=2026-11-25T09:00:00Z"}},
	})
}

// TestSnoozeRunsIntoTheNextShift: a snooze that reaches into a shift (or a shift
// that goes on past the snooze) is one stretch on shift: one end, one warning.
func TestSnoozeRunsIntoTheNextShift(t *testing.T) {
	r := newRig(t, utc(0, 8, 0, 0))
	r.addSite(newSite("s1", schedule.AlwaysOpen()))
	a := shiftAgent("a1", 2)
	sh := daily("UTC", iv("09:00", "17:00"), iv("17:30", "20:00"))
	a.Schedule = &sh
	r.addAgent(a)
	r.load()
	r.connect("a1")
	r.clk.Set(utc(0, 8, 30, 0))
	r.rec.take()
	r.snooze("a1", "on ends=2026-11-23T17:00:00Z") // 08:30-09:30 joins 09:00-17:00
	r.clk.Set(utc(0, 16, 55, 0))
	r.snooze("a1", "on ends=2026-11-23T20:00:00Z") // 17:00-18:00 joins 17:30-20:00
	runSteps(t, r, []string{evShift, evShiftEnding, evShiftEnded}, []step{
		{utc(0, 16, 55, 0), []string{
			"2026-11-23T08:30:00Z Shift a1 on ends=2026-11-23T17:00:00Z",
			"2026-11-23T16:50:00Z ShiftEnding a1 ends=2026-11-23T17:00:00Z",
			"2026-11-23T16:55:00Z Shift a1 on ends=2026-11-23T20:00:00Z",
		}},
		{utc(0, 19, 49, 59), nil},
		{utc(0, 20, 0, 0), []string{
			"2026-11-23T19:50:00Z ShiftEnding a1 ends=2026-11-23T20:00:00Z",
			"2026-11-23T20:00:00Z ShiftEnded a1",
			"2026-11-23T20:00:00Z Shift a1 off starts=2026-11-24T09:00:00Z",
		}},
	})
}

// TestAgentScheduleEdited: an edit of the agent's own schedule takes effect at once,
// and the agent is told its new shift.
func TestAgentScheduleEdited(t *testing.T) {
	r := newRig(t, utc(0, 10, 0, 0))
	r.addSite(newSite("s1", schedule.AlwaysOpen()))
	r.addAgent(newAgent("a1", 2))
	r.load()
	r.connect("a1")
	r.startWant("s1", "v1", OutcomeAssigned, "a1")
	r.rec.take()
	edit := func(s *schedule.Schedule) {
		t.Helper()
		a, err := r.st.UpdateAgent(r.ctx, "a1", func(a *store.Agent) error { a.Schedule = s; return nil })
		assertNoError(t, err)
		r.d.AgentChanged(a)
	}
	morning, day, longer := daily("UTC", iv("08:00", "10:00")), daily("UTC", iv("09:00", "17:00")), daily("UTC", iv("09:00", "18:00"))

	edit(&morning) // the shift is over already
	expectEvents(t, "ends now", only(r.rec.take(), evShift, evShiftEnded, evSiteStatus, evEnded),
		"2026-11-23T10:00:00Z ShiftEnded a1",
		"2026-11-23T10:00:00Z Shift a1 off starts=2026-11-24T08:00:00Z",
		"2026-11-23T10:00:00Z SiteStatus s1 offline no_agents")
	r.clk.Advance(time.Minute)
	edit(&day)
	expectEvents(t, "on again", only(r.rec.take(), evShift, evShiftEnded, evSiteStatus),
		"2026-11-23T10:01:00Z Shift a1 on ends=2026-11-23T17:00:00Z",
		"2026-11-23T10:01:00Z SiteStatus s1 online open")
	edit(&day)
	expectEvents(t, "same schedule", r.rec.take())
	edit(&longer)
	expectEvents(t, "longer", r.rec.take(), "2026-11-23T10:01:00Z Shift a1 on ends=2026-11-23T18:00:00Z")
	edit(nil)
	expectEvents(t, "no schedule", r.rec.take(), "2026-11-23T10:01:00Z Shift a1 on")
	r.clk.Set(utc(0, 19, 0, 0))
	expectEvents(t, "no old timers", r.rec.take())
	assertEqual(t, "v1 stays open", r.convOf("v1").State, store.StateOpen)
}
