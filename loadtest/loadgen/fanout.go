package main

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"time"
)

// FanoutSummary is the result of the fanout scenario: the time from the flip
// instant to each visitor's status frame.
type FanoutSummary struct {
	RunInfo
	FleetReport
	// Flip is mode (PUT /sites/{id}/mode at the instant), boundary (the hours
	// close at the instant) or broadcast (POST /broadcast at the instant, the floor
	// server's stand-in for a flip).
	Flip    string    `json:"flip"`
	Instant time.Time `json:"instant"`
	// Flippers is how many processes made the change (1 in a sound run).
	Flippers int `json:"flippers"`
	// FlipSentLagMs is how late after the instant the mode (or broadcast) request
	// left, and FlipAnswerMs how long it took (flipping process only).
	FlipSentLagMs float64 `json:"flip_sent_lag_ms,omitempty"`
	FlipAnswerMs  float64 `json:"flip_answer_ms,omitempty"`
	// Measured is how many visitors had their welcome before the instant.
	Measured int `json:"measured"`
	// Received is how many of them got a status frame at or after the instant, and
	// Missing how many did not within the wait.
	Received int `json:"received"`
	Missing  int `json:"missing"`
	// Delay is the arrival of each visitor's first status frame minus the instant.
	Delay Dist `json:"delay"`
	// Early are status frames that arrived before the instant: errors.
	Early Dist `json:"early"`
	// Reasons counts the status reason of the frames measured.
	Reasons map[string]int `json:"reasons"`
	// WaitSeconds is how long after the instant the process waited for frames.
	WaitSeconds float64 `json:"wait_s"`
}

// fanoutVisitor is the per-visitor record of a fanout run, indexed like fleet.vs.
type fanoutVisitor struct {
	arrival atomic.Int64 // wall Unix ns of the first status frame at/after the instant
}

// runFanout connects the visitors, flips the site's status at an instant and times
// each visitor's status frame against it.
func runFanout(ctx context.Context, cfg *config) (*FanoutSummary, error) {
	instant := cfg.at
	if instant.IsZero() && cfg.flip == "boundary" {
		// A whole minute far enough ahead for the set-up and every connect.
		est := time.Duration(float64(cfg.visitors)/max(cfg.connectRate, 1000)*float64(time.Second)) + 15*time.Second
		instant = nextWholeMinute(wallNow().Add(est))
	}
	if cfg.flip == "boundary" && !instant.Equal(instant.Truncate(time.Minute)) {
		return nil, fmt.Errorf("fanout -flip boundary: -at must be a whole minute (hours are HH:MM), got %s", instant.UTC().Format(time.RFC3339Nano))
	}
	var ctl *siteControl
	if cfg.flip != "broadcast" { // the floor server has no site to set up
		if cfg.flipper {
			var err error
			if ctl, err = prepareSite(ctx, cfg, instant); err != nil {
				return nil, err
			}
			defer ctl.close()
		}
		st, err := awaitSite(ctx, cfg, readyForFlip(cfg.flip, instant), cfg.timeout, instant)
		if err != nil {
			return nil, fmt.Errorf("fanout: %w (is the flipping process running?)", err)
		}
		fmt.Printf("fanout: site ready (%s)\n", statusText(st))
	} else {
		fmt.Printf("fanout: site ready (broadcast: nothing to set up)\n")
	}

	nodes := newNodeSet(cfg.visitorURLs)
	nodes.sample(ctx, false)
	f := newFleet(cfg, cfg.sources)
	defer f.close()
	recs := make([]fanoutVisitor, len(f.vs))
	var (
		instantNs atomic.Int64
		early     samples // wall Unix ns of frames before the instant, as durations
		reasons   counters
		received  atomic.Int64
	)
	if !instant.IsZero() { // a mode flip without -at gets its instant after the connects
		instantNs.Store(instant.UnixNano())
	}
	f.onFrame = func(v *fleetVisitor, fr *visitorFrame, wall time.Time) {
		if fr.Type != "status" {
			return
		}
		t := instantNs.Load()
		if t == 0 || wall.UnixNano() < t {
			early.add(time.Duration(wall.UnixNano()))
			return
		}
		if recs[v.i].arrival.CompareAndSwap(0, wall.UnixNano()) {
			received.Add(1)
			if fr.Status != nil {
				reasons.add(fr.Status.Reason)
			}
		}
	}
	fmt.Printf("fanout: opening %d visitor sockets on %d node(s) from %s at %s\n", cfg.visitors, len(nodes.bases), cfg.sources, rateText(cfg.connectRate))
	f.connect(ctx)
	fmt.Printf("fanout: %d connected in %.1fs; failures %v\n", f.connected(), f.connectEnd.Sub(f.connectStart).Seconds(), f.failures.snapshot())
	if instant.IsZero() {
		instant = wallNow().Add(2 * time.Second)
		instantNs.Store(instant.UnixNano())
	}
	if instant.Sub(wallNow()) > 2*time.Second {
		nodes.sample(ctx, true) // well before the flip, so the scrape does not disturb it
	}
	measured := 0
	for _, v := range f.vs {
		if v.welcomeAt != 0 && v.welcomeAt < instant.UnixNano() {
			measured++
		}
	}
	if measured < f.connected() {
		fmt.Printf("fanout: WARNING %d visitors connected after the instant and are not measured\n", f.connected()-measured)
	}
	fmt.Printf("fanout: %s flip at %s\n", cfg.flip, instant.UTC().Format(time.RFC3339Nano))

	s := &FanoutSummary{Flip: cfg.flip, Instant: instant.UTC(), Measured: measured}
	if cfg.flipper && cfg.flip == "broadcast" {
		s.Flippers = 1
		sent, took, err := broadcastAt(ctx, cfg.visitorURLs[0], instant)
		if err != nil {
			return nil, fmt.Errorf("fanout: the broadcast failed: %w", err)
		}
		s.FlipSentLagMs = roundTo(float64(sent.Sub(instant))/1e6, 3)
		s.FlipAnswerMs = roundTo(float64(took)/1e6, 3)
	}
	if ctl != nil {
		s.Flippers = 1
		if cfg.flip == "mode" {
			sent, took, err := ctl.flipAt(ctx, instant)
			if err != nil {
				return nil, fmt.Errorf("fanout: the flip failed: %w", err)
			}
			s.FlipSentLagMs = roundTo(float64(sent.Sub(instant))/1e6, 3)
			s.FlipAnswerMs = roundTo(float64(took)/1e6, 3)
		}
	}
	if err := sleepUntil(ctx, instant); err != nil {
		return nil, err
	}
	waitFor(ctx, cfg.wait, func() bool { return received.Load() >= int64(measured) })
	s.WaitSeconds = roundTo(wallNow().Sub(instant).Seconds(), 3)
	if nodes.reports[0].After == nil && nodes.reports[0].Error == "" {
		nodes.sample(ctx, true)
	}

	var delays, earlyDelays []time.Duration
	for i, v := range f.vs {
		if a := recs[i].arrival.Load(); a != 0 && v.welcomeAt != 0 && v.welcomeAt < instant.UnixNano() {
			delays = append(delays, time.Duration(a-instant.UnixNano()))
		}
	}
	early.mu.Lock()
	for _, w := range early.d {
		earlyDelays = append(earlyDelays, time.Duration(int64(w)-instant.UnixNano()))
	}
	early.mu.Unlock()
	var pool *agentPool
	if ctl != nil {
		pool = ctl.pool
	}
	agents := 0
	if pool != nil {
		agents = len(pool.conns)
	}
	s.RunInfo = newRunInfo("fanout", cfg, agents, &f.errFrames, &f.closes, pool)
	s.FleetReport = f.report(nodes)
	s.Received, s.Delay, s.Early, s.Reasons = len(delays), newDist(delays), newDist(earlyDelays), reasons.snapshot()
	s.Missing = measured - s.Received
	s.print()
	return s, nil
}

func (s *FanoutSummary) print() {
	fmt.Printf("\n== fanout (%s flip at %s): %d visitors on %s ==\n", s.Flip, s.Instant.Format(time.RFC3339Nano), s.Visitors, strings.Join(s.VisitorURLs, ","))
	s.FleetReport.print()
	if s.Flip != "boundary" && s.Flippers > 0 {
		fmt.Printf("flip        %s request sent %.3f ms after the instant, answered in %.1f ms\n", s.Flip, s.FlipSentLagMs, s.FlipAnswerMs)
	}
	fmt.Printf("status      %d of %d measured visitors got it, %d missing after %.1fs; reasons %v\n", s.Received, s.Measured, s.Missing, s.WaitSeconds, s.Reasons)
	fmt.Printf("delay       %s\n", s.Delay)
	fmt.Printf("LAST frame  %.1f ms after the instant\n", s.Delay.Max)
	if s.Early.Count > 0 {
		fmt.Printf("EARLY       %d status frames before the instant (errors): earliest %.1f ms, latest %.1f ms\n", s.Early.Count, s.Early.Min, s.Early.Max)
	} else {
		fmt.Printf("early       none before the instant\n")
	}
	fmt.Printf("visitor error frames %v, closes %v; agent errors %v closes %v\n", s.VisitorErrors, s.VisitorCloses, s.AgentErrors, s.AgentCloses)
}
