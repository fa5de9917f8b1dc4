package main

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/livedesk/gateway/routing/schedule"
)

// Every planned department's hours are valid and open from the run's instant for at
// least two hours, whatever the hour in its zone (overnight, around midnight, DST).
func TestPlanDepartmentsOpenDuringTheRun(t *testing.T) {
	for _, now := range []time.Time{
		time.Date(2026, 12, 4, 21, 30, 0, 0, time.UTC),
		time.Date(2026, 12, 4, 23, 59, 0, 0, time.UTC), // Paris and Sao Paulo near or past midnight
		time.Date(2026, 12, 5, 3, 0, 0, 0, time.UTC),   // New York 22:00, Tokyo noon
		time.Date(2026, 12, 5, 15, 0, 0, 0, time.UTC),  // Tokyo at midnight
		time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC),  // Paris springs forward at 01:00 UTC
		time.Date(2026, 11, 1, 5, 45, 0, 0, time.UTC),  // New York falls back at 06:00 UTC
	} {
		ps, err := planDepartments(5, 12, now)
		if err != nil {
			t.Fatal(err)
		}
		zones := map[string]bool{}
		for _, p := range ps {
			b, _ := json.Marshal(p.schedule)
			s, err := schedule.Parse(b)
			if err != nil {
				t.Fatalf("%s at %s: %v (%s)", p.name, now, err, b)
			}
			c, err := schedule.Compile(s)
			if err != nil {
				t.Fatal(err)
			}
			zones[s.Timezone] = true
			for d := time.Duration(0); d <= 2*time.Hour; d += 5 * time.Minute {
				if !c.OpenAt(now.Add(d)) {
					t.Fatalf("%s (%s) closed at %s, %s into the run", p.name, b, now.Add(d), d)
				}
			}
		}
		if len(zones) != 5 {
			t.Fatalf("zones %v: want five different ones", zones)
		}
	}
}

func TestPlanDepartmentsAgents(t *testing.T) {
	for _, tc := range []struct {
		depts, agents int
		want          [][]int
	}{
		{1, 4, [][]int{{0, 1, 2, 3}}},
		{2, 5, [][]int{{0, 2, 4}, {1, 2, 3}}},
		{5, 6, [][]int{{0, 5}, {1, 5}, {2}, {2, 3}, {4}}},
		{5, 10, [][]int{{0, 5}, {1, 5, 6}, {2, 7}, {2, 3, 8}, {4, 8, 9}}},
	} {
		ps, err := planDepartments(tc.depts, tc.agents, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		var got [][]int
		for _, p := range ps {
			got = append(got, p.agents)
		}
		if !slices.EqualFunc(got, tc.want, slices.Equal) {
			t.Errorf("%d departments, %d agents: %v, want %v", tc.depts, tc.agents, got, tc.want)
		}
	}
	if ps, err := planDepartments(0, 3, time.Now()); ps != nil || err != nil {
		t.Fatalf("no departments: %v %v", ps, err)
	}
	ps, _ := planDepartments(7, 7, time.Now())
	if ps[5].name != "Support 24/7 2" || ps[6].name != "Sales Paris 2" {
		t.Fatalf("names past the fifth: %q %q", ps[5].name, ps[6].name)
	}
}
