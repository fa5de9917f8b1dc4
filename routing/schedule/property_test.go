package schedule

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

var propertyZones = []string{
	"America/New_York", "Europe/Paris", "Australia/Lord_Howe", "Pacific/Apia",
	"Pacific/Auckland", "America/Santiago", "Asia/Kolkata", "UTC",
	"history", // one of zoneTestZones around one of its changes, 1850 to 2100
}

// anchorFor picks the instant a random schedule is tested around: often an offset
// change of the zone (found by scanning, as the reference does), sometimes Apia's
// skipped day, otherwise any instant of 2005-2035.
func anchorFor(rng *rand.Rand, loc *time.Location) int64 {
	if loc.String() == "Pacific/Apia" && rng.IntN(3) == 0 {
		return instantUnix("2011-12-30T10:00:00Z")
	}
	u := instantUnix("2005-01-01T00:00:00Z") + rng.Int64N(30*365*secondsPerDay)
	if rng.IntN(3) == 0 {
		return u
	}
	off := refOffset(loc, u)
	for a := u; a < u+370*secondsPerDay; a += 3600 {
		if refOffset(loc, a) != off {
			return a
		}
	}
	return u
}

// historicChange picks any offset change of a zone between 1850 and 2100 (the
// implementation's table only serves to choose the instant).
func historicChange(rng *rand.Rand, name string) int64 {
	z, err := loadZone(name)
	if err != nil {
		panic(err)
	}
	var changes []int64
	for _, s := range z.starts[1:] {
		if s > instantUnix("1850-01-01T00:00:00Z") && s < instantUnix("2100-01-01T00:00:00Z") {
			changes = append(changes, s)
		}
	}
	if len(changes) == 0 {
		return instantUnix("2026-06-01T00:00:00Z")
	}
	return changes[rng.IntN(len(changes))]
}

func instantUnix(s string) int64 {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.Unix()
}

// randomClock returns "HH:MM" seconds: often on the hour or half hour, sometimes near
// the wall time of the anchor (to land in gaps and folds), sometimes any minute.
func randomClock(rng *rand.Rand, near int64) int64 {
	switch rng.IntN(4) {
	case 0:
		return int64(rng.IntN(48)) * 1800
	case 1:
		return ((near%secondsPerDay+secondsPerDay)%secondsPerDay/60*60 + int64(rng.IntN(121)-60)*60 + secondsPerDay) % secondsPerDay
	default:
		return int64(rng.IntN(24*60)) * 60
	}
}

func clockString(sec int64) string {
	return fmt.Sprintf("%02d:%02d", sec/3600, sec%3600/60)
}

func randomIntervals(rng *rand.Rand, near int64) []Interval {
	n := rng.IntN(5)
	if rng.IntN(6) == 0 {
		return nil
	}
	out := []Interval{}
	for i := 0; i < n; i++ {
		from := randomClock(rng, near)
		var to int64
		switch rng.IntN(6) {
		case 0:
			to = secondsPerDay // 24:00
		case 1:
			to = (from + int64(1+rng.IntN(24*60-1))*60) % secondsPerDay // overnight or not
		default:
			to = from + int64(1+rng.IntN(6*60))*60 // a short one
			if to > secondsPerDay {
				to -= secondsPerDay
			}
		}
		if to == from {
			continue
		}
		out = append(out, Interval{From: clockString(from), To: clockString(to)})
	}
	return out
}

func randomSchedule(rng *rand.Rand, zone string, loc *time.Location, anchor int64) Schedule {
	wall := anchor + refOffset(loc, anchor-1) // the wall time just before the change
	s := Schedule{Enabled: rng.IntN(20) != 0, Timezone: zone, Weekly: map[string][]Interval{}}
	for _, d := range Weekdays {
		if rng.IntN(5) != 0 {
			s.Weekly[d] = randomIntervals(rng, wall)
		}
	}
	if rng.IntN(8) == 0 { // whole days that merge
		for _, d := range Weekdays[:rng.IntN(7)] {
			s.Weekly[d] = []Interval{{From: "00:00", To: "24:00"}}
		}
	}
	seen := map[string]bool{}
	for i := rng.IntN(4); i > 0; i-- {
		day := time.Unix(anchor, 0).In(loc).AddDate(0, 0, rng.IntN(7)-3).Format("2006-01-02")
		if !seen[day] && day >= "1900" && day < "2200" {
			seen[day] = true
			s.Exceptions = append(s.Exceptions, Exception{Date: day, Intervals: randomIntervals(rng, wall)})
		}
	}
	return s
}

// TestAgainstReference compares OpenAt, NextChange, PeriodEnd, NextOpen and Periods
// with the brute-force reference on random schedules around DST changes.
func TestAgainstReference(t *testing.T) {
	schedules := 300
	if testing.Short() {
		schedules = 60
	}
	rng := rand.New(rand.NewPCG(2026, 11))
	for i := 0; i < schedules; i++ {
		zone := propertyZones[i%len(propertyZones)]
		if zone == "history" {
			zone = zoneTestZones[rng.IntN(len(zoneTestZones))]
		}
		loc, err := time.LoadLocation(zone)
		assertNoError(t, err)
		anchor := anchorFor(rng, loc)
		if propertyZones[i%len(propertyZones)] == "history" {
			anchor = historicChange(rng, zone)
		}
		s := randomSchedule(rng, zone, loc, anchor)
		c, err := Compile(s)
		if err != nil {
			t.Fatalf("Compile(%+v): %v", s, err)
		}
		z := newRefZone(t, loc, anchor-14*secondsPerDay, anchor+14*secondsPerDay)
		fail := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("schedule %d %+v, anchor %s: %s", i, s, time.Unix(anchor, 0).UTC().Format(time.RFC3339), fmt.Sprintf(format, args...))
		}

		// OpenAt at random instants and at every interval boundary, and a second either side.
		var probes []int64
		for k := 0; k < 15; k++ {
			probes = append(probes, anchor+rng.Int64N(8*secondsPerDay)-4*secondsPerDay)
		}
		for k := 0; k < 15; k++ { // close to the offset change, where folds repeat wall times
			probes = append(probes, anchor+rng.Int64N(6*3600)-3*3600)
		}
		for _, iv := range refIntervals(s, z, anchor, -2, 2) {
			probes = append(probes, iv.start-1, iv.start, iv.end-1, iv.end)
			for _, d := range []int64{1800, 3600, 86400} { // where the same wall time may come again
				probes = append(probes, iv.start+d, iv.end+d, iv.start-d, iv.end-d)
			}
		}
		for _, u := range probes {
			if got, want := c.OpenAt(time.Unix(u, 0)), refOpen(s, z, u); got != want {
				fail("OpenAt(%s) = %v, want %v", time.Unix(u, 0).UTC().Format(time.RFC3339), got, want)
			}
		}

		// NextChange is the first instant where OpenAt differs; PeriodEnd and NextOpen agree with it.
		for k := 0; k < 6; k++ {
			u := probes[rng.IntN(len(probes))]
			at := time.Unix(u, 0)
			open := c.OpenAt(at)
			next, ok := c.NextChange(at)
			want, found, limit := refNextChange(s, z, u)
			switch {
			case found && (!ok || next.Unix() != want):
				fail("NextChange(%s) = %s %v, want %s", at.UTC().Format(time.RFC3339), next.Format(time.RFC3339), ok, time.Unix(want, 0).UTC().Format(time.RFC3339))
			case ok && !found && next.Unix() < limit:
				fail("NextChange(%s) = %s, the reference sees no change that soon", at.UTC().Format(time.RFC3339), next.Format(time.RFC3339))
			}
			if ok && (c.OpenAt(next) == open || c.OpenAt(next.Add(-time.Second)) != open || !next.After(at)) {
				fail("NextChange(%s) = %s is not a change", at.UTC().Format(time.RFC3339), next.Format(time.RFC3339))
			}
			end, endOK := c.PeriodEnd(at)
			start, startOK := c.NextOpen(at)
			if s.Enabled && open && (startOK || endOK != ok || end != next) ||
				s.Enabled && !open && (endOK || startOK != ok || start != next) {
				fail("at %s: open %v, PeriodEnd %s %v, NextOpen %s %v, NextChange %s %v", at.UTC().Format(time.RFC3339), open, end, endOK, start, startOK, next, ok)
			}
		}

		// Periods agrees with OpenAt: merged, inside the range, open inside, closed outside.
		day := time.Unix(anchor, 0).In(loc)
		from := Date{day.Year(), day.Month(), day.Day()}.AddDays(-1)
		to := from.AddDays(2)
		lo := z.resolve(time.Date(from.Year, from.Month, from.Day, 0, 0, 0, 0, time.UTC).Unix())
		hi := z.resolve(time.Date(to.Year, to.Month, to.Day+1, 0, 0, 0, 0, time.UTC).Unix())
		ps := c.Periods(from, to)
		for j, p := range ps {
			a, b := p.Start.Unix(), p.End.Unix()
			if a >= b || a < lo || b > hi || j > 0 && a <= ps[j-1].End.Unix() {
				fail("Periods(%s, %s) = %v: bad period %d (range %d..%d)", from, to, fmtPeriods(ps), j, lo, hi)
			}
			if !refOpen(s, z, a) || !refOpen(s, z, b-1) || a > lo && refOpen(s, z, a-1) || b < hi && refOpen(s, z, b) {
				fail("Periods(%s, %s) = %v: period %d disagrees with the reference", from, to, fmtPeriods(ps), j)
			}
		}
		for k := 0; k < 20 && hi > lo; k++ {
			u := lo + rng.Int64N(hi-lo)
			in := false
			for _, p := range ps {
				in = in || p.Start.Unix() <= u && u < p.End.Unix()
			}
			if in != refOpen(s, z, u) {
				fail("Periods(%s, %s) = %v, but the reference says %v at %s", from, to, fmtPeriods(ps), !in, time.Unix(u, 0).UTC().Format(time.RFC3339))
			}
		}
	}
}
