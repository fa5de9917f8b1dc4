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

// Validate checks a decoded schedule against PROTOCOL.md section 2 and returns the
// first problem found as an *Error, or nil. The order is fixed, so the same input always
// names the same field: the timezone, then the weekly days in Weekdays order, then
// unknown weekday keys (sorted), then the exceptions in order (date before intervals).
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
	if s.Enabled || s.Timezone != "" {
		if err := checkTimezone(s.Timezone); err != nil {
			return err
		}
	}
	for _, key := range Weekdays {
		if err := checkDay("weekly."+key, s.Weekly[key]); err != nil {
			return err
		}
	}
	if unknown := unknownWeekdays(s.Weekly); len(unknown) > 0 {
		return &Error{Path: "weekly." + unknown[0], Message: "unknown weekday: use mon, tue, wed, thu, fri, sat or sun"}
	}
	seen := make(map[Date]int, len(s.Exceptions))
	for i, e := range s.Exceptions {
		p := "exceptions[" + strconv.Itoa(i) + "]"
		d, err := ParseDate(e.Date)
		if err != nil {
			return &Error{Path: p + ".date", Message: err.(*Error).Message}
		}
		if d.Year < MinExceptionYear || d.Year > MaxExceptionYear {
			return &Error{Path: p + ".date", Message: "year must be between " +
				strconv.Itoa(MinExceptionYear) + " and " + strconv.Itoa(MaxExceptionYear)}
		}
		if j, dup := seen[d]; dup {
			return &Error{Path: p + ".date", Message: "duplicate date " + e.Date + " (also exceptions[" + strconv.Itoa(j) + "])"}
		}
		seen[d] = i
		if err := checkDay(p+".intervals", e.Intervals); err != nil {
			return err
		}
	}
	return nil
}

func checkTimezone(name string) error {
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

// checkDay validates one day's list; path is the list's own path.
func checkDay(path string, list []Interval) error {
	if len(list) > MaxIntervalsPerDay {
		return &Error{Path: path, Message: "at most " + strconv.Itoa(MaxIntervalsPerDay) + " intervals a day"}
	}
	for i, iv := range list {
		p := path + "[" + strconv.Itoa(i) + "]"
		from, ok := parseClock(iv.From)
		if !ok {
			return &Error{Path: p + ".from", Message: "must be HH:MM between 00:00 and 23:59"}
		}
		if from == secondsPerDay {
			return &Error{Path: p + ".from", Message: "24:00 is allowed only as to"}
		}
		to, ok := parseClock(iv.To)
		if !ok {
			return &Error{Path: p + ".to", Message: "must be HH:MM between 00:00 and 24:00"}
		}
		if to == from {
			return &Error{Path: p + ".to", Message: "must differ from from (use 00:00 to 24:00 for a whole day)"}
		}
	}
	return nil
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
