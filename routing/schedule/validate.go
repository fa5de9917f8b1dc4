package schedule

import (
	"sort"
	"strconv"
)

// Exception dates must fall within these years (inclusive).
const (
	MinExceptionYear = 1900
	MaxExceptionYear = 2199
)

// Validate checks a decoded schedule against docs/protocol.md#schedules and returns the
// first problem found as an *Error, or nil: the first of Problems.
//
// Rules: when Enabled, Timezone must name an IANA zone that time.LoadLocation knows
// ("UTC" is fine, "" and "Local" are not); when not Enabled it may be empty, but a
// non-empty one must still be valid. Times are "HH:MM" with exactly two digits each,
// 00:00 to 23:59, and "24:00" only as To; From == To is invalid (reported on To).
// A day holds at most MaxIntervalsPerDay intervals (reported on the list). Exception
// dates are real YYYY-MM-DD dates in MinExceptionYear..MaxExceptionYear, each at most
// once (the later duplicate is reported). The weekly and exception content is checked
// even when the schedule is disabled: bad input is bad input. A missing or null weekday
// means closed that day.
func (s Schedule) Validate() error {
	if p := s.Problems(); len(p) > 0 {
		return p[0]
	}
	return nil
}

// Problems returns every problem of s (the rules of Validate), nil when it is valid.
// The order is fixed, so the same input always gives the same list: the timezone, then
// the weekly days in Weekdays order, then unknown weekday keys (sorted), then the
// exceptions in order (date before intervals). Each field is named once at most: an
// interval whose from is bad is not also checked for to == from.
func (s Schedule) Problems() []*Error {
	var out []*Error
	if s.Enabled || s.Timezone != "" {
		if err := checkTimezone(s.Timezone); err != nil {
			out = append(out, err)
		}
	}
	for _, key := range Weekdays {
		out = checkDay(out, "weekly."+key, s.Weekly[key])
	}
	for _, k := range unknownWeekdays(s.Weekly) {
		out = append(out, &Error{Path: "weekly." + k, Message: "unknown weekday: use mon, tue, wed, thu, fri, sat or sun"})
	}
	seen := make(map[Date]int, len(s.Exceptions))
	for i, e := range s.Exceptions {
		p := "exceptions[" + strconv.Itoa(i) + "]"
		if err := checkExceptionDate(p+".date", e.Date, i, seen); err != nil {
			out = append(out, err)
		}
		out = checkDay(out, p+".intervals", e.Intervals)
	}
	return out
}

// checkExceptionDate checks the date of exception i, recording it in seen.
func checkExceptionDate(path, date string, i int, seen map[Date]int) *Error {
	d, err := ParseDate(date)
	if err != nil {
		return &Error{Path: path, Message: err.(*Error).Message}
	}
	if d.Year < MinExceptionYear || d.Year > MaxExceptionYear {
		return &Error{Path: path, Message: "year must be between " +
			strconv.Itoa(MinExceptionYear) + " and " + strconv.Itoa(MaxExceptionYear)}
	}
	if j, dup := seen[d]; dup {
		return &Error{Path: path, Message: "duplicate date " + date + " (also exceptions[" + strconv.Itoa(j) + "])"}
	}
	seen[d] = i
	return nil
}

func checkTimezone(name string) *Error {
	switch name {
	case "":
		return &Error{Path: "timezone", Message: "required when the schedule is enabled"}
	case "Local":
		return &Error{Path: "timezone", Message: "must be an IANA time zone name such as Europe/Paris, not Local"}
	}
	if _, err := loadZone(name); err != nil {
		return &Error{Path: "timezone", Message: "unknown time zone " + strconv.Quote(name)}
	}
	return nil
}

func unknownWeekdays(weekly map[string][]Interval) []string {
	var unknown []string
	for k := range weekly {
		if weekdayIndex(k) < 0 {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	return unknown
}

// weekdayIndex maps a Weekly key to 0 (Sunday) .. 6 (Saturday), or -1.
func weekdayIndex(key string) int {
	for i, k := range Weekdays {
		if k == key {
			return (i + 1) % 7
		}
	}
	return -1
}

// checkDay appends the problems of one day's list to out; path is the list's own path.
// A list that is too long is reported on the list, and its intervals are not checked.
func checkDay(out []*Error, path string, list []Interval) []*Error {
	if len(list) > MaxIntervalsPerDay {
		return append(out, &Error{Path: path, Message: "at most " + strconv.Itoa(MaxIntervalsPerDay) + " intervals a day"})
	}
	for i, iv := range list {
		p := path + "[" + strconv.Itoa(i) + "]"
		from, okFrom := parseClock(iv.From)
		switch {
		case !okFrom:
			out = append(out, &Error{Path: p + ".from", Message: "must be HH:MM between 00:00 and 23:59"})
		case from == secondsPerDay:
			out = append(out, &Error{Path: p + ".from", Message: "24:00 is allowed only as to"})
			okFrom = false
		}
		to, ok := parseClock(iv.To)
		switch {
		case !ok:
			out = append(out, &Error{Path: p + ".to", Message: "must be HH:MM between 00:00 and 24:00"})
		case okFrom && to == from:
			out = append(out, &Error{Path: p + ".to", Message: "must differ from from (use 00:00 to 24:00 for a whole day)"})
		}
	}
	return out
}

// parseClock parses "HH:MM" (exactly two digits each, 00:00..23:59, or 24:00) into
// seconds after midnight.
func parseClock(s string) (int32, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	h, ok1 := digits(s[0:2])
	m, ok2 := digits(s[3:5])
	if !ok1 || !ok2 || m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, false
	}
	return int32(h*3600 + m*60), true
}

// Normalize returns a deep copy of s in its canonical JSON shape: Weekly holds all
// seven weekday keys (a missing or null day becomes an empty, non-nil slice),
// Exceptions and every Intervals list are non-nil. The meaning is unchanged, and so is
// any key Validate would reject (it is copied, not dropped). Use it before storing or
// writing a schedule so that the output is stable.
func (s Schedule) Normalize() Schedule {
	out := Schedule{Enabled: s.Enabled, Timezone: s.Timezone, Weekly: make(map[string][]Interval, 7)}
	for k, v := range s.Weekly {
		out.Weekly[k] = copyIntervals(v)
	}
	for _, k := range Weekdays {
		if out.Weekly[k] == nil {
			out.Weekly[k] = []Interval{}
		}
	}
	out.Exceptions = make([]Exception, len(s.Exceptions))
	for i, e := range s.Exceptions {
		out.Exceptions[i] = Exception{Date: e.Date, Intervals: copyIntervals(e.Intervals)}
	}
	return out
}

func copyIntervals(v []Interval) []Interval {
	out := make([]Interval, len(v))
	copy(out, v)
	return out
}
