package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// StartsSummary is the result of the starts scenario.
type StartsSummary struct {
	RunInfo
	Visitors       int            `json:"visitors"`
	Sent           int            `json:"sent"`
	SendSeconds    float64        `json:"send_s"`
	SendRate       float64        `json:"send_rate"`
	Answered       int            `json:"answered"`
	Unanswered     int            `json:"unanswered"`
	ElapsedSeconds float64        `json:"elapsed_s"`
	StartsPerSec   float64        `json:"starts_per_s"`
	Latency        Percentiles    `json:"latency"`
	Outcomes       map[string]int `json:"outcomes"`
	AgentAssigned  int64          `json:"agent_side_assigned"`
}

type startVisitor struct {
	c        *websocket.Conn
	sentAt   atomic.Int64 // nanos since base, 0 before the send
	answered atomic.Bool
}

func runStarts(ctx context.Context, cfg *config) (*StartsSummary, error) {
	base := time.Now()
	creds, err := prepareAgents(ctx, cfg)
	if err != nil {
		return nil, err
	}
	pool, err := connectAgents(ctx, cfg, creds, base, nil)
	if err != nil {
		return nil, err
	}
	defer pool.close()
	fmt.Printf("starts: %d agents (max_chats %d) online\n", len(creds), cfg.maxChats)

	vs := make([]*startVisitor, cfg.visitors)
	err = parallel(ctx, len(vs), 64, func(i int) error {
		c, err := dial(ctx, visitorURL(cfg.visitorURLs[i%len(cfg.visitorURLs)], cfg.site), map[string]any{"type": "hello", "lang": "en"})
		if err != nil {
			return fmt.Errorf("visitor %d: %w", i, err)
		}
		vs[i] = &startVisitor{c: c}
		return nil
	})
	defer func() {
		for _, v := range vs {
			if v != nil {
				v.c.Close(websocket.StatusNormalClosure, "")
			}
		}
	}()
	if err != nil {
		return nil, err
	}
	fmt.Printf("starts: %d visitors connected; firing at %s\n", len(vs), rateText(cfg.rate))

	var (
		lat               samples
		outcomes, vErrors counters
		vCloses           counters
		nAnswered         atomic.Int64
		lastAnswer        atomic.Int64
	)
	rctx, stopReaders := context.WithCancel(ctx)
	defer stopReaders()
	for _, v := range vs {
		go func(v *startVisitor) {
			for {
				_, b, err := v.c.Read(rctx)
				now := time.Since(base)
				if err != nil {
					if rctx.Err() == nil {
						vCloses.add(closeReason(err))
					}
					return
				}
				var f frame
				if json.Unmarshal(b, &f) != nil || f.Re != "s" {
					continue
				}
				kind := f.Type
				if f.Type == "error" {
					kind = "error " + f.Code
					vErrors.add(f.Code)
				}
				if v.answered.CompareAndSwap(false, true) {
					outcomes.add(kind)
					lat.add(now - time.Duration(v.sentAt.Load()))
					nAnswered.Add(1)
					storeMax(&lastAnswer, int64(now))
				}
			}
		}(v)
	}

	send := func(v *startVisitor) {
		v.sentAt.Store(int64(time.Since(base)))
		if err := writeJSON(ctx, v.c, map[string]any{"type": "chat.start", "id": "s", "text": "load test start"}); err != nil {
			vErrors.add("write failed")
		}
	}
	firstSend := time.Since(base)
	sendDur := fire(len(vs), cfg.rate, func(k int) { send(vs[k]) })
	waitFor(ctx, cfg.timeout, func() bool { return nAnswered.Load() >= int64(len(vs)) })
	// Let the agent side catch up with its chat.assigned frames.
	waitFor(ctx, 5*time.Second, func() bool { return pool.nAssigned.Load() >= int64(outcomes.snapshot()["chat.assigned"]) })

	answered := int(nAnswered.Load())
	elapsed := time.Duration(lastAnswer.Load()) - firstSend
	s := &StartsSummary{RunInfo: newRunInfo("starts", cfg, len(creds), &vErrors, &vCloses, pool), Visitors: len(vs), Sent: len(vs),
		SendSeconds: sendDur.Seconds(), SendRate: float64(len(vs)) / sendDur.Seconds(), Answered: answered,
		Unanswered: len(vs) - answered, ElapsedSeconds: elapsed.Seconds(), Latency: lat.summary(), Outcomes: outcomes.snapshot(),
		AgentAssigned: pool.nAssigned.Load()}
	if elapsed > 0 {
		s.StartsPerSec = float64(answered) / elapsed.Seconds()
	}
	fmt.Printf("\n== starts: %d visitors on %s, %d agents on %s ==\n", s.Visitors, strings.Join(s.VisitorURLs, ","), s.Agents, strings.Join(s.AgentURLs, ","))
	fmt.Printf("sent        %d in %.2fs (%.0f/s, target %s)\n", s.Sent, s.SendSeconds, s.SendRate, rateText(cfg.rate))
	fmt.Printf("answered    %d (unanswered %d) in %.2fs: %.0f starts/s\n", s.Answered, s.Unanswered, s.ElapsedSeconds, s.StartsPerSec)
	fmt.Printf("latency     %s\n", s.Latency)
	fmt.Printf("outcomes    %v; agent-side chat.assigned %d\n", s.Outcomes, s.AgentAssigned)
	s.printFailures()
	return s, nil
}

// fire calls send(0..n-1), paced at rate calls/s (each on its own goroutine, at its
// moment), or for rate <= 0 as fast as 64 goroutines can; it returns when every call
// has returned, with the time that took.
func fire(n int, rate float64, send func(k int)) time.Duration {
	start := time.Now()
	var wg sync.WaitGroup
	if rate > 0 {
		for k := 0; k < n; k++ {
			at := start.Add(time.Duration(float64(k) / rate * float64(time.Second)))
			if d := time.Until(at); d > time.Millisecond {
				time.Sleep(d)
			}
			wg.Add(1)
			go func() { defer wg.Done(); send(k) }()
		}
	} else {
		next := atomic.Int64{}
		for w := 0; w < 64; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					k := next.Add(1) - 1
					if k >= int64(n) {
						return
					}
					send(int(k))
				}
			}()
		}
	}
	wg.Wait()
	return time.Since(start)
}

// storeMax raises a to v when v is greater.
func storeMax(a *atomic.Int64, v int64) {
	for {
		old := a.Load()
		if v <= old || a.CompareAndSwap(old, v) {
			return
		}
	}
}

func rateText(r float64) string {
	if r <= 0 {
		return "max rate"
	}
	return fmt.Sprintf("%.0f/s", r)
}
