package schedule

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"
)

var fuzzInstants = []time.Time{
	time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC),
	time.Date(2026, 11, 1, 5, 45, 0, 0, time.UTC),
	time.Date(2011, 12, 30, 9, 0, 0, 0, time.UTC),
	time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC),
	time.Date(2199, 12, 31, 23, 59, 59, 0, time.UTC),
	time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC),
	{},
}

// FuzzParse: Parse never panics and only returns *Error; what it accepts compiles, can
// be asked questions with consistent answers, and survives a JSON round trip of its
// normalized form unchanged.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		lunchBreak,
		`{"enabled":true,"timezone":"Europe/Paris","weekly":{"mon":[{"from":"08:00","to":"12:00"},{"from":"13:00","to":"17:00"}],` +
			`"tue":[],"wed":[],"thu":[],"fri":[],"sat":[],"sun":[]},"exceptions":[{"date":"2026-12-25","intervals":[]},` +
			`{"date":"2026-12-24","intervals":[{"from":"08:00","to":"12:00"}]}]}`,
		`{"enabled":true,"timezone":"Pacific/Apia","weekly":{"thu":[{"from":"22:00","to":"06:00"}],"fri":[{"from":"00:00","to":"24:00"}]},` +
			`"exceptions":[{"date":"2011-12-30","intervals":[{"from":"09:00","to":"17:00"}]}]}`,
		`{"enabled":true,"timezone":"America/New_York","exceptions":[{"date":"2026-03-08","intervals":[{"from":"02:30","to":"01:30"}]}]}`,
		`{"enabled":false}`,
		`{"enabled":false,"timezone":"","weekly":{"sun":null},"exceptions":null}`,
		`{"Enabled":true,"TimeZone":"UTC","weekly":{"mon":[{"FROM":"00:00","To":"24:00"}]}}`,
		`{"enabled":true,"timezone":"Local"}`,
		`{"weekly":{"monday":[]}}`,
		`{"exceptions":[{"date":"2026-02-29"}]}`,
		`{"weekly":{"mon":[{"from":8}]}}`,
		`null`, `[]`, `{`, `"x"`, ``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(data)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse error %T %v, want *Error", err, err)
			}
			return
		}
		c, err := Compile(s)
		if err != nil {
			t.Fatalf("Parse accepted what Compile rejects: %v", err)
		}
		for _, at := range fuzzInstants {
			open := c.OpenAt(at)
			if next, ok := c.NextChange(at); ok && (c.OpenAt(next) == open || !next.After(at)) {
				t.Fatalf("NextChange(%s) = %s is not a change", at, next)
			}
			end, endOK := c.PeriodEnd(at)
			start, startOK := c.NextOpen(at)
			if endOK && (!open || !end.After(at)) || startOK && (open || !start.After(at)) {
				t.Fatalf("at %s: open %v, PeriodEnd %s %v, NextOpen %s %v", at, open, end, endOK, start, startOK)
			}
		}
		d := Date{2026, time.March, 28}
		for _, p := range c.Periods(d, d.AddDays(2)) {
			if !p.Start.Before(p.End) || !c.OpenAt(p.Start) || !c.OpenAt(p.End.Add(-time.Second)) {
				t.Fatalf("bad period %v", p)
			}
		}
		n := s.Normalize()
		js, err := json.Marshal(n)
		if err != nil {
			t.Fatal(err)
		}
		again, err := Parse(js)
		if err != nil {
			t.Fatalf("re-Parse(%s): %v", js, err)
		}
		if !reflect.DeepEqual(again, n) || !reflect.DeepEqual(again.Normalize(), n) {
			t.Fatalf("round trip changed the schedule:\n%#v\n%#v", n, again)
		}
	})
}
