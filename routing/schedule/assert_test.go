package schedule

import (
	"reflect"
	"testing"
	"time"
	_ "time/tzdata"
)

// Small in-house assert helpers, in the style of coder/websocket's.

func assertEqual[T any](tb testing.TB, name string, got, want T) {
	tb.Helper()
	if !reflect.DeepEqual(got, want) {
		tb.Fatalf("%s: got %v, want %v", name, got, want)
	}
}

func assertNoError(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatalf("unexpected error: %v", err)
	}
}

// instant parses an RFC 3339 instant or fails the test.
func instant(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		tb.Fatalf("bad instant %q: %v", s, err)
	}
	return t
}

// date parses a YYYY-MM-DD date or fails the test.
func date(tb testing.TB, s string) Date {
	tb.Helper()
	d, err := ParseDate(s)
	if err != nil {
		tb.Fatalf("bad date %q: %v", s, err)
	}
	return d
}

// compile parses and compiles a schedule given as JSON, or fails the test.
func compile(tb testing.TB, js string) *Compiled {
	tb.Helper()
	s, err := Parse([]byte(js))
	if err != nil {
		tb.Fatalf("Parse(%s): %v", js, err)
	}
	c, err := Compile(s)
	if err != nil {
		tb.Fatalf("Compile(%s): %v", js, err)
	}
	return c
}

// probe is an instant and whether the schedule must be open at it.
type probe struct {
	at   string
	open bool
}

func checkProbes(tb testing.TB, c *Compiled, probes []probe) {
	tb.Helper()
	for _, p := range probes {
		if got := c.OpenAt(instant(tb, p.at)); got != p.open {
			tb.Errorf("OpenAt(%s) = %v, want %v", p.at, got, p.open)
		}
	}
}

// checkTime asserts a (time, ok) answer; want "" means ok must be false.
func checkTime(tb testing.TB, name string, got time.Time, ok bool, want string) {
	tb.Helper()
	switch {
	case want == "" && ok:
		tb.Errorf("%s = %s, want none", name, got.Format(time.RFC3339))
	case want == "":
	case !ok:
		tb.Errorf("%s = none, want %s", name, want)
	case !got.Equal(instant(tb, want)) || got.Location() != time.UTC:
		tb.Errorf("%s = %s, want %s (UTC)", name, got.Format(time.RFC3339), want)
	}
}

func fmtPeriods(ps []Period) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.Start.Format(time.RFC3339)+" "+p.End.Format(time.RFC3339))
	}
	return out
}
