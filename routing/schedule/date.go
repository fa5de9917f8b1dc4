package schedule

import (
	"strconv"
	"time"
)

// Date is a civil (calendar) date with no time zone attached. The zero Date is not a
// valid date. AddDays, DaysBetween and the Compiled methods taking a Date normalize
// out-of-range fields the way time.Date does (February 30 is March 2 or 1); String
// prints the fields as they are.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate parses a strict "YYYY-MM-DD" date: exactly four, two and two ASCII digits
// separated by '-', naming a real calendar date (2026-02-29 is rejected). Years 0000 to
// 9999 are accepted here; exceptions further restrict them (see Validate). A failure is
// an *Error with an empty Path.
func ParseDate(s string) (Date, error) {
	bad := &Error{Message: "must be a date YYYY-MM-DD"}
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, bad
	}
	y, ok1 := digits(s[0:4])
	m, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 {
		return Date{}, bad
	}
	if m < 1 || m > 12 || d < 1 || d > daysIn(time.Month(m), y) {
		return Date{}, &Error{Message: "must be a real calendar date YYYY-MM-DD"}
	}
	return Date{Year: y, Month: time.Month(m), Day: d}, nil
}

// digits parses a fixed-width run of ASCII digits.
func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// String formats d as "YYYY-MM-DD" (years below 1000 are zero-padded to four digits).
func (d Date) String() string {
	b := make([]byte, 0, 10)
	b = appendPadded(b, d.Year, 4)
	b = append(b, '-')
	b = appendPadded(b, int(d.Month), 2)
	b = append(b, '-')
	b = appendPadded(b, d.Day, 2)
	return string(b)
}

func appendPadded(b []byte, n, width int) []byte {
	if n < 0 {
		b = append(b, '-')
		n = -n
	}
	s := strconv.Itoa(n)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// AddDays returns the date n days after d (before it when n is negative).
func (d Date) AddDays(n int) Date {
	return dateOfDay(d.dayNumber() + int64(n))
}

// DaysBetween returns the number of days from a to b (b - a): 1 for consecutive dates,
// negative when b is before a.
func DaysBetween(a, b Date) int {
	return int(b.dayNumber() - a.dayNumber())
}

// dayNumber is the number of days from 1970-01-01 to d (the local civil epoch: local
// day numbers, not instants).
func (d Date) dayNumber() int64 {
	return floorDiv(time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Unix(), secondsPerDay)
}

func dateOfDay(n int64) Date {
	y, m, d := time.Unix(n*secondsPerDay, 0).UTC().Date()
	return Date{Year: y, Month: m, Day: d}
}

// floorDiv is a / b rounded towards minus infinity, for b > 0.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}
