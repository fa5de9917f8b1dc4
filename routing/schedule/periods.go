package schedule

import "time"

// Horizon is how far PeriodEnd, NextOpen and NextChange look ahead of the instant they
// are asked about. Beyond it an open period "never closes" and a closed schedule
// "never opens".
const Horizon = 400 * 24 * time.Hour

const horizonSeconds = int64(Horizon / time.Second)

// Period is a merged open period [Start, End) in UTC.
type Period struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// unixOf returns t in whole seconds and whether it lies in the range the package
// computes with (about 35 million years either side of 1970).
func unixOf(t time.Time) (int64, bool) {
	u := t.Unix()
	return u, u > -maxUnix+2*horizonSeconds && u < maxUnix-2*horizonSeconds
}

// each calls fn with the non-empty intervals of local days first..last, resolved to
// instants [s, e), in order of s; it stops when fn returns false. Starts come in order
// because a day's spans are sorted, each starts before the next day's midnight, and
// resolving is monotone.
func (c *Compiled) each(first, last int64, fn func(s, e int64) bool) {
	z := c.zone
	for d := first; d <= last; d++ {
		base := d * secondsPerDay
		for _, sp := range c.spansOn(d) {
			s, e := z.resolve(base+sp.from), z.resolve(base+sp.to)
			if s < e && !fn(s, e) {
				return
			}
		}
	}
}

// localDay returns the local day number of instant u.
func (c *Compiled) localDay(u int64) int64 {
	return floorDiv(c.zone.wall(u), secondsPerDay)
}

// horizonDays is how many local days past u's own the searches look at: enough that
// every interval starting within Horizon of u is seen.
const horizonDays = int64(Horizon/(24*time.Hour)) + 2

// PeriodEnd returns, when the schedule is open at t, the end of the merged open period
// containing t: overlapping and touching intervals count as one, across midnight and
// across days. ok is false when the schedule is closed at t, when it is disabled, and
// when the period does not end within Horizon of t (it "never closes").
func (c *Compiled) PeriodEnd(t time.Time) (end time.Time, ok bool) {
	u, inRange := unixOf(t)
	if !c.enabled || !inRange {
		return time.Time{}, false
	}
	d := c.localDay(u)
	frontier, covered := u, false
	c.each(d-3, d+horizonDays, func(s, e int64) bool {
		if s > frontier {
			return false // a gap after the frontier: the period ends there
		}
		if e > frontier {
			frontier, covered = e, true
		}
		return frontier-u <= horizonSeconds
	})
	if !covered || frontier-u > horizonSeconds {
		return time.Time{}, false
	}
	return time.Unix(frontier, 0).UTC(), true
}

// NextOpen returns, when the schedule is closed at t, the first instant after t at
// which it opens: the start of the next open period. ok is false when it is open at t,
// when it is disabled, and when it does not open within Horizon of t.
func (c *Compiled) NextOpen(t time.Time) (time.Time, bool) {
	u, inRange := unixOf(t)
	if !c.enabled || !inRange || c.OpenAt(t) {
		return time.Time{}, false
	}
	d := c.localDay(u)
	next, found := int64(0), false
	c.each(d-3, d+horizonDays, func(s, e int64) bool {
		if s > u {
			next, found = s, true
			return false
		}
		return true
	})
	if !found || next-u > horizonSeconds {
		return time.Time{}, false
	}
	return time.Unix(next, 0).UTC(), true
}

// NextChange returns the first instant after t at which OpenAt changes its answer:
// PeriodEnd(t) when open at t, NextOpen(t) when closed. ok is false when nothing
// changes within Horizon of t, and always for a disabled schedule. Timers are meant to
// be driven by it: arm for the returned instant, then ask again at that instant.
func (c *Compiled) NextChange(t time.Time) (time.Time, bool) {
	if c.OpenAt(t) {
		return c.PeriodEnd(t)
	}
	return c.NextOpen(t)
}

// Periods returns the merged open periods from the start of local date from to the end
// of local date to (both inclusive), in UTC, sorted, clipped to that range. Periods are
// merged before they are clipped, so a period that began before from, or that goes on
// after to, shows up cut at the range edge, not split. A disabled schedule yields one
// period covering the whole range. The result is empty (not nil) when to is before
// from or nothing is open. The work and the result grow with the number of days:
// callers bound the range (the HTTP API allows at most 366 days).
func (c *Compiled) Periods(from, to Date) []Period {
	out := []Period{}
	first, last := from.dayNumber(), to.dayNumber()
	if last < first {
		return out
	}
	z := c.zone
	lo := z.resolve(first * secondsPerDay)
	hi := z.resolve((last + 1) * secondsPerDay)
	if lo >= hi {
		return out
	}
	if !c.enabled {
		return append(out, Period{Start: time.Unix(lo, 0).UTC(), End: time.Unix(hi, 0).UTC()})
	}
	emit := func(s, e int64) {
		s, e = max(s, lo), min(e, hi)
		if s < e {
			out = append(out, Period{Start: time.Unix(s, 0).UTC(), End: time.Unix(e, 0).UTC()})
		}
	}
	cs, ce, open := int64(0), int64(0), false
	c.each(first-3, last, func(s, e int64) bool {
		switch {
		case !open:
			cs, ce, open = s, e, true
		case s <= ce:
			ce = max(ce, e)
		default:
			emit(cs, ce)
			cs, ce = s, e
		}
		return true
	})
	if open {
		emit(cs, ce)
	}
	return out
}
