package schedule

import (
	"fmt"
	"sort"
	"strconv"
)

// Merge is a group of one day's intervals that overlap or touch: the schedule treats
// them as the single interval Into (docs/protocol.md#schedules).
type Merge struct {
	// Path is the day's list: "weekly.mon" or "exceptions[0].intervals".
	Path string `json:"path"`
	// Indices are the positions of the merged intervals in that list, ascending.
	Indices []int `json:"indices"`
	// Intervals are those intervals as written, in Indices order.
	Intervals []Interval `json:"intervals"`
	// Into is the interval they act as; its To is "24:00" at midnight and earlier
	// than From when it runs into the next day.
	Into Interval `json:"into"`
}

// Merges lists every group of two or more intervals of a day that Compile joins, the
// weekly days in Weekdays order, then the exceptions in order; within a day, by start.
// It is meant for a valid schedule (Validate); an invalid day is skipped. Never nil.
func (s Schedule) Merges() []Merge {
	out := []Merge{}
	for _, key := range Weekdays {
		out = appendMerges(out, "weekly."+key, s.Weekly[key])
	}
	for i, e := range s.Exceptions {
		out = appendMerges(out, "exceptions["+strconv.Itoa(i)+"].intervals", e.Intervals)
	}
	return out
}

func appendMerges(out []Merge, path string, list []Interval) []Merge {
	if len(list) < 2 || len(checkDay(nil, path, list)) > 0 {
		return out
	}
	spans, groups := mergeDay(list)
	for i, g := range groups {
		if len(g) < 2 {
			continue
		}
		idx := append([]int(nil), g...)
		sort.Ints(idx)
		m := Merge{Path: path, Indices: idx, Into: Interval{From: spanClock(spans[i].from), To: spanClock(spans[i].to)}}
		for _, j := range idx {
			m.Intervals = append(m.Intervals, list[j])
		}
		out = append(out, m)
	}
	return out
}

// spanClock writes wall seconds of a span as HH:MM: 86400 is "24:00", later ones
// are the next day's clock.
func spanClock(sec int64) string {
	if sec != secondsPerDay {
		sec %= secondsPerDay
	}
	return fmt.Sprintf("%02d:%02d", sec/3600, sec%3600/60)
}
