package schedule

import (
	"fmt"
	"testing"
	"time"
)

// 2026-06-01 is a Monday; Europe/Paris is on CEST (UTC+2) all June.
const lunchBreak = `{"enabled":true,"timezone":"Europe/Paris","weekly":{
	"mon":[{"from":"08:00","to":"12:00"},{"from":"13:00","to":"17:00"}],
	"tue":[{"from":"13:00","to":"17:00"},{"from":"08:00","to":"12:00"}]}}`

func TestOpenAtLunchBreakBoundaries(t *testing.T) {
	c := compile(t, lunchBreak)
	checkProbes(t, c, []probe{
		{"2026-06-01T05:59:59Z", false},           // 07:59:59
		{"2026-06-01T05:59:59.999999999Z", false}, // 07:59:59.999999999
		{"2026-06-01T06:00:00Z", true},            // 08:00
		{"2026-06-01T08:00:00+02:00", true},       // 08:00, written in local time
		{"2026-06-01T09:59:59Z", true},            // 11:59:59
		{"2026-06-01T10:00:00Z", false},           // 12:00
		{"2026-06-01T10:59:59Z", false},           // 12:59:59
		{"2026-06-01T11:00:00Z", true},            // 13:00
		{"2026-06-01T14:59:59Z", true},            // 16:59:59
		{"2026-06-01T15:00:00Z", false},           // 17:00
		{"2026-06-02T06:30:00Z", true},            // tuesday, listed out of order
		{"2026-06-03T06:30:00Z", false},           // wednesday: no key, closed
	})
}

func TestNextChangeLunchBreak(t *testing.T) {
	c := compile(t, lunchBreak)
	tests := []struct {
		name, at                        string
		periodEnd, nextOpen, nextChange string
	}{
		{"before opening", "2026-06-01T05:00:00Z", "", "2026-06-01T06:00:00Z", "2026-06-01T06:00:00Z"},
		{"a second before", "2026-06-01T05:59:59.5Z", "", "2026-06-01T06:00:00Z", "2026-06-01T06:00:00Z"},
		{"at opening", "2026-06-01T06:00:00Z", "2026-06-01T10:00:00Z", "", "2026-06-01T10:00:00Z"},
		{"at lunch", "2026-06-01T10:00:00Z", "", "2026-06-01T11:00:00Z", "2026-06-01T11:00:00Z"},
		{"afternoon", "2026-06-01T14:59:59Z", "2026-06-01T15:00:00Z", "", "2026-06-01T15:00:00Z"},
		{"evening", "2026-06-01T15:00:00Z", "", "2026-06-02T06:00:00Z", "2026-06-02T06:00:00Z"},
		{"tuesday evening to next monday", "2026-06-02T18:00:00Z", "", "2026-06-08T06:00:00Z", "2026-06-08T06:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at := instant(t, tt.at)
			end, ok := c.PeriodEnd(at)
			checkTime(t, "PeriodEnd", end, ok, tt.periodEnd)
			next, ok := c.NextOpen(at)
			checkTime(t, "NextOpen", next, ok, tt.nextOpen)
			change, ok := c.NextChange(at)
			checkTime(t, "NextChange", change, ok, tt.nextChange)
		})
	}
}

// Fri 2026-06-05 22:00 to Sat 06:00 Paris (CEST) is 2026-06-05T20:00Z to 2026-06-06T04:00Z.
func TestExceptionsAndOvernightShift(t *testing.T) {
	const weekly = `"weekly":{"fri":[{"from":"22:00","to":"06:00"}]}`
	tests := []struct {
		name       string
		exceptions string
		probes     []probe
	}{
		{"no exception", `[]`, []probe{
			{"2026-06-05T19:59:59Z", false},
			{"2026-06-05T21:00:00Z", true}, // Fri 23:00
			{"2026-06-06T00:00:00Z", true}, // Sat 02:00
			{"2026-06-06T03:59:59Z", true},
			{"2026-06-06T04:00:00Z", false},
		}},
		{"holiday on the friday closes the whole shift", `[{"date":"2026-06-05","intervals":[]}]`, []probe{
			{"2026-06-05T21:00:00Z", false},
			{"2026-06-06T00:00:00Z", false},
			{"2026-06-12T21:00:00Z", true}, // the next friday is back to normal
		}},
		{"null intervals mean closed too", `[{"date":"2026-06-05","intervals":null}]`, []probe{
			{"2026-06-05T21:00:00Z", false},
			{"2026-06-06T00:00:00Z", false},
		}},
		{"holiday on the saturday does not cut the friday night", `[{"date":"2026-06-06","intervals":[]}]`, []probe{
			{"2026-06-05T21:00:00Z", true},
			{"2026-06-06T00:00:00Z", true},
			{"2026-06-06T03:59:59Z", true},
			{"2026-06-06T04:00:00Z", false},
		}},
		{"exception replaces the weekly hours", `[{"date":"2026-06-05","intervals":[{"from":"20:00","to":"21:00"}]}]`, []probe{
			{"2026-06-05T18:30:00Z", true},
			{"2026-06-05T19:00:00Z", false},
			{"2026-06-05T21:00:00Z", false},
		}},
		{"exception on a closed day opens it", `[{"date":"2026-06-03","intervals":[{"from":"09:00","to":"10:00"}]}]`, []probe{
			{"2026-06-03T07:00:00Z", true},
			{"2026-06-10T07:00:00Z", false},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := compile(t, `{"enabled":true,"timezone":"Europe/Paris",`+weekly+`,"exceptions":`+tt.exceptions+`}`)
			checkProbes(t, c, tt.probes)
		})
	}
}

func TestHolidayNextOpenSkipsToNextWeek(t *testing.T) {
	c := compile(t, `{"enabled":true,"timezone":"Europe/Paris","weekly":{"fri":[{"from":"22:00","to":"06:00"}]},
		"exceptions":[{"date":"2026-06-05","intervals":[]}]}`)
	next, ok := c.NextOpen(instant(t, "2026-06-05T21:00:00Z"))
	checkTime(t, "NextOpen", next, ok, "2026-06-12T20:00:00Z")
}

func TestMerging(t *testing.T) {
	tests := []struct {
		name, weekly string
		at           string
		periodEnd    string
		nextOpen     string
	}{
		{"24:00 joins the next whole day", `{"mon":[{"from":"00:00","to":"24:00"}],"tue":[{"from":"00:00","to":"24:00"}]}`,
			"2026-06-01T08:00:00Z", "2026-06-02T22:00:00Z", ""},
		{"whole days, closed after", `{"mon":[{"from":"00:00","to":"24:00"}],"tue":[{"from":"00:00","to":"24:00"}]}`,
			"2026-06-02T22:00:00Z", "", "2026-06-07T22:00:00Z"},
		{"touching across midnight", `{"mon":[{"from":"18:00","to":"24:00"}],"tue":[{"from":"00:00","to":"02:00"}]}`,
			"2026-06-01T17:00:00Z", "2026-06-02T00:00:00Z", ""},
		{"00:00 as to ends at the next midnight", `{"mon":[{"from":"18:00","to":"00:00"}],"tue":[{"from":"00:00","to":"02:00"}]}`,
			"2026-06-01T17:00:00Z", "2026-06-02T00:00:00Z", ""},
		{"overlapping across midnight", `{"mon":[{"from":"20:00","to":"03:00"}],"tue":[{"from":"01:00","to":"05:00"}]}`,
			"2026-06-01T19:00:00Z", "2026-06-02T03:00:00Z", ""},
		{"overlapping in a day", `{"mon":[{"from":"08:00","to":"12:00"},{"from":"11:00","to":"14:00"}]}`,
			"2026-06-01T07:00:00Z", "2026-06-01T12:00:00Z", ""},
		{"overlap, next open skips past", `{"mon":[{"from":"08:00","to":"12:00"},{"from":"11:00","to":"14:00"}]}`,
			"2026-06-01T12:30:00Z", "", "2026-06-08T06:00:00Z"},
		{"contained interval", `{"mon":[{"from":"08:00","to":"18:00"},{"from":"09:00","to":"10:00"}]}`,
			"2026-06-01T07:30:00Z", "2026-06-01T16:00:00Z", ""},
		{"every day 22-06 does not merge", `{"mon":[{"from":"22:00","to":"06:00"}],"tue":[{"from":"22:00","to":"06:00"}]}`,
			"2026-06-01T21:00:00Z", "2026-06-02T04:00:00Z", ""},
		{"several whole days", `{"mon":[{"from":"08:00","to":"24:00"}],"tue":[{"from":"00:00","to":"24:00"}],"wed":[{"from":"00:00","to":"17:00"}]}`,
			"2026-06-01T07:00:00Z", "2026-06-03T15:00:00Z", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := compile(t, `{"enabled":true,"timezone":"Europe/Paris","weekly":`+tt.weekly+`}`)
			at := instant(t, tt.at)
			end, ok := c.PeriodEnd(at)
			checkTime(t, "PeriodEnd", end, ok, tt.periodEnd)
			next, ok := c.NextOpen(at)
			checkTime(t, "NextOpen", next, ok, tt.nextOpen)
		})
	}
}

// Zones far from UTC: the local weekday is not the UTC one.
func TestZonesAcrossTheDateLine(t *testing.T) {
	tests := []struct {
		zone   string
		probes []probe
	}{
		{"Pacific/Auckland", []probe{
			// Monday 2026-06-01 08:00 NZST (+12) is Sunday 20:00 UTC.
			{"2026-05-31T19:59:59Z", false},
			{"2026-05-31T20:00:00Z", true},
			{"2026-06-01T04:59:59Z", true},
			{"2026-06-01T05:00:00Z", false},
			// Monday 2026-01-05 08:00 NZDT (+13) is Sunday 19:00 UTC.
			{"2026-01-04T18:59:59Z", false},
			{"2026-01-04T19:00:00Z", true},
			// Monday 2026-06-01 08:00 UTC is Monday 20:00 local: closed.
			{"2026-06-01T08:00:00Z", false},
		}},
		{"Pacific/Kiritimati", []probe{
			// Monday 2026-06-01 08:00 +14 is Sunday 18:00 UTC.
			{"2026-05-31T17:59:59Z", false},
			{"2026-05-31T18:00:00Z", true},
			{"2026-06-01T02:59:59Z", true},
			{"2026-06-01T03:00:00Z", false},
			// Monday 12:00 UTC is Tuesday 02:00 local.
			{"2026-06-01T12:00:00Z", false},
		}},
		{"America/Adak", []probe{
			// Monday 2026-06-01 08:00 HDT (-9) is Monday 17:00 UTC.
			{"2026-06-01T16:59:59Z", false},
			{"2026-06-01T17:00:00Z", true},
			{"2026-06-02T01:59:59Z", true}, // Tuesday UTC, Monday local
			{"2026-06-02T02:00:00Z", false},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.zone, func(t *testing.T) {
			c := compile(t, `{"enabled":true,"timezone":"`+tt.zone+`","weekly":{"mon":[{"from":"08:00","to":"17:00"}]}}`)
			checkProbes(t, c, tt.probes)
		})
	}
}

func TestDisabledIsAlwaysOpen(t *testing.T) {
	for _, js := range []string{
		`{"enabled":false}`,
		`{"enabled":false,"timezone":"Europe/Paris","weekly":{"mon":[{"from":"08:00","to":"09:00"}]}}`,
	} {
		c := compile(t, js)
		assertEqual(t, "Enabled", c.Enabled(), false)
		for _, at := range []string{"2026-06-01T00:00:00Z", "2026-06-01T07:30:00Z", "2026-03-29T01:30:00Z", "1901-01-01T00:00:00Z", "2390-12-31T23:59:59Z"} {
			tm := instant(t, at)
			assertEqual(t, "OpenAt "+at, c.OpenAt(tm), true)
			_, ok := c.PeriodEnd(tm)
			assertEqual(t, "PeriodEnd ok", ok, false)
			_, ok = c.NextOpen(tm)
			assertEqual(t, "NextOpen ok", ok, false)
			_, ok = c.NextChange(tm)
			assertEqual(t, "NextChange ok", ok, false)
		}
	}
	c := compile(t, `{"enabled":false}`)
	assertEqual(t, "Location", c.Location(), time.UTC)
	assertEqual(t, "AlwaysOpen", mustCompile(t, AlwaysOpen()).OpenAt(instant(t, "2026-06-01T00:00:00Z")), true)
}

func mustCompile(tb testing.TB, s Schedule) *Compiled {
	tb.Helper()
	c, err := Compile(s)
	assertNoError(tb, err)
	return c
}

// everyDay returns a weekly object with the same intervals (a JSON array) every day.
func everyDay(intervals string) string {
	out := "{"
	for i, d := range Weekdays {
		if i > 0 {
			out += ","
		}
		out += `"` + d + `":` + intervals
	}
	return out + "}"
}

func TestHorizon(t *testing.T) {
	c := compile(t, `{"enabled":true,"timezone":"Europe/Paris","weekly":`+everyDay(`[{"from":"00:00","to":"24:00"}]`)+`}`)
	at := instant(t, "2026-03-29T01:30:00Z")
	assertEqual(t, "OpenAt 24/7", c.OpenAt(at), true)
	_, ok := c.PeriodEnd(at)
	assertEqual(t, "PeriodEnd 24/7 ok", ok, false)
	_, ok = c.NextChange(at)
	assertEqual(t, "NextChange 24/7 ok", ok, false)

	c = compile(t, `{"enabled":true,"timezone":"Europe/Paris","weekly":{"mon":[]}}`)
	assertEqual(t, "OpenAt never", c.OpenAt(at), false)
	_, ok = c.NextOpen(at)
	assertEqual(t, "NextOpen never ok", ok, false)
	_, ok = c.NextChange(at)
	assertEqual(t, "NextChange never ok", ok, false)

	// 2026-06-01 + 400 days = 2027-07-06. The horizon is inclusive.
	c = compile(t, `{"enabled":true,"timezone":"UTC","exceptions":[{"date":"2027-07-06","intervals":[{"from":"10:00","to":"11:00"}]}]}`)
	next, ok := c.NextOpen(instant(t, "2026-06-01T10:00:00Z"))
	checkTime(t, "NextOpen at the horizon", next, ok, "2027-07-06T10:00:00Z")
	next, ok = c.NextOpen(instant(t, "2026-06-01T09:59:59Z"))
	checkTime(t, "NextOpen past the horizon", next, ok, "")

	c = compile(t, `{"enabled":true,"timezone":"UTC","weekly":`+everyDay(`[{"from":"00:00","to":"24:00"}]`)+
		`,"exceptions":[{"date":"2027-07-06","intervals":[]}]}`)
	end, ok := c.PeriodEnd(instant(t, "2026-06-01T00:00:00Z"))
	checkTime(t, "PeriodEnd at the horizon", end, ok, "2027-07-06T00:00:00Z")
	end, ok = c.PeriodEnd(instant(t, "2026-05-31T23:59:59Z"))
	checkTime(t, "PeriodEnd past the horizon", end, ok, "")
	end, ok = c.NextChange(instant(t, "2026-12-01T00:00:00Z"))
	checkTime(t, "NextChange", end, ok, "2027-07-06T00:00:00Z")
}

// TestConcurrentUse shares one Compiled, and the zone cache, between goroutines; run
// with -race.
func TestConcurrentUse(t *testing.T) {
	c := compile(t, benchWeek)
	ts := spread(t, "2026-03-20T00:00:00Z", 30*24*time.Hour, 200)
	want := make([]bool, len(ts))
	for i, at := range ts {
		want[i] = c.OpenAt(at)
	}
	done := make(chan error, 4)
	for g := 0; g < 4; g++ {
		go func() {
			for i, at := range ts {
				if c.OpenAt(at) != want[i] {
					done <- fmt.Errorf("OpenAt(%s) changed", at)
					return
				}
				c.NextChange(at)
			}
			_, err := Compile(Schedule{Enabled: true, Timezone: "Asia/Kathmandu"})
			done <- err
		}()
	}
	for g := 0; g < 4; g++ {
		assertNoError(t, <-done)
	}
}
