package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// StormSummary is the result of the storm scenario: every visitor drops its socket
// at one instant and comes back with a resume.
type StormSummary struct {
	RunInfo
	FleetReport
	Instant time.Time `json:"instant"`
	// Reconnecting is how many visitors were connected at the instant.
	Reconnecting int `json:"reconnecting"`
	// Back is how many got a welcome again, NotBack how many did not within the wait.
	Back    int `json:"back"`
	NotBack int `json:"not_back"`
	// Resumed is how many came back as the same visitor; NewIdentity how many got
	// a different visitor_id (the resume was not honoured).
	Resumed     int `json:"resumed"`
	NewIdentity int `json:"new_identity"`
	// Retries counts failed reconnect attempts (each retried after a jittered
	// backoff, as the widget does), by reason.
	Retries      int            `json:"retries"`
	RetryReasons map[string]int `json:"retry_reasons"`
	// CloseMs is how long closing every socket of this process took.
	CloseMs float64 `json:"close_ms"`
	// BackTime is, per visitor, the welcome's arrival minus the instant.
	BackTime Dist `json:"back_time"`
	// AllBackSeconds is the instant to the last welcome, when everyone came back
	// (-1 otherwise).
	AllBackSeconds float64 `json:"all_back_s"`
}

// widgetBackoff is the widget's reconnect delay before attempt n (from 0): full
// jitter over min(30 s, 500 ms x 2^n).
func widgetBackoff(n int) time.Duration {
	ceil := min(30*time.Second, 500*time.Millisecond<<min(n, 16))
	return time.Duration(rand.Int64N(int64(ceil) + 1))
}

// runStorm connects the visitors, then at the instant every one closes its socket and
// reconnects at once with hello {visitor_token, last_seq}, retrying failures with the
// widget's backoff until the wait runs out.
func runStorm(ctx context.Context, cfg *config) (*StormSummary, error) {
	nodes := newNodeSet(cfg.visitorURLs)
	nodes.sample(ctx, false)
	f := newFleet(cfg, cfg.sources)
	defer f.close()
	fmt.Printf("storm: opening %d visitor sockets on %d node(s) from %s at %s\n", cfg.visitors, len(nodes.bases), cfg.sources, rateText(cfg.connectRate))
	f.connect(ctx)
	fmt.Printf("storm: %d connected in %.1fs; failures %v\n", f.connected(), f.connectEnd.Sub(f.connectStart).Seconds(), f.failures.snapshot())
	instant := cfg.at
	if instant.IsZero() {
		instant = wallNow().Add(2 * time.Second)
	}
	if wallNow().After(instant) {
		return nil, fmt.Errorf("storm: the connects ended after the instant %s: give a later -at or a higher -connect-rate", instant.UTC().Format(time.RFC3339Nano))
	}
	fmt.Printf("storm: everyone drops and reconnects at %s\n", instant.UTC().Format(time.RFC3339Nano))
	if err := sleepUntil(ctx, instant); err != nil {
		return nil, err
	}

	var (
		back, resumed, newID atomic.Int64
		retries              counters
		backTime             durations
		wg                   sync.WaitGroup
	)
	deadline := instant.Add(cfg.wait)
	left := func() time.Duration { return deadline.Sub(wallNow()) }
	rctx, cancel := context.WithTimeout(ctx, left())
	defer cancel()
	for _, v := range f.vs {
		v.closing.Store(true)
	}
	// Every visitor drops its socket (client side, no close handshake: a lost
	// network or a page reload), all first so that the drop is one instant rather
	// than spread behind the reconnects' CPU; then every one dials again at once.
	var dropped []*fleetVisitor
	for _, v := range f.vs {
		if c := v.conn.Swap(nil); c != nil {
			c.closeNow()
			dropped = append(dropped, v)
		}
	}
	closeMs := float64(wallNow().Sub(instant)) / 1e6
	for _, v := range dropped {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if cfg.reconnectJitter > 0 {
				time.Sleep(time.Duration(rand.Int64N(int64(cfg.reconnectJitter))))
			}
			for attempt := 0; ; attempt++ {
				conn, w, err := dialVisitor(rctx, visitorURL(v.base, cfg.site), v.src, v.hello(true), max(min(cfg.dialTimeout, left()), time.Millisecond))
				if err == nil {
					backTime.add(wallNow().Sub(instant))
					back.Add(1)
					if w.VisitorID == v.id {
						resumed.Add(1)
					} else {
						newID.Add(1)
					}
					f.attach(v, conn)
					return
				}
				if rctx.Err() != nil || !retryable(err) {
					if rctx.Err() == nil {
						retries.add("gave up: " + failReason(err))
					}
					return
				}
				retries.add(failReason(err))
				select {
				case <-time.After(widgetBackoff(attempt)):
				case <-rctx.Done():
					return
				}
			}
		}()
	}
	wg.Wait()
	nodes.sample(ctx, true)

	s := &StormSummary{RunInfo: newRunInfo("storm", cfg, 0, &f.errFrames, &f.closes, nil), FleetReport: f.report(nodes),
		Instant: instant.UTC(), Reconnecting: len(dropped), Back: int(back.Load()), Resumed: int(resumed.Load()),
		NewIdentity: int(newID.Load()), RetryReasons: retries.snapshot(), CloseMs: roundTo(closeMs, 3), BackTime: backTime.dist()}
	s.NotBack = s.Reconnecting - s.Back
	for k, n := range s.RetryReasons {
		if !strings.HasPrefix(k, "gave up: ") {
			s.Retries += n
		}
	}
	s.AllBackSeconds = -1
	if s.NotBack == 0 {
		s.AllBackSeconds = roundTo(s.BackTime.Max/1e3, 3)
	}
	s.print()
	return s, nil
}

func (s *StormSummary) print() {
	fmt.Printf("\n== storm at %s: %d visitors on %s ==\n", s.Instant.Format(time.RFC3339Nano), s.Visitors, strings.Join(s.VisitorURLs, ","))
	s.FleetReport.print()
	fmt.Printf("dropped     %d sockets in %.1f ms\n", s.Reconnecting, s.CloseMs)
	fmt.Printf("back        %d of %d (not back %d); resumed %d, new identity %d\n", s.Back, s.Reconnecting, s.NotBack, s.Resumed, s.NewIdentity)
	fmt.Printf("back after  %s\n", s.BackTime)
	if s.AllBackSeconds >= 0 {
		fmt.Printf("ALL back    %.2f s after the instant\n", s.AllBackSeconds)
	} else {
		fmt.Printf("ALL back    no: %d never came back\n", s.NotBack)
	}
	fmt.Printf("retries     %d %v\n", s.Retries, s.RetryReasons)
	fmt.Printf("visitor error frames %v, closes %v\n", s.VisitorErrors, s.VisitorCloses)
}
