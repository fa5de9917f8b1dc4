package schedule

import (
	"reflect"
	"strings"
	"testing"
)

// TestParseAllProblems: every problem of a document is reported, in the fixed order,
// each field once, and the first is the one Parse returns.
func TestParseAllProblems(t *testing.T) {
	const ok = `{"from":"08:00","to":"12:00"}`
	thirteen := strings.Repeat(ok+",", 12) + ok
	tests := []struct {
		name, js string
		paths    []string
	}{
		{"valid", `{"enabled":true,"timezone":"UTC","weekly":{"mon":[` + ok + `]}}`, nil},
		{"syntax stops at one", `{"enabled":true,`, []string{""}},
		{"type error stops at one", `{"weekly":{"mon":[{"from":8,"to":"x"}]}}`, []string{"weekly.mon[0].from"}},
		{"zone and two days", `{"enabled":true,"timezone":"Mars/Olympus","weekly":{"mon":[{"from":"8","to":"12:00"}],"fri":[{"from":"10:00","to":"10:00"}]}}`,
			[]string{"timezone", "weekly.mon[0].from", "weekly.fri[0].to"}},
		{"from and to of one interval", `{"weekly":{"tue":[{"from":"24:00","to":"25:00"}]}}`,
			[]string{"weekly.tue[0].from", "weekly.tue[0].to"}},
		{"bad from hides from==to", `{"weekly":{"tue":[{"from":"xx","to":"xx"}]}}`,
			[]string{"weekly.tue[0].from", "weekly.tue[0].to"}},
		{"24:00 from is not compared", `{"weekly":{"tue":[{"from":"24:00","to":"24:00"}]}}`,
			[]string{"weekly.tue[0].from"}},
		{"too many: list only", `{"weekly":{"wed":[` + thirteen + `],"thu":[{"from":"1","to":"2"}]}}`,
			[]string{"weekly.wed", "weekly.thu[0].from", "weekly.thu[0].to"}},
		{"unknown weekdays sorted after days", `{"weekly":{"monday":[],"abc":[],"sun":[{"from":"x","to":"10:00"}]}}`,
			[]string{"weekly.sun[0].from", "weekly.abc", "weekly.monday"}},
		{"exceptions: date before intervals, each one", `{"exceptions":[{"date":"2026-02-30","intervals":[{"from":"9","to":"10:00"}]},` +
			`{"date":"2026-12-24","intervals":[]},{"date":"2026-12-24","intervals":[]},{"date":"1800-01-01","intervals":[]}]}`,
			[]string{"exceptions[0].date", "exceptions[0].intervals[0].from", "exceptions[2].date", "exceptions[3].date"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, problems := ParseAll([]byte(tc.js))
			var paths []string
			for _, p := range problems {
				paths = append(paths, p.Path)
				if p.Message == "" {
					t.Errorf("%s: empty message", p.Path)
				}
			}
			if !reflect.DeepEqual(paths, tc.paths) {
				t.Fatalf("paths = %q, want %q", paths, tc.paths)
			}
			_, err := Parse([]byte(tc.js))
			if len(problems) == 0 {
				if err != nil {
					t.Fatalf("Parse = %v, ParseAll found nothing", err)
				}
				return
			}
			if err == nil || err.Error() != problems[0].Error() {
				t.Fatalf("Parse = %v, want the first problem %v", err, problems[0])
			}
		})
	}
}

// TestMerges: the groups Compile joins, named by day and positions, with what they
// act as; intervals that only follow each other with a gap are not merged.
func TestMerges(t *testing.T) {
	iv := func(f, t string) Interval { return Interval{From: f, To: t} }
	tests := []struct {
		name string
		s    Schedule
		want []Merge
	}{
		{"none", Schedule{Weekly: map[string][]Interval{"mon": {iv("08:00", "12:00"), iv("12:01", "17:00")}}}, []Merge{}},
		{"lunch break touching", Schedule{Weekly: map[string][]Interval{"thu": {iv("08:00", "12:00"), iv("12:00", "13:00")}}},
			[]Merge{{Path: "weekly.thu", Indices: []int{0, 1}, Intervals: []Interval{iv("08:00", "12:00"), iv("12:00", "13:00")}, Into: iv("08:00", "13:00")}}},
		{"overlap out of order, a third apart", Schedule{Weekly: map[string][]Interval{"tue": {iv("14:00", "18:00"), iv("18:30", "19:00"), iv("09:00", "15:00")}}},
			[]Merge{{Path: "weekly.tue", Indices: []int{0, 2}, Intervals: []Interval{iv("14:00", "18:00"), iv("09:00", "15:00")}, Into: iv("09:00", "18:00")}}},
		{"contained, to midnight", Schedule{Weekly: map[string][]Interval{"sat": {iv("10:00", "24:00"), iv("11:00", "12:00")}}},
			[]Merge{{Path: "weekly.sat", Indices: []int{0, 1}, Intervals: []Interval{iv("10:00", "24:00"), iv("11:00", "12:00")}, Into: iv("10:00", "24:00")}}},
		{"overnight", Schedule{Weekly: map[string][]Interval{"fri": {iv("20:00", "02:00"), iv("23:00", "03:30")}}},
			[]Merge{{Path: "weekly.fri", Indices: []int{0, 1}, Intervals: []Interval{iv("20:00", "02:00"), iv("23:00", "03:30")}, Into: iv("20:00", "03:30")}}},
		{"exception, invalid day skipped", Schedule{Weekly: map[string][]Interval{"mon": {iv("8", "12:00"), iv("11:00", "13:00")}},
			Exceptions: []Exception{{Date: "2026-12-24", Intervals: []Interval{iv("09:00", "11:00"), iv("10:00", "12:00"), iv("12:00", "13:00")}}}},
			[]Merge{{Path: "exceptions[0].intervals", Indices: []int{0, 1, 2}, Intervals: []Interval{iv("09:00", "11:00"), iv("10:00", "12:00"), iv("12:00", "13:00")}, Into: iv("09:00", "13:00")}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.s.Merges(); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("Merges = %+v\nwant %+v", got, tc.want)
			}
		})
	}
}
