package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/livedesk/gateway/protocol"
)

// ChatSummary is the result of the chat scenario.
type ChatSummary struct {
	RunInfo
	Conversations   int         `json:"conversations"`
	DurationSeconds float64     `json:"duration_s"`
	Sent            int64       `json:"sent"`
	SendRate        float64     `json:"send_rate"`
	Acked           int64       `json:"acked"`
	Received        int64       `json:"received_at_agent"`
	Duplicates      int64       `json:"duplicates_at_agent"`
	Lost            int64       `json:"lost"`
	Latency         Percentiles `json:"latency_visitor_to_agent"`
	AckLatency      Percentiles `json:"ack_latency"`
	SetupSeconds    float64     `json:"setup_s"`
}

type chatVisitor struct {
	i      int
	c      *websocket.Conn
	convID atomic.Value // string
	mu     sync.Mutex
	sentAt map[string]time.Duration
}

func runChat(ctx context.Context, cfg *config) (*ChatSummary, error) {
	base := time.Now()
	setup := time.Now()
	creds, err := prepareAgents(ctx, cfg)
	if err != nil {
		return nil, err
	}
	fmt.Printf("chat: %d agents (max_chats %d) ready\n", len(creds), cfg.maxChats)

	var (
		received, dups atomic.Int64
		seen           sync.Map
		lat, ackLat    samples
		sent, acked    atomic.Int64
		vErrors        counters
		vCloses        counters
	)
	onMessage := func(f *frame, now time.Duration) {
		if f.From != "visitor" {
			return
		}
		v, n, t, ok := parseStamp(f.Text)
		if !ok {
			return
		}
		if _, dup := seen.LoadOrStore([2]int64{v, n}, struct{}{}); dup {
			dups.Add(1)
			return
		}
		received.Add(1)
		lat.add(now - time.Duration(t))
	}
	pool, err := connectAgents(ctx, cfg, creds, base, onMessage)
	if err != nil {
		return nil, err
	}
	defer pool.close()

	vs := make([]*chatVisitor, cfg.conversations)
	err = parallel(ctx, len(vs), 64, func(i int) error {
		c, err := dial(ctx, visitorURL(cfg.visitorURLs[i%len(cfg.visitorURLs)], cfg.site), map[string]any{"type": "hello", "lang": "en"})
		if err != nil {
			return fmt.Errorf("visitor %d: %w", i, err)
		}
		vs[i] = &chatVisitor{i: i, c: c, sentAt: map[string]time.Duration{}}
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
	rctx, stopReaders := context.WithCancel(ctx)
	defer stopReaders()
	var outcomes counters
	for _, v := range vs {
		go func(v *chatVisitor) {
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
				if json.Unmarshal(b, &f) != nil {
					continue
				}
				switch f.Type {
				case "chat.assigned", "chat.queued", "chat.offline":
					if f.Re == "start" {
						outcomes.add(f.Type)
					}
					if f.Conversation != nil {
						v.convID.Store(f.Conversation.ID)
					}
				case "message.ack":
					v.mu.Lock()
					t, ok := v.sentAt[f.Re]
					delete(v.sentAt, f.Re)
					v.mu.Unlock()
					if ok {
						acked.Add(1)
						ackLat.add(now - t)
					}
				case "error":
					vErrors.add(f.Code)
				}
			}
		}(v)
	}
	// Start every chat, paced under the gateway's limits, and wait until every agent
	// side has its chat.assigned.
	err = parallel(ctx, len(vs), 32, func(i int) error {
		return writeJSON(ctx, vs[i].c, map[string]any{"type": "chat.start", "id": "start", "text": "load test " + strconv.Itoa(i)})
	})
	if err != nil {
		return nil, fmt.Errorf("chat.start: %w", err)
	}
	if !waitFor(ctx, cfg.timeout, func() bool { return pool.nAssigned.Load() >= int64(cfg.conversations) }) {
		return nil, fmt.Errorf("only %d of %d chats reached an agent within %s (visitor outcomes %v, errors %v)",
			pool.nAssigned.Load(), cfg.conversations, cfg.timeout, outcomes.snapshot(), vErrors.snapshot())
	}
	setupDur := time.Since(setup)
	fmt.Printf("chat: %d conversations assigned in %.1fs; sending %.0f msg/s for %s\n", cfg.conversations, setupDur.Seconds(), cfg.rate, cfg.duration)

	sendDur := sendStamped(ctx, base, vs, cfg.rate, cfg.duration, &sent, &vErrors)
	// Drain: wait for what is in flight.
	waitFor(ctx, 10*time.Second, func() bool { return acked.Load() >= sent.Load() && received.Load() >= sent.Load() })

	s := &ChatSummary{RunInfo: newRunInfo("chat", cfg, len(creds), &vErrors, &vCloses, pool), Conversations: cfg.conversations,
		DurationSeconds: sendDur.Seconds(), Sent: sent.Load(), SendRate: float64(sent.Load()) / sendDur.Seconds(),
		Acked: acked.Load(), Received: received.Load(), Duplicates: dups.Load(), Lost: sent.Load() - received.Load(),
		Latency: lat.summary(), AckLatency: ackLat.summary(), SetupSeconds: setupDur.Seconds()}
	fmt.Printf("\n== chat: %d conversations, visitors on %s, agents on %s ==\n", s.Conversations, strings.Join(s.VisitorURLs, ","), strings.Join(s.AgentURLs, ","))
	fmt.Printf("sent        %d in %.1fs (%.0f msg/s, target %.0f)\n", s.Sent, s.DurationSeconds, s.SendRate, s.TargetRate)
	fmt.Printf("acked       %d\n", s.Acked)
	fmt.Printf("received    %d at agents (duplicates %d), lost %d\n", s.Received, s.Duplicates, s.Lost)
	fmt.Printf("visitor->agent  %s\n", s.Latency)
	fmt.Printf("send->ack       %s\n", s.AckLatency)
	s.printFailures()
	return s, nil
}

// sendStamped has every visitor send messages "lg v=<i> n=<n> t=<nanos since base>"
// (ids m1, m2, ...), rate messages/s in total spread evenly over the visitors and over
// time, for duration; each send is remembered in the visitor's sentAt (for its ack)
// and counted in sent, a failed write in vErrors (that visitor then stops). It
// returns how long the sending took.
func sendStamped(ctx context.Context, base time.Time, vs []*chatVisitor, rate float64, duration time.Duration, sent *atomic.Int64, vErrors *counters) time.Duration {
	interval := time.Duration(float64(time.Second) * float64(len(vs)) / rate)
	start := time.Now()
	end := start.Add(duration)
	var wg sync.WaitGroup
	for _, v := range vs {
		wg.Add(1)
		go func(v *chatVisitor) {
			defer wg.Done()
			next := start.Add(interval * time.Duration(v.i) / time.Duration(len(vs)))
			for n := int64(1); next.Before(end); n++ {
				if d := time.Until(next); d > 0 {
					select {
					case <-time.After(d):
					case <-ctx.Done():
						return
					}
				}
				if !time.Now().Before(end) {
					return
				}
				id := "m" + strconv.FormatInt(n, 10)
				t := time.Since(base)
				v.mu.Lock()
				v.sentAt[id] = t
				v.mu.Unlock()
				text := fmt.Sprintf("lg v=%d n=%d t=%d", v.i, n, int64(t))
				if err := writeFrame(ctx, v.c, &protocol.VisitorMessage{ID: id, Text: text}); err != nil {
					vErrors.add("write failed")
					return
				}
				sent.Add(1)
				next = next.Add(interval)
			}
		}(v)
	}
	wg.Wait()
	return time.Since(start)
}

// parseStamp reads "lg v=<visitor> n=<number> t=<nanos>".
func parseStamp(text string) (v, n, t int64, ok bool) {
	var got int
	for _, f := range strings.Fields(text) {
		k, val, found := strings.Cut(f, "=")
		if !found {
			continue
		}
		x, err := strconv.ParseInt(val, 10, 64)
		if err != nil {
			continue
		}
		switch k {
		case "v":
			v, got = x, got|1
		case "n":
			n, got = x, got|2
		case "t":
			t, got = x, got|4
		}
	}
	return v, n, t, got == 7
}
