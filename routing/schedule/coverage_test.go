package schedule

import (
	"strings"
	"testing"
	"time"
)

// hoursJSON is an enabled schedule in zone with a weekly object and an exceptions
// array (both JSON; "" for none).
func hoursJSON(zone, weekly, exceptions string) string {
	if exceptions == "" {
		exceptions = "[]"
	}
	return `{"enabled":true,"timezone":"` + zone + `","weekly":` + weekly + `,"exceptions":` + exceptions + `}`
}

// weekdays returns a weekly object with the same intervals (a JSON array) Monday to
// Friday.
func weekdays(intervals string) string {
	return `{"mon":` + intervals + `,"tue":` + intervals + `,"wed":` + intervals + `,"thu":` + intervals + `,"fri":` + intervals + `}`
}

const nineToFive = `[{"from":"09:00","to":"17:00"}]`

func TestGaps(t *testing.T) {
	paris := hoursJSON("Europe/Paris", weekdays(nineToFive), "")
	wholeSunday := func(zone string) string {
		return hoursJSON(zone, `{"sun":[{"from":"00:00","to":"24:00"}]}`, "")
	}
	tests := []struct {
		name     string
		site     string // the hours' schedule (JSON)
		from, to string // local dates of the site
		agents   []string
		want     []string // "start end" in RFC 3339 UTC
	}{
		{"no agents: every open period is a gap", paris, "2026-12-07", "2026-12-08", nil, []string{
			"2026-12-07T08:00:00Z 2026-12-07T16:00:00Z", "2026-12-08T08:00:00Z 2026-12-08T16:00:00Z"}},
		{"an agent with no schedule covers everything", paris, "2026-12-07", "2026-12-11", []string{""}, []string{}},
		{"an agent with no schedule beside one who leaves gaps", paris, "2026-12-07", "2026-12-11",
			[]string{hoursJSON("Europe/Paris", `{"mon":[{"from":"09:00","to":"10:00"}]}`, ""), ""}, []string{}},
		{"a shift that ends an hour early", paris, "2026-12-07", "2026-12-07",
			[]string{hoursJSON("Europe/Paris", weekdays(`[{"from":"09:00","to":"16:00"}]`), "")},
			[]string{"2026-12-07T15:00:00Z 2026-12-07T16:00:00Z"}},
		{"adjacent shifts of two agents cover the day: no zero-length gap", paris, "2026-12-07", "2026-12-11", []string{
			hoursJSON("Europe/Paris", weekdays(`[{"from":"09:00","to":"13:00"}]`), ""),
			hoursJSON("Europe/Paris", weekdays(`[{"from":"13:00","to":"17:00"}]`), "")}, []string{}},
		{"overlapping shifts with a lunch hole between two others", paris, "2026-12-07", "2026-12-07", []string{
			hoursJSON("Europe/Paris", weekdays(`[{"from":"08:00","to":"11:00"}]`), ""),
			hoursJSON("Europe/Paris", weekdays(`[{"from":"10:00","to":"12:00"}]`), ""),
			hoursJSON("Europe/Paris", weekdays(`[{"from":"13:00","to":"18:00"}]`), "")},
			[]string{"2026-12-07T11:00:00Z 2026-12-07T12:00:00Z"}},
		{"an agent whose hours are disabled is always on shift", paris, "2026-12-07", "2026-12-11",
			[]string{`{"enabled":false,"timezone":"UTC","weekly":{}}`}, []string{}},
		{"an agent with no hours at all covers nothing", paris, "2026-12-07", "2026-12-07",
			[]string{hoursJSON("Europe/Paris", `{}`, "")}, []string{"2026-12-07T08:00:00Z 2026-12-07T16:00:00Z"}},
		{"overnight hours, overnight shifts with a hole each night",
			hoursJSON("Europe/Berlin", everyDay(`[{"from":"22:00","to":"06:00"}]`), ""), "2026-12-07", "2026-12-08", []string{
				hoursJSON("Europe/Berlin", everyDay(`[{"from":"22:00","to":"02:00"}]`), ""),
				hoursJSON("Europe/Berlin", everyDay(`[{"from":"03:00","to":"06:00"}]`), "")}, []string{
				"2026-12-07T01:00:00Z 2026-12-07T02:00:00Z", // Sunday night's, clipped at the range's start
				"2026-12-08T01:00:00Z 2026-12-08T02:00:00Z", // Monday night's
			}}, // Tuesday night's is cut at the range's end, 00:00 Wednesday, before its hole
		{"overnight shift that runs into a special date's hours", paris, "2026-12-24", "2026-12-24", []string{
			hoursJSON("Europe/Paris", `{"wed":[{"from":"20:00","to":"10:00"}]}`, "")},
			[]string{"2026-12-24T09:00:00Z 2026-12-24T16:00:00Z"}},
		// Berlin springs forward at 2026-03-29 01:00Z (02:00 CET -> 03:00 CEST): a
		// 23-hour Sunday. A shift ending at 02:30, inside the gap, ends at the
		// transition, where the 03:00 shift starts: together they cover the day.
		{"DST gap: shifts meeting across the missing hour", wholeSunday("Europe/Berlin"), "2026-03-29", "2026-03-29", []string{
			hoursJSON("Europe/Berlin", `{"sun":[{"from":"00:00","to":"02:30"}]}`, ""),
			hoursJSON("Europe/Berlin", `{"sun":[{"from":"03:00","to":"24:00"}]}`, "")}, []string{}},
		{"DST gap: the hour after the transition uncovered", wholeSunday("Europe/Berlin"), "2026-03-29", "2026-03-29", []string{
			hoursJSON("Europe/Berlin", `{"sun":[{"from":"00:00","to":"02:00"}]}`, ""),
			hoursJSON("Europe/Berlin", `{"sun":[{"from":"04:00","to":"24:00"}]}`, "")},
			[]string{"2026-03-29T01:00:00Z 2026-03-29T02:00:00Z"}},
		// Berlin falls back at 2026-10-25 01:00Z (03:00 CEST -> 02:00 CET): a 25-hour
		// Sunday. 02:30 occurs twice and means the first (00:30Z); 03:00 is CET
		// (02:00Z): the second 02:00-03:00 and the end of the first are a gap.
		{"DST fold: the repeated hour uncovered", wholeSunday("Europe/Berlin"), "2026-10-25", "2026-10-25", []string{
			hoursJSON("Europe/Berlin", `{"sun":[{"from":"00:00","to":"02:30"}]}`, ""),
			hoursJSON("Europe/Berlin", `{"sun":[{"from":"03:00","to":"24:00"}]}`, "")},
			[]string{"2026-10-25T00:30:00Z 2026-10-25T02:00:00Z"}},
		{"DST fold: one whole-day shift covers all 25 hours", wholeSunday("Europe/Berlin"), "2026-10-25", "2026-10-25", []string{
			hoursJSON("Europe/Berlin", `{"sun":[{"from":"00:00","to":"24:00"}]}`, "")}, []string{}},
		// New York springs forward at 2026-03-08 07:00Z: its Sunday is 05:00Z to
		// 04:00Z; an agent in UTC rostered to 03:00Z leaves its last hour.
		{"DST gap in New York, agent in UTC", wholeSunday("America/New_York"), "2026-03-08", "2026-03-08", []string{
			hoursJSON("UTC", `{"sun":[{"from":"05:00","to":"24:00"}],"mon":[{"from":"00:00","to":"03:00"}]}`, "")},
			[]string{"2026-03-09T03:00:00Z 2026-03-09T04:00:00Z"}},
		{"DST fold in New York, its 25 hours against a same-zone shift", wholeSunday("America/New_York"), "2026-11-01", "2026-11-01", []string{
			hoursJSON("America/New_York", `{"sun":[{"from":"00:00","to":"01:30"},{"from":"02:00","to":"24:00"}]}`, "")},
			[]string{"2026-11-01T05:30:00Z 2026-11-01T07:00:00Z"}},
		{"an agent in another zone than the site", hoursJSON("America/New_York", weekdays(nineToFive), ""), "2026-12-07", "2026-12-07", []string{
			hoursJSON("Europe/Berlin", weekdays(`[{"from":"15:00","to":"20:00"}]`), "")}, // 14:00Z-19:00Z
			[]string{"2026-12-07T19:00:00Z 2026-12-07T22:00:00Z"}},
		// Auckland is UTC+13 in December: its Monday 09:00-17:00 is Sunday 20:00Z to
		// Monday 04:00Z, covered by a UTC agent's Sunday evening and Monday morning.
		{"a site whose day is not UTC's", hoursJSON("Pacific/Auckland", weekdays(nineToFive), ""), "2026-12-07", "2026-12-07", []string{
			hoursJSON("UTC", `{"sun":[{"from":"20:00","to":"24:00"}],"mon":[{"from":"00:00","to":"03:00"}]}`, "")},
			[]string{"2026-12-07T03:00:00Z 2026-12-07T04:00:00Z"}},
		// Honolulu is UTC-10: the UTC site's Tuesday 00:00-08:00 is the agent's Monday.
		{"an agent whose day is not the site's", hoursJSON("UTC", `{"tue":[{"from":"00:00","to":"08:00"}]}`, ""), "2026-12-08", "2026-12-08", []string{
			hoursJSON("Pacific/Honolulu", `{"mon":[{"from":"14:00","to":"20:00"}]}`, "")},
			[]string{"2026-12-08T06:00:00Z 2026-12-08T08:00:00Z"}},
		{"special dates of the site and of an agent",
			hoursJSON("Europe/Paris", weekdays(nineToFive), `[{"date":"2026-12-25","intervals":[]},{"date":"2026-12-24","intervals":[{"from":"09:00","to":"12:00"}]}]`),
			"2026-12-23", "2026-12-25", []string{
				hoursJSON("Europe/Paris", weekdays(nineToFive), `[{"date":"2026-12-23","intervals":[{"from":"10:00","to":"12:00"}]}]`)}, []string{
				"2026-12-23T08:00:00Z 2026-12-23T09:00:00Z",
				"2026-12-23T11:00:00Z 2026-12-23T16:00:00Z",
			}},
		{"hours disabled: the whole range is open", `{"enabled":false,"timezone":"UTC","weekly":{}}`, "2026-12-07", "2026-12-07",
			[]string{hoursJSON("UTC", weekdays(nineToFive), "")},
			[]string{"2026-12-07T00:00:00Z 2026-12-07T09:00:00Z", "2026-12-07T17:00:00Z 2026-12-08T00:00:00Z"}},
		{"closed range: no gaps", paris, "2026-12-12", "2026-12-13", nil, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			shifts := []*Compiled{}
			for _, a := range tt.agents {
				if a == "" {
					shifts = append(shifts, nil)
					continue
				}
				shifts = append(shifts, compile(t, a))
			}
			open := compile(t, tt.site).Periods(date(t, tt.from), date(t, tt.to))
			gaps := Gaps(open, shifts)
			assertEqual(t, "Gaps", fmtPeriods(gaps), tt.want)
			checkMergedUTC(t, gaps)
		})
	}
}

// checkMergedUTC fails unless ps is sorted, in UTC, with no empty period and no two
// that touch or overlap.
func checkMergedUTC(t *testing.T, ps []Period) {
	t.Helper()
	if ps == nil {
		t.Fatal("nil, want an empty list")
	}
	for i, p := range ps {
		if !p.Start.Before(p.End) || p.Start.Location() != time.UTC || p.End.Location() != time.UTC {
			t.Fatalf("period %d: %v", i, fmtPeriods(ps[i:i+1]))
		}
		if i > 0 && !ps[i-1].End.Before(p.Start) {
			t.Fatalf("periods %d and %d touch or overlap: %v", i-1, i, fmtPeriods(ps[i-1:i+1]))
		}
	}
}

// Gaps takes open periods in any order, overlapping or touching, and answers them
// merged; the input is left as it was.
func TestGapsOfUnmergedInput(t *testing.T) {
	p := func(s, e string) Period { return Period{Start: instant(t, s), End: instant(t, e)} }
	open := []Period{
		p("2026-12-07T12:00:00Z", "2026-12-07T14:00:00Z"),
		p("2026-12-07T08:00:00Z", "2026-12-07T10:00:00Z"),
		p("2026-12-07T10:00:00Z", "2026-12-07T12:30:00Z"),
		p("2026-12-07T20:00:00Z", "2026-12-07T20:00:00Z"), // empty
		p("2026-12-07T16:00:00+01:00", "2026-12-07T18:00:00+01:00"),
	}
	before := fmtPeriods(open)
	assertEqual(t, "no agents", fmtPeriods(Gaps(open, nil)), []string{
		"2026-12-07T08:00:00Z 2026-12-07T14:00:00Z", "2026-12-07T15:00:00Z 2026-12-07T17:00:00Z"})
	shift := compile(t, hoursJSON("UTC", `{"mon":[{"from":"09:00","to":"15:30"}]}`, ""))
	gaps := Gaps(open, []*Compiled{shift})
	assertEqual(t, "one shift", fmtPeriods(gaps), []string{
		"2026-12-07T08:00:00Z 2026-12-07T09:00:00Z", "2026-12-07T15:30:00Z 2026-12-07T17:00:00Z"})
	checkMergedUTC(t, gaps)
	assertEqual(t, "input unchanged", fmtPeriods(open), before)
	assertEqual(t, "nothing open", fmtPeriods(Gaps(nil, []*Compiled{shift})), []string{})
}

// Between clips a schedule's merged periods to a span of instants, looking at enough
// local days either side: an overnight shift that began the local day before counts.
func TestBetween(t *testing.T) {
	c := compile(t, hoursJSON("Asia/Tokyo", everyDay(`[{"from":"22:00","to":"06:00"}]`), ""))
	got := c.Between(instant(t, "2026-12-07T20:00:00Z"), instant(t, "2026-12-08T15:00:00Z"))
	// Tokyo is UTC+9: 22:00-06:00 is 13:00Z-21:00Z.
	assertEqual(t, "Between", fmtPeriods(got), []string{
		"2026-12-07T20:00:00Z 2026-12-07T21:00:00Z", "2026-12-08T13:00:00Z 2026-12-08T15:00:00Z"})
	assertEqual(t, "empty span", fmtPeriods(c.Between(instant(t, "2026-12-08T15:00:00Z"), instant(t, "2026-12-08T15:00:00Z"))), []string{})
	if s := strings.Join(fmtPeriods(c.Between(time.Unix(-1<<62, 0), instant(t, "2026-12-08T15:00:00Z"))), ","); s != "" {
		t.Errorf("out of range: %s", s)
	}
}
