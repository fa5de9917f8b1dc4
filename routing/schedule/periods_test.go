package schedule

import (
	"testing"
	"time"
)

func TestPeriods(t *testing.T) {
	const weekdays9to17 = `{"mon":[{"from":"09:00","to":"17:00"}],"tue":[{"from":"09:00","to":"17:00"}],` +
		`"wed":[{"from":"09:00","to":"17:00"}],"thu":[{"from":"09:00","to":"17:00"}],"fri":[{"from":"09:00","to":"17:00"}]}`
	tests := []struct {
		name, zone, weekly string
		enabled            bool
		from, to           string
		want               []string
	}{
		{"overnight shifts clipped at both edges", "Europe/Paris", everyDay(`[{"from":"22:00","to":"06:00"}]`), true,
			"2026-06-03", "2026-06-03", []string{
				"2026-06-02T22:00:00Z 2026-06-03T04:00:00Z",
				"2026-06-03T20:00:00Z 2026-06-03T22:00:00Z",
			}},
		{"merged across midnight, whole range", "Europe/Paris", `{"mon":[{"from":"18:00","to":"24:00"}],"tue":[{"from":"00:00","to":"02:00"}]}`, true,
			"2026-06-01", "2026-06-02", []string{"2026-06-01T16:00:00Z 2026-06-02T00:00:00Z"}},
		{"merged across midnight, clipped at the start", "Europe/Paris", `{"mon":[{"from":"18:00","to":"24:00"}],"tue":[{"from":"00:00","to":"02:00"}]}`, true,
			"2026-06-02", "2026-06-02", []string{"2026-06-01T22:00:00Z 2026-06-02T00:00:00Z"}},
		{"merged across midnight, clipped at the end", "Europe/Paris", `{"mon":[{"from":"18:00","to":"24:00"}],"tue":[{"from":"00:00","to":"02:00"}]}`, true,
			"2026-06-01", "2026-06-01", []string{"2026-06-01T16:00:00Z 2026-06-01T22:00:00Z"}},
		{"DST week in Paris shifts by an hour in UTC", "Europe/Paris", weekdays9to17, true,
			"2026-03-26", "2026-03-31", []string{
				"2026-03-26T08:00:00Z 2026-03-26T16:00:00Z",
				"2026-03-27T08:00:00Z 2026-03-27T16:00:00Z",
				"2026-03-30T07:00:00Z 2026-03-30T15:00:00Z",
				"2026-03-31T07:00:00Z 2026-03-31T15:00:00Z",
			}},
		{"to before from", "Europe/Paris", weekdays9to17, true, "2026-03-31", "2026-03-26", []string{}},
		{"closed range", "Europe/Paris", weekdays9to17, true, "2026-03-28", "2026-03-29", []string{}},
		{"disabled, UTC", "", `{}`, false, "2026-03-29", "2026-03-29", []string{"2026-03-29T00:00:00Z 2026-03-30T00:00:00Z"}},
		{"disabled, 23 hour day", "Europe/Paris", weekdays9to17, false, "2026-03-29", "2026-03-29", []string{"2026-03-28T23:00:00Z 2026-03-29T22:00:00Z"}},
		{"disabled, 25 hour day", "America/New_York", `{}`, false, "2026-11-01", "2026-11-01", []string{"2026-11-01T04:00:00Z 2026-11-02T05:00:00Z"}},
		{"disabled, midnight in a gap", "America/Santiago", `{}`, false, "2026-09-06", "2026-09-06", []string{"2026-09-06T04:00:00Z 2026-09-07T03:00:00Z"}},
		{"disabled, several days", "UTC", `{}`, false, "2026-01-01", "2026-12-31", []string{"2026-01-01T00:00:00Z 2027-01-01T00:00:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enabled := "false"
			if tt.enabled {
				enabled = "true"
			}
			c := compile(t, `{"enabled":`+enabled+`,"timezone":"`+tt.zone+`","weekly":`+tt.weekly+`}`)
			assertEqual(t, "Periods", fmtPeriods(c.Periods(date(t, tt.from), date(t, tt.to))), tt.want)
		})
	}
}

func TestPeriodsOverAYear(t *testing.T) {
	c := compile(t, `{"enabled":true,"timezone":"Europe/Paris","weekly":{"mon":[{"from":"09:00","to":"17:00"}],"tue":[{"from":"09:00","to":"17:00"}],`+
		`"wed":[{"from":"09:00","to":"17:00"}],"thu":[{"from":"09:00","to":"17:00"}],"fri":[{"from":"09:00","to":"17:00"}]},`+
		`"exceptions":[{"date":"2026-12-25","intervals":[]},{"date":"2026-12-24","intervals":[{"from":"09:00","to":"12:00"}]}]}`)
	from, to := date(t, "2026-01-01"), date(t, "2027-01-01") // 366 days, Thursday to Friday
	assertEqual(t, "days", DaysBetween(from, to)+1, 366)
	ps := c.Periods(from, to)
	// 2026 has 261 weekdays, 2027-01-01 is a Friday, Christmas is a Friday holiday.
	assertEqual(t, "count", len(ps), 261+1-1)
	assertEqual(t, "first", fmtPeriods(ps[:1]), []string{"2026-01-01T08:00:00Z 2026-01-01T16:00:00Z"})
	assertEqual(t, "last", fmtPeriods(ps[len(ps)-1:]), []string{"2027-01-01T08:00:00Z 2027-01-01T16:00:00Z"})
	summer, christmasEve := 0, 0
	for i, p := range ps {
		if i > 0 && !ps[i-1].End.Before(p.Start) {
			t.Fatalf("periods %d and %d overlap or touch: %v", i-1, i, fmtPeriods(ps[i-1:i+1]))
		}
		if p.Start.Location() != time.UTC || p.End.Location() != time.UTC {
			t.Fatalf("period %d not in UTC", i)
		}
		switch p.Start.Hour() {
		case 7:
			summer++
		case 8:
		default:
			t.Fatalf("period %d starts at %s", i, p.Start)
		}
		if p.Start.Format("2006-01-02") == "2026-12-24" {
			christmasEve++
			assertEqual(t, "christmas eve", fmtPeriods([]Period{p}), []string{"2026-12-24T08:00:00Z 2026-12-24T11:00:00Z"})
		}
	}
	// CEST from 2026-03-29 to 2026-10-25: 30 whole weeks of weekdays, Mon 30 March to Fri 23 October.
	assertEqual(t, "summer periods", summer, 30*5)
	assertEqual(t, "christmas eve", christmasEve, 1)
}

func TestLocalDayStart(t *testing.T) {
	tests := []struct{ zone, date, want string }{
		{"Europe/Paris", "2026-06-01", "2026-05-31T22:00:00Z"},
		{"Europe/Paris", "2026-03-29", "2026-03-28T23:00:00Z"},
		{"America/New_York", "2026-03-08", "2026-03-08T05:00:00Z"},
		{"America/Santiago", "2026-09-06", "2026-09-06T04:00:00Z"}, // midnight in the gap
		{"Pacific/Kiritimati", "2026-06-01", "2026-05-31T10:00:00Z"},
		{"UTC", "1900-01-01", "1900-01-01T00:00:00Z"},
	}
	for _, tt := range tests {
		c := compile(t, `{"enabled":true,"timezone":"`+tt.zone+`"}`)
		got := c.LocalDayStart(date(t, tt.date))
		checkTime(t, "LocalDayStart "+tt.zone+" "+tt.date, got, true, tt.want)
	}
}
