package main

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
)

// runMerge reads the JSON summaries several processes wrote for one measurement
// (same scenario; for fanout and storm the same instant) and returns one summary:
// counts added up, percentiles recomputed from the pooled raw samples, maximums
// over all, per-node samples combined.
func runMerge(paths []string) (any, error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("-merge: name the JSON files to merge")
	}
	var scenario string
	raws := make([][]byte, len(paths))
	for i, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		var head struct {
			Scenario string `json:"scenario"`
		}
		if err := json.Unmarshal(b, &head); err != nil {
			return nil, fmt.Errorf("%s: %v", p, err)
		}
		if i == 0 {
			scenario = head.Scenario
		} else if head.Scenario != scenario {
			return nil, fmt.Errorf("%s is a %q run, %s a %q run: merge one scenario at a time", paths[0], scenario, p, head.Scenario)
		}
		raws[i] = b
	}
	switch scenario {
	case "idle":
		return mergeAs(paths, raws, mergeIdle)
	case "fanout":
		return mergeAs(paths, raws, mergeFanout)
	case "storm":
		return mergeAs(paths, raws, mergeStorm)
	}
	return nil, fmt.Errorf("-merge: scenario %q cannot be merged (idle, fanout and storm can)", scenario)
}

func mergeAs[T any](paths []string, raws [][]byte, merge func([]*T) (*T, error)) (*T, error) {
	in := make([]*T, len(raws))
	for i, b := range raws {
		in[i] = new(T)
		if err := json.Unmarshal(b, in[i]); err != nil {
			return nil, fmt.Errorf("%s: %v", paths[i], err)
		}
	}
	return merge(in)
}

func mergeIdle(in []*IdleSummary) (*IdleSummary, error) {
	out := &IdleSummary{RunInfo: mergeRunInfo(pick(in, func(s *IdleSummary) RunInfo { return s.RunInfo }))}
	var err error
	if out.FleetReport, err = mergeFleet(pick(in, func(s *IdleSummary) FleetReport { return s.FleetReport })); err != nil {
		return nil, err
	}
	out.HoldSeconds = in[0].HoldSeconds
	for _, s := range in {
		out.HoldSeconds = min(out.HoldSeconds, s.HoldSeconds)
	}
	return out, nil
}

func mergeFanout(in []*FanoutSummary) (*FanoutSummary, error) {
	out := &FanoutSummary{RunInfo: mergeRunInfo(pick(in, func(s *FanoutSummary) RunInfo { return s.RunInfo })),
		Flip: in[0].Flip, Instant: in[0].Instant, Reasons: map[string]int{}}
	var err error
	if out.FleetReport, err = mergeFleet(pick(in, func(s *FanoutSummary) FleetReport { return s.FleetReport })); err != nil {
		return nil, err
	}
	for _, s := range in {
		if !s.Instant.Equal(out.Instant) || s.Flip != out.Flip {
			return nil, fmt.Errorf("fanout runs of different flips: %s at %s and %s at %s", out.Flip, out.Instant, s.Flip, s.Instant)
		}
		out.Flippers += s.Flippers
		out.FlipSentLagMs = max(out.FlipSentLagMs, s.FlipSentLagMs)
		out.FlipAnswerMs = max(out.FlipAnswerMs, s.FlipAnswerMs)
		out.Measured += s.Measured
		out.Received += s.Received
		out.Missing += s.Missing
		out.WaitSeconds = max(out.WaitSeconds, s.WaitSeconds)
		addCounts(out.Reasons, s.Reasons)
	}
	if out.Delay, err = mergeDists(pick(in, func(s *FanoutSummary) Dist { return s.Delay })); err != nil {
		return nil, fmt.Errorf("delay: %w", err)
	}
	if out.Early, err = mergeDists(pick(in, func(s *FanoutSummary) Dist { return s.Early })); err != nil {
		return nil, fmt.Errorf("early: %w", err)
	}
	return out, nil
}

func mergeStorm(in []*StormSummary) (*StormSummary, error) {
	out := &StormSummary{RunInfo: mergeRunInfo(pick(in, func(s *StormSummary) RunInfo { return s.RunInfo })),
		Instant: in[0].Instant, RetryReasons: map[string]int{}}
	var err error
	if out.FleetReport, err = mergeFleet(pick(in, func(s *StormSummary) FleetReport { return s.FleetReport })); err != nil {
		return nil, err
	}
	for _, s := range in {
		if !s.Instant.Equal(out.Instant) {
			return nil, fmt.Errorf("storm runs of different instants: %s and %s", out.Instant, s.Instant)
		}
		out.Reconnecting += s.Reconnecting
		out.Back += s.Back
		out.NotBack += s.NotBack
		out.Resumed += s.Resumed
		out.NewIdentity += s.NewIdentity
		out.Retries += s.Retries
		out.CloseMs = max(out.CloseMs, s.CloseMs)
		addCounts(out.RetryReasons, s.RetryReasons)
	}
	if out.BackTime, err = mergeDists(pick(in, func(s *StormSummary) Dist { return s.BackTime })); err != nil {
		return nil, fmt.Errorf("back time: %w", err)
	}
	out.AllBackSeconds = -1
	if out.NotBack == 0 {
		out.AllBackSeconds = roundTo(out.BackTime.Max/1e3, 3)
	}
	return out, nil
}

func pick[S, T any](in []S, f func(S) T) []T {
	out := make([]T, len(in))
	for i, s := range in {
		out[i] = f(s)
	}
	return out
}

func addCounts(dst, src map[string]int) {
	for k, v := range src {
		dst[k] += v
	}
}

func mergeRunInfo(in []RunInfo) RunInfo {
	out := RunInfo{Scenario: in[0].Scenario, MaxChats: in[0].MaxChats, VisitorErrors: map[string]int{}, VisitorCloses: map[string]int{},
		AgentErrors: map[string]int{}, AgentCloses: map[string]int{}}
	for _, r := range in {
		out.VisitorURLs = union(out.VisitorURLs, r.VisitorURLs)
		out.AgentURLs = union(out.AgentURLs, r.AgentURLs)
		out.Agents += r.Agents
		out.TargetRate += r.TargetRate
		addCounts(out.VisitorErrors, r.VisitorErrors)
		addCounts(out.VisitorCloses, r.VisitorCloses)
		addCounts(out.AgentErrors, r.AgentErrors)
		addCounts(out.AgentCloses, r.AgentCloses)
	}
	return out
}

func union(a, b []string) []string {
	for _, x := range b {
		if !slices.Contains(a, x) {
			a = append(a, x)
		}
	}
	return a
}

// mergeFleet adds the fleets up; for each node it keeps the earliest "before" and
// the latest "after" sample of any process, so a node's KiB per socket spans every
// process's sockets when the processes started together.
func mergeFleet(in []FleetReport) (FleetReport, error) {
	out := FleetReport{Failures: map[string]int{}}
	byURL := map[string]int{} // index in out.Nodes
	for _, r := range in {
		out.Processes += max(r.Processes, 1)
		out.Visitors += r.Visitors
		out.Connected += r.Connected
		out.Held += r.Held
		out.ConnectSeconds = max(out.ConnectSeconds, r.ConnectSeconds)
		out.ConnectRate += r.ConnectRate
		addCounts(out.Failures, r.Failures)
		out.Sources = append(out.Sources, r.Sources...)
		for _, n := range r.Nodes {
			k, ok := byURL[n.URL]
			if !ok {
				k = len(out.Nodes)
				byURL[n.URL] = k
				out.Nodes = append(out.Nodes, NodeReport{URL: n.URL})
			}
			m := &out.Nodes[k]
			if n.Before != nil && (m.Before == nil || n.Before.At.Before(m.Before.At)) {
				m.Before = n.Before
			}
			if n.After != nil && (m.After == nil || n.After.At.After(m.After.At)) {
				m.After = n.After
			}
			if m.Error == "" {
				m.Error = n.Error
			}
		}
	}
	for i := range out.Nodes {
		n := &out.Nodes[i]
		n.KiBPerSocket = kibPerSocket(n.Before, n.After)
		if n.Before != nil && n.After != nil {
			n.Error = ""
		}
	}
	var err error
	out.ConnectTime, err = mergeDists(pick(in, func(r FleetReport) Dist { return r.ConnectTime }))
	if err != nil {
		return out, fmt.Errorf("connect time: %w", err)
	}
	return out, nil
}

// printSummary prints any summary runMerge returns.
func printSummary(s any) {
	switch s := s.(type) {
	case *IdleSummary:
		s.print()
	case *FanoutSummary:
		s.print()
	case *StormSummary:
		s.print()
	}
}
