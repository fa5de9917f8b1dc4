package main

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// IdleSummary is the result of the idle scenario.
type IdleSummary struct {
	RunInfo
	FleetReport
	// HoldSeconds is how long every socket was held after the last connect.
	HoldSeconds float64 `json:"hold_s"`
}

// runIdle opens cfg.visitors visitor sockets and holds them, answering pings, until
// -at (when given) or for -duration after the last connect; the nodes' /metrics are
// read before the first connect and at the end of the hold.
func runIdle(ctx context.Context, cfg *config) (*IdleSummary, error) {
	nodes := newNodeSet(cfg.visitorURLs)
	nodes.sample(ctx, false)
	f := newFleet(cfg, cfg.sources)
	defer f.close()
	fmt.Printf("idle: opening %d visitor sockets on %d node(s) from %s at %s\n", cfg.visitors, len(nodes.bases), cfg.sources, rateText(cfg.connectRate))
	f.connect(ctx)
	fmt.Printf("idle: %d connected in %.1fs; failures %v\n", f.connected(), f.connectEnd.Sub(f.connectStart).Seconds(), f.failures.snapshot())
	end := wallNow().Add(cfg.duration)
	if !cfg.at.IsZero() {
		end = cfg.at
	}
	held := time.Now()
	if err := sleepUntil(ctx, end); err != nil {
		return nil, err
	}
	holdFor := time.Since(held)
	nodes.sample(ctx, true)
	s := &IdleSummary{RunInfo: newRunInfo("idle", cfg, 0, &f.errFrames, &f.closes, nil), FleetReport: f.report(nodes),
		HoldSeconds: roundTo(holdFor.Seconds(), 3)}
	s.print()
	return s, nil
}

func (s *IdleSummary) print() {
	fmt.Printf("\n== idle: %d visitors on %s ==\n", s.Visitors, strings.Join(s.VisitorURLs, ","))
	s.FleetReport.print()
	fmt.Printf("hold        %.1fs\n", s.HoldSeconds)
	fmt.Printf("visitor error frames %v, closes while held %v\n", s.VisitorErrors, s.VisitorCloses)
}
