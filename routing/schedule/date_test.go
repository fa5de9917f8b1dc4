package schedule

import (
	"encoding/json"
	"testing"
	"time"
)

var jsonUnmarshal = json.Unmarshal

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want Date
		ok   bool
	}{
		{"2026-12-25", Date{2026, time.December, 25}, true},
		{"2024-02-29", Date{2024, time.February, 29}, true},
		{"2000-02-29", Date{2000, time.February, 29}, true},
		{"0001-01-01", Date{1, time.January, 1}, true},
		{"1900-02-29", Date{}, false},
		{"2026-02-29", Date{}, false},
		{"2026-04-31", Date{}, false},
		{"2026-13-01", Date{}, false},
		{"2026-00-01", Date{}, false},
		{"2026-01-00", Date{}, false},
		{"2026-1-01", Date{}, false},
		{"2026-01-1", Date{}, false},
		{"26-01-01", Date{}, false},
		{"2026/01/01", Date{}, false},
		{"2026-01-01T00:00:00Z", Date{}, false},
		{" 2026-01-01", Date{}, false},
		{"+026-01-01", Date{}, false},
		{"2026-0a-01", Date{}, false},
		{"２０２６-01-01", Date{}, false},
		{"", Date{}, false},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("ParseDate(%q) error = %v, want ok=%v", tt.in, err, tt.ok)
			continue
		}
		assertEqual(t, "ParseDate("+tt.in+")", got, tt.want)
		if tt.ok {
			assertEqual(t, "String", got.String(), tt.in)
		} else if e, isErr := err.(*Error); !isErr || e.Path != "" {
			t.Errorf("ParseDate(%q) error %#v, want *Error without a path", tt.in, err)
		}
	}
}

func TestDateArithmetic(t *testing.T) {
	d := Date{2026, time.December, 30}
	assertEqual(t, "AddDays(2)", d.AddDays(2), Date{2027, time.January, 1})
	assertEqual(t, "AddDays(-365)", d.AddDays(-365), Date{2025, time.December, 30})
	assertEqual(t, "AddDays(0)", d.AddDays(0), d)
	assertEqual(t, "leap", Date{2024, time.February, 28}.AddDays(1), Date{2024, time.February, 29})
	assertEqual(t, "before 1970", Date{1969, time.December, 31}.AddDays(1), Date{1970, time.January, 1})
	assertEqual(t, "DaysBetween", DaysBetween(Date{2026, time.January, 1}, Date{2027, time.January, 1}), 365)
	assertEqual(t, "DaysBetween negative", DaysBetween(Date{1970, time.January, 2}, Date{1969, time.December, 30}), -3)
	assertEqual(t, "String pads", Date{987, time.March, 4}.String(), "0987-03-04")
	for n := -800; n <= 800; n += 7 {
		e := d.AddDays(n)
		assertEqual(t, "DaysBetween(AddDays)", DaysBetween(d, e), n)
		want := time.Date(2026, time.December, 30+n, 0, 0, 0, 0, time.UTC)
		assertEqual(t, "AddDays vs time", e, Date{want.Year(), want.Month(), want.Day()})
	}
}

func TestWeekdayOf(t *testing.T) {
	for n := int64(-1000); n < 1000; n += 13 {
		want := time.Unix(n*secondsPerDay, 0).UTC().Weekday()
		assertEqual(t, "weekdayOf", weekdayOf(n), int(want))
		assertEqual(t, "floorDiv", floorDiv(n*secondsPerDay-1, secondsPerDay), n-1)
	}
}
