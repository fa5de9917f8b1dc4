package schedule

import (
	"sort"
	"time"
)

// Compiled is a validated schedule in a form that answers questions fast: OpenAt takes
// well under a microsecond and allocates nothing. A Compiled is immutable and safe for
// concurrent use by any number of goroutines.
//
// All instants it returns are in UTC. Instants are taken at whole-second precision
// (every boundary of a schedule falls on a whole second, so this loses nothing).
// Limits, all far outside any real use: the zone's offsets are those of the time
// package from 1800 to 2400, with the offset in force in 1800 assumed before and the
// one in force at the last change before 2400 assumed after; OpenAt clamps instants
// to about 35 million years either side of 1970, and PeriodEnd, NextOpen and
// NextChange answer ok=false beyond that.
type Compiled struct {
	enabled bool
	zone    *zone

	// week holds the spans of each weekday, 0 = Sunday .. 6 = Saturday.
	week [7][]span
	// excDays holds the local day numbers (days since 1970-01-01) of the exceptions,
	// sorted; excSpans[i] holds the spans of excDays[i].
	excDays  []int64
	excSpans [][]span
}

// span is one day's open time in wall seconds from that day's local midnight:
// [from, to), with to > from. An overnight interval has to > 86400; "24:00" is 86400.
// A day's spans are sorted and merged (overlapping or touching ones joined), which
// changes no answer because resolving wall times to instants is monotone.
type span struct {
	from, to int64
}

// Compile validates s (see Validate) and compiles it. A disabled schedule with an
// empty timezone uses UTC for its local days (LocalDayStart, Periods).
func Compile(s Schedule) (*Compiled, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	name := s.Timezone
	if name == "" {
		name = "UTC"
	}
	z, err := loadZone(name)
	if err != nil { // Validate loaded it already; kept for safety
		return nil, &Error{Path: "timezone", Message: "unknown time zone"}
	}
	c := &Compiled{enabled: s.Enabled, zone: z}
	for key, list := range s.Weekly {
		c.week[weekdayIndex(key)] = compileDay(list)
	}
	order := make([]int, len(s.Exceptions))
	days := make([]int64, len(s.Exceptions))
	for i, e := range s.Exceptions {
		d, _ := ParseDate(e.Date)
		order[i], days[i] = i, d.dayNumber()
	}
	sort.Slice(order, func(a, b int) bool { return days[order[a]] < days[order[b]] })
	for _, i := range order {
		c.excDays = append(c.excDays, days[i])
		c.excSpans = append(c.excSpans, compileDay(s.Exceptions[i].Intervals))
	}
	return c, nil
}

func compileDay(list []Interval) []span {
	spans, _ := mergeDay(list)
	return spans
}

// mergeDay turns a valid day's list into its sorted spans, overlapping or touching ones
// joined (the one merge rule of the package); groups[i] holds the positions in list of
// the intervals that make spans[i].
func mergeDay(list []Interval) (spans []span, groups [][]int) {
	order := make([]int, len(list))
	all := make([]span, len(list))
	for i, iv := range list {
		from, _ := parseClock(iv.From)
		to, _ := parseClock(iv.To)
		if to < from {
			to += secondsPerDay
		}
		order[i], all[i] = i, span{int64(from), int64(to)}
	}
	sort.SliceStable(order, func(a, b int) bool { return all[order[a]].from < all[order[b]].from })
	spans = make([]span, 0, len(list))
	for _, i := range order {
		sp := all[i]
		if n := len(spans); n > 0 && sp.from <= spans[n-1].to {
			spans[n-1].to = max(spans[n-1].to, sp.to)
			groups[n-1] = append(groups[n-1], i)
			continue
		}
		spans = append(spans, sp)
		groups = append(groups, []int{i})
	}
	return spans, groups
}

// Location returns the schedule's time zone (UTC for a disabled schedule without one).
func (c *Compiled) Location() *time.Location { return c.zone.loc }

// Enabled reports whether the schedule restricts anything; when false, OpenAt is
// always true and nothing ever changes.
func (c *Compiled) Enabled() bool { return c.enabled }

// LocalDayStart returns the instant, in UTC, at which local date d begins in the
// schedule's zone: its 00:00, or, when midnight falls in a DST gap, the first instant
// after the gap; when the whole date is skipped (Pacific/Apia, 2011-12-30) that is the
// start of the next date.
func (c *Compiled) LocalDayStart(d Date) time.Time {
	return time.Unix(c.zone.resolve(d.dayNumber()*secondsPerDay), 0).UTC()
}

// spansOn returns the spans of local day number d: its exception's if it has one,
// else its weekday's.
func (c *Compiled) spansOn(d int64) []span {
	if n := len(c.excDays); n > 0 && d >= c.excDays[0] && d <= c.excDays[n-1] {
		lo, hi := 0, n
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			if c.excDays[m] < d {
				lo = m + 1
			} else {
				hi = m
			}
		}
		if c.excDays[lo] == d {
			return c.excSpans[lo]
		}
	}
	return c.week[weekdayOf(d)]
}

// weekdayOf returns the weekday of local day number d, 0 = Sunday (1970-01-01 was a
// Thursday).
func weekdayOf(d int64) int {
	w := (d + 4) % 7
	if w < 0 {
		w += 7
	}
	return int(w)
}
