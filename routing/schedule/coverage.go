package schedule

import (
	"slices"
	"time"
)

// Coverage: which parts of some hours' open periods no one is rostered for
// (docs/protocol.md#coverage).

// Gaps returns the parts of the open periods in which none of the shifts is open: in
// UTC, sorted, merged (no two touch) and never empty. shifts holds the hours of each
// agent who serves those periods, compiled from its own schedule, in whatever zone
// it is; a nil entry is an agent that follows the hours the periods come from, so it
// covers all of them and there is no gap. No shifts at all: every open period is a
// gap. open need not be sorted or merged (Periods' answer is both). Shifts that
// overlap or touch cover as one, so adjacent shifts leave no zero-length gap. The
// result is never nil.
func Gaps(open []Period, shifts []*Compiled) []Period {
	open = mergePeriods(open)
	if len(open) == 0 || slices.Contains(shifts, nil) {
		return []Period{}
	}
	lo, hi := open[0].Start, open[len(open)-1].End
	var on []Period
	for _, c := range shifts {
		on = append(on, c.Between(lo, hi)...)
	}
	return subtract(open, mergePeriods(on))
}

// Between returns the merged open periods of the schedule that fall within [lo, hi),
// in UTC, sorted, clipped to that span: Periods over the local dates that span holds
// in the schedule's zone. Empty (not nil) when hi is not after lo, or when either lies
// outside the range the package computes with.
func (c *Compiled) Between(lo, hi time.Time) []Period {
	out := []Period{}
	l, okLo := unixOf(lo)
	h, okHi := unixOf(hi)
	if !okLo || !okHi || !lo.Before(hi) {
		return out
	}
	first := dateOfDay(c.localDay(l) - 1)
	last := dateOfDay(c.localDay(h) + 1)
	for _, p := range c.Periods(first, last) {
		s, e := maxTime(p.Start, lo), minTime(p.End, hi)
		if s.Before(e) {
			out = append(out, Period{Start: s.UTC(), End: e.UTC()})
		}
	}
	return out
}

// mergePeriods returns ps sorted by start with overlapping and touching periods
// joined and empty ones dropped, in UTC. ps is not changed.
func mergePeriods(ps []Period) []Period {
	sorted := slices.Clone(ps)
	slices.SortFunc(sorted, func(a, b Period) int { return a.Start.Compare(b.Start) })
	out := []Period{}
	for _, p := range sorted {
		if !p.Start.Before(p.End) {
			continue
		}
		if n := len(out); n > 0 && !p.Start.After(out[n-1].End) {
			out[n-1].End = maxTime(out[n-1].End, p.End.UTC())
			continue
		}
		out = append(out, Period{Start: p.Start.UTC(), End: p.End.UTC()})
	}
	return out
}

// subtract returns the parts of open (merged) that cover (merged) does not hold.
func subtract(open, cover []Period) []Period {
	out := []Period{}
	j := 0
	for _, p := range open {
		at := p.Start
		for j < len(cover) && !cover[j].End.After(at) {
			j++ // ends before what is left of p
		}
		for k := j; k < len(cover) && cover[k].Start.Before(p.End); k++ {
			if cover[k].Start.After(at) {
				out = append(out, Period{Start: at, End: cover[k].Start})
			}
			at = maxTime(at, cover[k].End)
		}
		if at.Before(p.End) {
			out = append(out, Period{Start: at, End: p.End})
		}
	}
	return out
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
