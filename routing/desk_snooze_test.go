package routing

import (
	"errors"
	"testing"
	"time"

	"github.com/livedesk/gateway/routing/schedule"
)

// endSnooze ends or shortens a1's snooze and checks the announced shift.
func (r *rig) endSnooze(until time.Time, want string) Shift {
	r.t.Helper()
	var announced Shift
	sh, err := r.d.EndSnoozeAnnounced("a1", until, func(sh Shift) { announced = sh })
	assertNoError(r.t, err)
	assertEqual(r.t, "announced", fmtShift(announced), want)
	assertEqual(r.t, "result", fmtShift(sh), want)
	return sh
}

// snoozedRig: a1 works 09:00-17:00 UTC, and at `at` snoozes once.
func snoozedRig(t *testing.T, at time.Time, want string) *rig {
	r := newRig(t, utc(0, 16, 0, 0))
	r.addSite(newSite("s1", schedule.AlwaysOpen()))
	r.addAgent(shiftAgent("a1", 2))
	r.load()
	r.connect("a1")
	r.clk.Set(at)
	r.snooze("a1", want)
	r.rec.take()
	return r
}

// TestEndSnooze: a running snooze can be cancelled or shortened; where the hours
// are over, the shift then ends at once (shift.ended, the site re-evaluated) or at
// the new end, with the warning armed for it.
func TestEndSnooze(t *testing.T) {
	t.Run("cancel within the hours", func(t *testing.T) {
		r := snoozedRig(t, utc(0, 16, 55, 0), "on ends=2026-11-23T18:00:00Z")
		sh := r.endSnooze(time.Time{}, "on ends=2026-11-23T17:00:00Z")
		if sh.SnoozedUntil != nil {
			t.Fatalf("snoozed_until %v after the cancel", sh.SnoozedUntil)
		}
		expectEvents(t, "cancel", r.rec.take())
		runSteps(t, r, []string{evShiftEnded, evSiteStatus}, []step{
			{utc(0, 16, 59, 59), nil},
			{utc(0, 17, 0, 0), []string{"2026-11-23T17:00:00Z ShiftEnded a1", "2026-11-23T17:00:00Z SiteStatus s1 offline no_agents"}},
		})
	})
	t.Run("cancel after the hours", func(t *testing.T) {
		r := snoozedRig(t, utc(0, 17, 30, 0), "on ends=2026-11-23T18:30:00Z")
		r.endSnooze(time.Time{}, "off starts=2026-11-24T09:00:00Z")
		expectEvents(t, "cancel", r.rec.take(),
			"2026-11-23T17:30:00Z ShiftEnded a1",
			"2026-11-23T17:30:00Z SiteStatus s1 offline no_agents")
		r.startWant("s1", "v1", OutcomeOffline, "")
	})
	t.Run("shorten", func(t *testing.T) {
		r := snoozedRig(t, utc(0, 17, 30, 0), "on ends=2026-11-23T18:30:00Z")
		sh := r.endSnooze(utc(0, 17, 45, 0), "on ends=2026-11-23T17:45:00Z")
		if sh.SnoozedUntil == nil || !sh.SnoozedUntil.Equal(utc(0, 17, 45, 0)) {
			t.Fatalf("snoozed_until %v, want 17:45", sh.SnoozedUntil)
		}
		expectEvents(t, "shorten", r.rec.take())
		runSteps(t, r, []string{evShiftEnding, evShiftEnded, evSiteStatus}, []step{
			{utc(0, 17, 34, 59), nil},
			{utc(0, 17, 35, 0), []string{"2026-11-23T17:35:00Z ShiftEnding a1 ends=2026-11-23T17:45:00Z"}},
			{utc(0, 17, 44, 59), nil},
			{utc(0, 17, 45, 0), []string{"2026-11-23T17:45:00Z ShiftEnded a1", "2026-11-23T17:45:00Z SiteStatus s1 offline no_agents"}},
		})
	})
	t.Run("bad ends change nothing", func(t *testing.T) {
		r := snoozedRig(t, utc(0, 17, 30, 0), "on ends=2026-11-23T18:30:00Z")
		for _, until := range []time.Time{utc(0, 18, 30, 0), utc(0, 19, 0, 0), utc(0, 17, 30, 0), utc(0, 17, 0, 0)} {
			if _, err := r.d.EndSnoozeAnnounced("a1", until, func(Shift) { t.Fatal("announced a refused change") }); !errors.Is(err, ErrSnoozeEnd) {
				t.Fatalf("until %v: %v, want ErrSnoozeEnd", until, err)
			}
		}
		expectEvents(t, "refused", r.rec.take())
		assertEqual(t, "shift", fmtShift(r.d.shiftLocked(r.d.agents["a1"], r.clk.Now())), "on ends=2026-11-23T18:30:00Z")
	})
	t.Run("no snooze running", func(t *testing.T) {
		r := newRig(t, utc(0, 16, 0, 0))
		r.addSite(newSite("s1", schedule.AlwaysOpen()))
		r.addAgent(shiftAgent("a1", 2))
		r.load()
		r.connect("a1")
		r.rec.take()
		r.endSnooze(time.Time{}, "on ends=2026-11-23T17:00:00Z")
		if _, err := r.d.EndSnoozeAnnounced("a1", utc(0, 16, 30, 0), func(Shift) {}); !errors.Is(err, ErrSnoozeEnd) {
			t.Fatalf("shorten without a snooze: %v", err)
		}
		if _, err := r.d.EndSnoozeAnnounced("nobody", time.Time{}, func(Shift) {}); err == nil {
			t.Fatal("an unknown agent's snooze ended")
		}
		expectEvents(t, "nothing", r.rec.take())
	})
}
