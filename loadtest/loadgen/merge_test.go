package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeJSONFile(t *testing.T, dir, name string, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func ms(v ...int) []time.Duration {
	out := make([]time.Duration, len(v))
	for i, x := range v {
		out[i] = time.Duration(x) * time.Millisecond
	}
	return out
}

func fleetOf(visitors int, node string, before, after NodeSample, connect ...int) FleetReport {
	return FleetReport{Processes: 1, Visitors: visitors, Connected: visitors, Held: visitors, Failures: map[string]int{"timeout": 1},
		ConnectSeconds: float64(visitors) / 100, ConnectRate: 100, ConnectTime: newDist(ms(connect...)), Sources: []string{node + "-src"},
		Nodes: []NodeReport{{URL: node, Before: &before, After: &after}}}
}

func TestMergeFanout(t *testing.T) {
	at := time.Date(2026, 12, 1, 10, 31, 0, 0, time.UTC)
	t0 := at.Add(-time.Minute)
	n1b := NodeSample{At: t0, RSSBytes: 100 << 20, Sockets: 0}
	n1a := NodeSample{At: t0.Add(30 * time.Second), RSSBytes: 100<<20 + 3*16*1024, Sockets: 3}
	a := &FanoutSummary{RunInfo: RunInfo{Scenario: "fanout", VisitorURLs: []string{"n1"}, VisitorErrors: map[string]int{"x": 1}},
		FleetReport: fleetOf(2, "n1", n1b, NodeSample{At: t0.Add(20 * time.Second), RSSBytes: 100<<20 + 1024, Sockets: 1}, 1, 2),
		Flip:        "boundary", Instant: at, Flippers: 1, Measured: 2, Received: 2, Delay: newDist(ms(10, 30)), Reasons: map[string]int{"outside_hours": 2}}
	b := &FanoutSummary{RunInfo: RunInfo{Scenario: "fanout", VisitorURLs: []string{"n1", "n2"}, VisitorErrors: map[string]int{"x": 2}},
		FleetReport: fleetOf(3, "n1", NodeSample{At: t0.Add(time.Second), Sockets: 2}, n1a, 3, 4, 5),
		Flip:        "boundary", Instant: at, Measured: 3, Received: 2, Missing: 1, Delay: newDist(ms(20, 140)),
		Early: newDist(ms(-5)), Reasons: map[string]int{"outside_hours": 2}}
	dir := t.TempDir()
	m, err := runMerge([]string{writeJSONFile(t, dir, "a.json", a), writeJSONFile(t, dir, "b.json", b)})
	if err != nil {
		t.Fatal(err)
	}
	s := m.(*FanoutSummary)
	if s.Processes != 2 || s.Flippers != 1 || s.Visitors != 5 || s.Measured != 5 || s.Received != 4 || s.Missing != 1 {
		t.Fatalf("%+v", s)
	}
	if s.Delay.Count != 4 || s.Delay.Max != 140 || s.Delay.Min != 10 || s.Early.Count != 1 || s.Early.Min != -5 {
		t.Fatalf("delay %+v early %+v", s.Delay, s.Early)
	}
	if s.ConnectTime.Count != 5 || s.ConnectTime.Max != 5 || s.Failures["timeout"] != 2 || s.ConnectRate != 200 || s.ConnectSeconds != 0.03 {
		t.Fatalf("fleet %+v", s.FleetReport)
	}
	if s.Reasons["outside_hours"] != 4 || s.VisitorErrors["x"] != 3 || strings.Join(s.VisitorURLs, ",") != "n1,n2" {
		t.Fatalf("reasons %v errors %v urls %v", s.Reasons, s.VisitorErrors, s.VisitorURLs)
	}
	// One node seen by both: the earliest before, the latest after.
	if len(s.Nodes) != 1 || !s.Nodes[0].Before.At.Equal(t0) || !s.Nodes[0].After.At.Equal(n1a.At) || s.Nodes[0].KiBPerSocket != 16 {
		t.Fatalf("nodes %+v", s.Nodes)
	}
	// A merged file merges again.
	again, err := runMerge([]string{writeJSONFile(t, dir, "m.json", s), writeJSONFile(t, dir, "a2.json", a)})
	if err != nil || again.(*FanoutSummary).Processes != 3 || again.(*FanoutSummary).Delay.Count != 6 {
		t.Fatalf("re-merge: %v", err)
	}
}

func TestMergeRefusesMixedRuns(t *testing.T) {
	dir := t.TempDir()
	at := time.Date(2026, 12, 1, 10, 31, 0, 0, time.UTC)
	f1 := writeJSONFile(t, dir, "f1.json", &FanoutSummary{RunInfo: RunInfo{Scenario: "fanout"}, Flip: "mode", Instant: at})
	f2 := writeJSONFile(t, dir, "f2.json", &FanoutSummary{RunInfo: RunInfo{Scenario: "fanout"}, Flip: "mode", Instant: at.Add(time.Second)})
	st := writeJSONFile(t, dir, "s.json", &StormSummary{RunInfo: RunInfo{Scenario: "storm"}, Instant: at})
	ch := writeJSONFile(t, dir, "c.json", &ChatSummary{RunInfo: RunInfo{Scenario: "chat"}})
	for _, c := range [][]string{{f1, f2}, {f1, st}, {ch}, {}, {filepath.Join(dir, "missing.json")}} {
		if _, err := runMerge(c); err == nil {
			t.Errorf("merge of %v succeeded", c)
		}
	}
}

func TestMergeStormAndIdle(t *testing.T) {
	at := time.Date(2026, 12, 1, 10, 31, 0, 0, time.UTC)
	s1 := &StormSummary{RunInfo: RunInfo{Scenario: "storm"}, FleetReport: fleetOf(2, "n1", NodeSample{}, NodeSample{}, 1, 1), Instant: at,
		Reconnecting: 2, Back: 2, Resumed: 2, Retries: 1, RetryReasons: map[string]int{"close 1013": 1}, BackTime: newDist(ms(100, 900)), AllBackSeconds: 0.9}
	s2 := &StormSummary{RunInfo: RunInfo{Scenario: "storm"}, FleetReport: fleetOf(2, "n2", NodeSample{}, NodeSample{}, 1, 1), Instant: at,
		Reconnecting: 2, Back: 2, Resumed: 1, NewIdentity: 1, BackTime: newDist(ms(200, 2500)), AllBackSeconds: 2.5}
	dir := t.TempDir()
	m, err := runMerge([]string{writeJSONFile(t, dir, "1.json", s1), writeJSONFile(t, dir, "2.json", s2)})
	if err != nil {
		t.Fatal(err)
	}
	s := m.(*StormSummary)
	if s.Back != 4 || s.Resumed != 3 || s.NewIdentity != 1 || s.Retries != 1 || s.AllBackSeconds != 2.5 || s.BackTime.Count != 4 || len(s.Nodes) != 2 {
		t.Fatalf("%+v", s)
	}
	s2.Back, s2.NotBack = 1, 1
	s2.BackTime = newDist(ms(200))
	m, err = runMerge([]string{writeJSONFile(t, dir, "1.json", s1), writeJSONFile(t, dir, "2.json", s2)})
	if err != nil || m.(*StormSummary).AllBackSeconds != -1 {
		t.Fatalf("not everyone back: %+v %v", m, err)
	}

	i1 := &IdleSummary{RunInfo: RunInfo{Scenario: "idle"}, FleetReport: fleetOf(2, "n1", NodeSample{}, NodeSample{}, 1, 2), HoldSeconds: 30}
	i2 := &IdleSummary{RunInfo: RunInfo{Scenario: "idle"}, FleetReport: fleetOf(2, "n1", NodeSample{}, NodeSample{}, 3, 4), HoldSeconds: 29.5}
	m, err = runMerge([]string{writeJSONFile(t, dir, "i1.json", i1), writeJSONFile(t, dir, "i2.json", i2)})
	if err != nil {
		t.Fatal(err)
	}
	if is := m.(*IdleSummary); is.Held != 4 || is.HoldSeconds != 29.5 || is.ConnectTime.P50 != 2 || is.Processes != 2 {
		t.Fatalf("%+v", is)
	}
}
