package schedule

import (
	"testing"
	"time"
)

// interval is an expected resolved interval [start, end) in UTC.
type interval struct{ start, end string }

// checkInterval asserts that the schedule is open exactly on [start, end) around that
// interval (when nothing else touches it): closed a second before the start, open at
// the start, PeriodEnd at the start is end, NextOpen a second before is start, open a
// second before the end, closed at the end.
func checkInterval(t *testing.T, c *Compiled, iv interval) {
	t.Helper()
	start, end := instant(t, iv.start), instant(t, iv.end)
	checkProbes(t, c, []probe{
		{start.Add(-time.Second).Format(time.RFC3339), false},
		{iv.start, true},
		{end.Add(-time.Second).Format(time.RFC3339), true},
		{iv.end, false},
	})
	got, ok := c.PeriodEnd(start)
	checkTime(t, "PeriodEnd("+iv.start+")", got, ok, iv.end)
	got, ok = c.NextOpen(start.Add(-time.Second))
	checkTime(t, "NextOpen(start-1s)", got, ok, iv.start)
	got, ok = c.NextChange(end.Add(-time.Second))
	checkTime(t, "NextChange(end-1s)", got, ok, iv.end)
}

func TestOvernightOnDSTNights(t *testing.T) {
	tests := []struct {
		name, zone string
		iv         interval
		hours      int
	}{
		// Paris: CET (+1) to CEST (+2) at 2026-03-29 01:00Z; back at 2026-10-25 01:00Z.
		{"Paris spring", "Europe/Paris", interval{"2026-03-28T21:00:00Z", "2026-03-29T04:00:00Z"}, 7},
		{"Paris autumn", "Europe/Paris", interval{"2026-10-24T20:00:00Z", "2026-10-25T05:00:00Z"}, 9},
		// New York: EST (-5) to EDT (-4) at 2026-03-08 07:00Z; back at 2026-11-01 06:00Z.
		{"New York spring", "America/New_York", interval{"2026-03-08T03:00:00Z", "2026-03-08T10:00:00Z"}, 7},
		{"New York autumn", "America/New_York", interval{"2026-11-01T02:00:00Z", "2026-11-01T11:00:00Z"}, 9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := compile(t, `{"enabled":true,"timezone":"`+tt.zone+`","weekly":`+everyDay(`[{"from":"22:00","to":"06:00"}]`)+`}`)
			checkInterval(t, c, tt.iv)
			got := instant(t, tt.iv.end).Sub(instant(t, tt.iv.start))
			assertEqual(t, "length", got, time.Duration(tt.hours)*time.Hour)
		})
	}
}

// Each case is one exception on a transition date, so nothing else is open nearby.
func TestGapsAndFolds(t *testing.T) {
	tests := []struct {
		name, zone, date, from, to string
		iv                         interval // zero: the interval is empty
	}{
		// New York 2026-03-08: 02:00 EST jumps to 03:00 EDT at 07:00Z.
		{"NY start in gap", "America/New_York", "2026-03-08", "02:30", "04:00", interval{"2026-03-08T07:00:00Z", "2026-03-08T08:00:00Z"}},
		{"NY end in gap", "America/New_York", "2026-03-08", "01:00", "02:30", interval{"2026-03-08T06:00:00Z", "2026-03-08T07:00:00Z"}},
		{"NY whole interval in gap is empty", "America/New_York", "2026-03-08", "02:00", "03:00", interval{}},
		{"NY gap inside interval", "America/New_York", "2026-03-08", "01:00", "04:00", interval{"2026-03-08T06:00:00Z", "2026-03-08T08:00:00Z"}},
		// New York 2026-11-01: 02:00 EDT falls back to 01:00 EST at 06:00Z; 01:00-02:00 occurs twice.
		{"NY fold takes the earlier", "America/New_York", "2026-11-01", "01:30", "01:45", interval{"2026-11-01T05:30:00Z", "2026-11-01T05:45:00Z"}},
		{"NY end in fold", "America/New_York", "2026-11-01", "00:30", "01:30", interval{"2026-11-01T04:30:00Z", "2026-11-01T05:30:00Z"}},
		{"NY start in fold, end after", "America/New_York", "2026-11-01", "01:30", "02:00", interval{"2026-11-01T05:30:00Z", "2026-11-01T07:00:00Z"}},
		{"NY fold inside interval", "America/New_York", "2026-11-01", "00:00", "03:00", interval{"2026-11-01T04:00:00Z", "2026-11-01T08:00:00Z"}},
		// Lord Howe 2026-10-04: 02:00 +10:30 jumps to 02:30 +11 at 2026-10-03 15:30Z.
		{"Lord Howe start in 30 min gap", "Australia/Lord_Howe", "2026-10-04", "02:15", "03:00", interval{"2026-10-03T15:30:00Z", "2026-10-03T16:00:00Z"}},
		{"Lord Howe end in 30 min gap", "Australia/Lord_Howe", "2026-10-04", "01:00", "02:15", interval{"2026-10-03T14:30:00Z", "2026-10-03T15:30:00Z"}},
		{"Lord Howe interval in gap is empty", "Australia/Lord_Howe", "2026-10-04", "02:00", "02:30", interval{}},
		// Lord Howe 2026-04-05: 02:00 +11 falls back to 01:30 +10:30 at 2026-04-04 15:00Z.
		{"Lord Howe fold takes the earlier", "Australia/Lord_Howe", "2026-04-05", "01:40", "01:50", interval{"2026-04-04T14:40:00Z", "2026-04-04T14:50:00Z"}},
		{"Lord Howe start in fold", "Australia/Lord_Howe", "2026-04-05", "01:45", "02:00", interval{"2026-04-04T14:45:00Z", "2026-04-04T15:30:00Z"}},
		{"Lord Howe overnight over the fold", "Australia/Lord_Howe", "2026-04-04", "22:00", "06:00", interval{"2026-04-04T11:00:00Z", "2026-04-04T19:30:00Z"}},
		// Santiago 2026-09-06: 00:00 -04 jumps to 01:00 -03 at 04:00Z (midnight is in the gap).
		{"Santiago from midnight in gap", "America/Santiago", "2026-09-06", "00:00", "02:00", interval{"2026-09-06T04:00:00Z", "2026-09-06T05:00:00Z"}},
		{"Santiago 24:00 in gap", "America/Santiago", "2026-09-05", "22:00", "24:00", interval{"2026-09-06T02:00:00Z", "2026-09-06T04:00:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := compile(t, `{"enabled":true,"timezone":"`+tt.zone+`","exceptions":[{"date":"`+tt.date+
				`","intervals":[{"from":"`+tt.from+`","to":"`+tt.to+`"}]}]}`)
			if tt.iv == (interval{}) {
				d := date(t, tt.date)
				day := c.LocalDayStart(d)
				for at := day.Add(-2 * 24 * time.Hour); at.Before(day.Add(3 * 24 * time.Hour)); at = at.Add(time.Minute) {
					if c.OpenAt(at) {
						t.Fatalf("open at %s, want closed throughout", at.Format(time.RFC3339))
					}
				}
				next, ok := c.NextOpen(day)
				checkTime(t, "NextOpen", next, ok, "")
				assertEqual(t, "Periods", len(c.Periods(d.AddDays(-1), d.AddDays(1))), 0)
				return
			}
			checkInterval(t, c, tt.iv)
			// Nothing else is open: sweep the days around minute by minute.
			start, end := instant(t, tt.iv.start), instant(t, tt.iv.end)
			for at := start.Add(-30 * time.Hour); at.Before(end.Add(30 * time.Hour)); at = at.Add(time.Minute) {
				if want := !at.Before(start) && at.Before(end); c.OpenAt(at) != want {
					t.Fatalf("OpenAt(%s) = %v, want %v", at.Format(time.RFC3339), !want, want)
				}
			}
			d := date(t, tt.date)
			assertEqual(t, "Periods", fmtPeriods(c.Periods(d.AddDays(-1), d.AddDays(1))),
				[]string{tt.iv.start + " " + tt.iv.end})
		})
	}
}

// Pacific/Apia skipped the whole local date 2011-12-30: 2011-12-29 24:00 -10 became
// 2011-12-31 00:00 +14, both 2011-12-30T10:00Z.
func TestApiaSkippedDay(t *testing.T) {
	c := compile(t, `{"enabled":true,"timezone":"Pacific/Apia","weekly":{
		"thu":[{"from":"09:00","to":"17:00"},{"from":"22:00","to":"06:00"}],
		"fri":[{"from":"09:00","to":"17:00"}],
		"sat":[{"from":"09:00","to":"17:00"}]}}`)
	// Thursday 2011-12-29 in -10.
	checkInterval(t, c, interval{"2011-12-29T19:00:00Z", "2011-12-30T03:00:00Z"})
	// The overnight shift ends "2011-12-30 06:00", inside the skipped day: at the transition.
	checkInterval(t, c, interval{"2011-12-30T08:00:00Z", "2011-12-30T10:00:00Z"})
	// Friday 2011-12-30 does not exist: its interval is empty. Saturday in +14.
	checkInterval(t, c, interval{"2011-12-30T19:00:00Z", "2011-12-31T03:00:00Z"})
	next, ok := c.NextOpen(instant(t, "2011-12-30T10:00:00Z"))
	checkTime(t, "NextOpen after the shift", next, ok, "2011-12-30T19:00:00Z")

	assertEqual(t, "LocalDayStart 2011-12-30", c.LocalDayStart(date(t, "2011-12-30")), instant(t, "2011-12-30T10:00:00Z"))
	assertEqual(t, "LocalDayStart 2011-12-31", c.LocalDayStart(date(t, "2011-12-31")), instant(t, "2011-12-30T10:00:00Z"))
	assertEqual(t, "Periods of the skipped day", fmtPeriods(c.Periods(date(t, "2011-12-30"), date(t, "2011-12-30"))), []string{})
	assertEqual(t, "Periods around it", fmtPeriods(c.Periods(date(t, "2011-12-29"), date(t, "2011-12-31"))), []string{
		"2011-12-29T19:00:00Z 2011-12-30T03:00:00Z",
		"2011-12-30T08:00:00Z 2011-12-30T10:00:00Z",
		"2011-12-30T19:00:00Z 2011-12-31T03:00:00Z",
	})
}
