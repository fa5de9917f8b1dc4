package cluster

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/livedesk/gateway/internal/redistest"
	"github.com/livedesk/gateway/store"
)

var rtPrefixes atomic.Int64

var rtT0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// rtNodes returns n Routers on srv under one fresh prefix, each with a client (and
// connections) of its own, as n gateway nodes have; clients as NewRouter advises.
func rtNodes(t testing.TB, srv *redistest.Server, n int) []*Router {
	t.Helper()
	prefix := fmt.Sprintf("rt%d:", rtPrefixes.Add(1))
	rs := make([]*Router, n)
	for i := range rs {
		c := redis.NewClient(&redis.Options{Addr: srv.Addr(), DialTimeout: time.Second, DialerRetries: 1,
			MaxRetries: -1, ReadTimeout: time.Second, WriteTimeout: time.Second, ContextTimeoutEnabled: true, PoolSize: 64})
		t.Cleanup(func() { _ = c.Close() })
		rs[i] = NewRouter(c, prefix)
	}
	return rs
}

// rtRace runs fns at once (as near as goroutines get) and waits for them.
func rtRace(fns ...func()) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, fn := range fns {
		wg.Go(func() { <-start; fn() })
	}
	close(start)
	wg.Wait()
}

// rtExpect fails t when got and want do not print the same.
func rtExpect(t testing.TB, what string, got, want any) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
}

func rtMust(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// rtAgent is an agent's state before an Assign: open count and last assignment.
type rtAgent struct {
	id        string
	open, max int
	last      time.Time // zero: never assigned
}

// rtSetup replaces the agents' state in Redis with agents' and returns them as candidates.
func rtSetup(t *testing.T, r *Router, agents []rtAgent) []Candidate {
	t.Helper()
	ctx := t.Context()
	rtMust(t, r.rdb.Del(ctx, r.p+"open", r.p+"lastasg").Err())
	var cands []Candidate
	for _, a := range agents {
		rtMust(t, r.SetOpen(ctx, a.id, a.open))
		if !a.last.IsZero() {
			rtMust(t, r.rdb.HSet(ctx, r.p+"lastasg", a.id, rtStamp(a.last)).Err())
		}
		cands = append(cands, Candidate{a.id, a.max})
	}
	return cands
}

// rtModel is the single-node rule (routing.pickAgentLocked) on the same state.
func rtModel(agents []rtAgent) string {
	var best *rtAgent
	for i := range agents {
		a := &agents[i]
		if a.open >= a.max {
			continue
		}
		if best == nil || a.open < best.open || (a.open == best.open && (a.last.Before(best.last) ||
			(a.last.Equal(best.last) && a.id < best.id))) {
			best = a
		}
	}
	if best == nil {
		return ""
	}
	return best.id
}

func TestRouterAssignRule(t *testing.T) {
	t.Parallel()
	r := rtNodes(t, redistest.Start(t), 1)[0]
	ctx := t.Context()
	at := func(d time.Duration) time.Time { return rtT0.Add(d) }
	never := time.Time{}
	cases := []struct {
		name   string
		agents []rtAgent
		want   string
	}{
		{"fewest open", []rtAgent{{"a", 2, 5, at(1)}, {"b", 1, 5, at(3)}, {"c", 3, 5, at(2)}}, "b"},
		{"fewest open beats least recent", []rtAgent{{"a", 1, 5, never}, {"b", 0, 5, at(9)}}, "b"},
		{"tie: least recently assigned", []rtAgent{{"a", 1, 5, at(2 * time.Second)}, {"b", 1, 5, at(time.Second)}}, "b"},
		{"tie: a nanosecond apart", []rtAgent{{"a", 1, 5, at(1)}, {"b", 1, 5, at(0)}}, "b"},
		{"tie: before 1970 is older", []rtAgent{{"a", 0, 5, time.Unix(1, 0)}, {"b", 0, 5, time.Unix(-1, 0)}}, "b"},
		{"tie: never assigned first", []rtAgent{{"a", 0, 5, at(0)}, {"b", 0, 5, never}}, "b"},
		{"tie: smallest id", []rtAgent{{"b", 0, 5, at(4)}, {"a", 0, 5, at(4)}, {"c", 0, 5, at(4)}}, "a"},
		{"tie: id in byte order", []rtAgent{{"a", 0, 5, never}, {"B", 0, 5, never}}, "B"},
		{"at max skipped", []rtAgent{{"a", 3, 3, never}, {"b", 4, 5, at(5)}}, "b"},
		{"over max skipped", []rtAgent{{"a", 4, 3, never}, {"b", 4, 5, at(5)}}, "b"},
		{"max 0 never", []rtAgent{{"a", 0, 0, never}}, ""},
		{"everyone full", []rtAgent{{"a", 2, 2, at(0)}, {"b", 5, 5, at(0)}}, ""},
		{"no candidates", nil, ""},
	}
	now := rtT0.Add(time.Hour)
	for _, tc := range cases {
		got, err := r.Assign(ctx, "s", rtSetup(t, r, tc.agents), now)
		rtMust(t, err)
		rtExpect(t, tc.name, got, tc.want)
		for _, a := range tc.agents { // the winner's count and time moved, nobody else's
			want, wantLast := a.open, a.last
			if a.id == got {
				want, wantLast = a.open+1, now
			}
			n, _ := r.Open(ctx, a.id)
			last, _ := r.rdb.HGet(ctx, r.p+"lastasg", a.id).Result()
			if n != want || (!wantLast.IsZero() && last != rtStamp(wantLast)) || (wantLast.IsZero() && last != "") {
				t.Errorf("%s: %s open %d last %q, want %d %v", tc.name, a.id, n, last, want, wantLast)
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2)) // random states against the single-node rule
	for i := range 300 {
		seen := map[string]bool{}
		var agents []rtAgent
		for range 1 + rng.IntN(6) {
			a := rtAgent{id: string(rune('a' + rng.IntN(8))), open: rng.IntN(4), max: rng.IntN(4)}
			if rng.IntN(3) > 0 {
				a.last = rtT0.Add(time.Duration(rng.IntN(3)))
			}
			if !seen[a.id] {
				seen[a.id] = true
				agents = append(agents, a)
			}
		}
		got, err := r.Assign(ctx, "s", rtSetup(t, r, agents), now)
		rtMust(t, err)
		rtExpect(t, fmt.Sprintf("random case %d %+v", i, agents), got, rtModel(agents))
	}
}

func TestRouterOpenRelease(t *testing.T) {
	t.Parallel()
	r := rtNodes(t, redistest.Start(t), 1)[0]
	ctx := t.Context()
	open := func() int { n, err := r.Open(ctx, "a"); rtMust(t, err); return n }
	rtExpect(t, "open of an unknown agent", open(), 0)
	rtMust(t, r.SetOpen(ctx, "a", 2))
	rtMust(t, r.Release(ctx, "a"))
	rtExpect(t, "open after SetOpen 2 and a release", open(), 1)
	for range 2 {
		rtMust(t, r.Release(ctx, "a"))
		rtExpect(t, "open after more releases than chats", open(), 0)
	}
	id, err := r.Assign(ctx, "s", []Candidate{{"a", 1}}, rtT0)
	rtExpect(t, "assign after releases", fmt.Sprintf("%s %v %d", id, err, open()), "a <nil> 1")
}

// Two nodes race for an agent's last slot, 200 times: exactly one wins each time.
func TestRouterLastSlotRace(t *testing.T) {
	t.Parallel()
	nodes := rtNodes(t, redistest.Start(t), 2)
	ctx := t.Context()
	cands := []Candidate{{"a", 3}}
	for round := range 200 {
		rtMust(t, nodes[0].SetOpen(ctx, "a", 2))
		var got [2]string
		var errs [2]error
		now := rtT0.Add(time.Duration(round))
		rtRace(func() { got[0], errs[0] = nodes[0].Assign(ctx, "s", cands, now) },
			func() { got[1], errs[1] = nodes[1].Assign(ctx, "s", cands, now) })
		rtMust(t, errors.Join(errs[:]...))
		n, err := nodes[1].Open(ctx, "a")
		slices.Sort(got[:])
		rtExpect(t, fmt.Sprint("round ", round, ": results, open"), fmt.Sprint(got, n, err), "[ a] 3 <nil>")
	}
}

// 8 workers on two nodes do Assign/Release pairs on three agents while an observer
// reads the counts: no count ever exceeds its max, and they end where they began.
func TestRouterBulkRace(t *testing.T) {
	t.Parallel()
	nodes := rtNodes(t, redistest.Start(t), 2)
	ctx := t.Context()
	cands := []Candidate{{"a", 2}, {"b", 3}, {"c", 4}}
	initial := map[string]int{"a": 1, "b": 0, "c": 2}
	for id, n := range initial {
		rtMust(t, nodes[0].SetOpen(ctx, id, n))
	}
	var wg, obs sync.WaitGroup
	var done atomic.Bool
	var assigned, full, reads atomic.Int64
	errs := make(chan error, 16)
	obs.Go(func() {
		for !done.Load() {
			for _, c := range cands {
				n, err := nodes[1].Open(ctx, c.AgentID)
				if err != nil || n > c.MaxChats || n < 0 {
					errs <- fmt.Errorf("observer: %s open %d (max %d), %v", c.AgentID, n, c.MaxChats, err)
					return
				}
				reads.Add(1)
			}
		}
	})
	for w := range 8 {
		r := nodes[w%2]
		wg.Go(func() {
			for i := range 1000 {
				id, err := r.Assign(ctx, "s", cands, rtT0.Add(time.Duration(w*1000+i)))
				if err == nil && id != "" {
					assigned.Add(1)
					err = r.Release(ctx, id)
				} else if err == nil {
					full.Add(1)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	done.Store(true)
	obs.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for id, want := range initial {
		if n, err := nodes[0].Open(ctx, id); err != nil || n != want {
			t.Errorf("%s ends at %d, %v; want %d", id, n, err, want)
		}
	}
	if assigned.Load()+full.Load() != 8000 || reads.Load() == 0 {
		t.Errorf("assigned %d + full %d != 8000, or no reads (%d)", assigned.Load(), full.Load(), reads.Load())
	}
	t.Logf("assigned %d, nobody free %d, observer reads %d", assigned.Load(), full.Load(), reads.Load())
}

// Two nodes enqueue at once, all at the same instant: positions are unique and
// gapless, each is the conversation's index in Queue, and each node's own enqueues
// keep their order.
func TestRouterQueueFIFO(t *testing.T) {
	t.Parallel()
	nodes := rtNodes(t, redistest.Start(t), 2)
	ctx := t.Context()
	var pos [2][100]int
	var errs [2]error
	enqueue := func(n int) func() {
		return func() {
			for i := range pos[n] {
				if pos[n][i], errs[n] = nodes[n].Enqueue(ctx, "s", fmt.Sprintf("n%d-%03d", n, i), rtT0); errs[n] != nil {
					return
				}
			}
		}
	}
	rtRace(enqueue(0), enqueue(1))
	rtMust(t, errors.Join(errs[:]...))
	q, err := nodes[0].Queue(ctx, "s")
	rtMust(t, err)
	seen := map[int]bool{}
	for n := range pos {
		for i, p := range pos[n] {
			if p < 1 || p > 200 || seen[p] || q[p-1] != fmt.Sprintf("n%d-%03d", n, i) || (i > 0 && p <= pos[n][i-1]) {
				t.Fatalf("node %d enqueue %d: position %d (queue %v)", n, i, p, q)
			}
			seen[p] = true
		}
	}
	if p, err := nodes[1].Enqueue(ctx, "s", q[5], rtT0.Add(time.Hour)); err != nil || p != 6 {
		t.Fatalf("enqueue again = %d, %v; want its place 6", p, err)
	}
	if n, err := nodes[1].Length(ctx, "s"); err != nil || n != 200 || len(q) != 200 {
		t.Fatalf("length %d (queue %d), %v; want 200", n, len(q), err)
	}
}

func TestRouterStartDrainRequeue(t *testing.T) {
	t.Parallel()
	r := rtNodes(t, redistest.Start(t), 1)[0]
	ctx := t.Context()
	one := []Candidate{{"a", 2}}
	queue := func() []string { q, err := r.Queue(ctx, "s"); rtMust(t, err); return q }
	start := func(conv string, cands []Candidate) string {
		id, pos, err := r.StartOrQueue(ctx, "s", conv, cands, rtT0)
		rtMust(t, err)
		return fmt.Sprint(id, "/", pos)
	}
	rtExpect(t, "start, nobody has room", start("c1", nil), "/1")
	rtExpect(t, "start behind a waiting chat, a has room", start("c2", one), "/2")
	rtExpect(t, "start again of a queued chat", start("c1", one), "/1")
	n, _ := r.Open(ctx, "a")
	rtExpect(t, "a's open count", n, 0)
	rtMust(t, r.Requeue(ctx, "s", "c0", rtT0.Add(-time.Minute)))
	_, _ = r.Enqueue(ctx, "s", "c3", rtT0)
	rtExpect(t, "queue after requeue and enqueue", queue(), []string{"c0", "c1", "c2", "c3"})
	at, ok, err := r.QueuedAt(ctx, "s", "c0")
	rtExpect(t, "c0 queued at", fmt.Sprint(at.Equal(rtT0.Add(-time.Minute)), ok, err), "true true <nil>")
	for _, want := range []string{"c0 a", "c1 a", " "} {
		conv, agent, err := r.DrainOne(ctx, "s", one, rtT0)
		rtMust(t, err)
		rtExpect(t, "drain", conv+" "+agent, want)
	}
	rtExpect(t, "queue when a is full", queue(), []string{"c2", "c3"})
	conv, agent, _ := r.DrainOne(ctx, "s", nil, rtT0)
	rtExpect(t, "drain with no candidates", conv+agent, "")
	rtMust(t, r.Release(ctx, "a"))
	conv, agent, _ = r.DrainOne(ctx, "s", []Candidate{{"a", 2}, {"b", 2}}, rtT0)
	rtExpect(t, "drain to the least loaded", conv+" "+agent, "c2 b")
	rtMust(t, r.Requeue(ctx, "s", "c2", rtT0))
	rtMust(t, r.Requeue(ctx, "s", "c2", rtT0))
	rtExpect(t, "queue after requeue twice", queue(), []string{"c2", "c3"})
	if _, ok, _ := r.QueuedAt(ctx, "s", "c0"); ok {
		t.Fatal("drained c0 still has a queued time")
	}
	rtExpect(t, "start on an empty queue", start("c9", one), "/3")
	rtMust(t, errors.Join(r.Release(ctx, "a"), r.Release(ctx, "b")))
	_, _ = r.ClaimQueue(ctx, "s")
	rtExpect(t, "start on an empty queue, a has room", start("c9", one), "a/0")
}

// Two nodes remove the same conversation, and claim the same queue, at once:
// exactly one of them gets it.
func TestRouterRemoveClaimRace(t *testing.T) {
	t.Parallel()
	nodes := rtNodes(t, redistest.Start(t), 2)
	ctx := t.Context()
	for round := range 50 {
		site := fmt.Sprint("s", round)
		ids := []string{"q1", "q2", "q3", "q4", "q5"}
		for _, id := range ids {
			_, err := nodes[round%2].Enqueue(ctx, site, id, rtT0)
			rtMust(t, err)
		}
		var removed [2]bool
		var claimed [2][]string
		var errs [4]error
		rtRace(func() { removed[0], errs[0] = nodes[0].Remove(ctx, site, "q3") },
			func() { removed[1], errs[1] = nodes[1].Remove(ctx, site, "q3") })
		rtRace(func() { claimed[0], errs[2] = nodes[0].ClaimQueue(ctx, site) },
			func() { claimed[1], errs[3] = nodes[1].ClaimQueue(ctx, site) })
		rtMust(t, errors.Join(errs[:]...))
		if removed[0] == removed[1] {
			t.Fatalf("round %d: Remove results %v, want exactly one true", round, removed)
		}
		slices.SortFunc(claimed[:], func(a, b []string) int { return len(a) - len(b) })
		if len(claimed[0]) != 0 || !slices.Equal(claimed[1], []string{"q1", "q2", "q4", "q5"}) {
			t.Fatalf("round %d: claims %q, want one empty and q1 q2 q4 q5", round, claimed)
		}
		if n, err := nodes[0].Length(ctx, site); err != nil || n != 0 {
			t.Fatalf("round %d: length after claim %d, %v", round, n, err)
		}
	}
}

// With Redis down every call fails fast with store.ErrUnavailable; after a restart
// (the scripts are gone from the server's cache) they work again.
func TestRouterUnavailable(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	r := rtNodes(t, srv, 1)[0]
	ctx := t.Context()
	c := []Candidate{{"a", 2}}
	calls := map[string]func() error{
		"Assign":       func() error { _, err := r.Assign(ctx, "s", c, rtT0); return err },
		"Release":      func() error { return r.Release(ctx, "a") },
		"Open":         func() error { _, err := r.Open(ctx, "a"); return err },
		"SetOpen":      func() error { return r.SetOpen(ctx, "a", 1) },
		"Enqueue":      func() error { _, err := r.Enqueue(ctx, "s", "c", rtT0); return err },
		"StartOrQueue": func() error { _, _, err := r.StartOrQueue(ctx, "s", "c", c, rtT0); return err },
		"Remove":       func() error { _, err := r.Remove(ctx, "s", "c"); return err },
		"DrainOne":     func() error { _, _, err := r.DrainOne(ctx, "s", c, rtT0); return err },
		"Requeue":      func() error { return r.Requeue(ctx, "s", "c", rtT0) },
		"ClaimQueue":   func() error { _, err := r.ClaimQueue(ctx, "s"); return err },
		"Queue":        func() error { _, err := r.Queue(ctx, "s"); return err },
		"Length":       func() error { _, err := r.Length(ctx, "s"); return err },
		"QueuedAt":     func() error { _, _, err := r.QueuedAt(ctx, "s", "c"); return err },
	}
	for name, call := range calls { // load the scripts before the outage
		if err := call(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	srv.Stop()
	for name, call := range calls {
		begin := time.Now()
		err := call()
		if !errors.Is(err, store.ErrUnavailable) || time.Since(begin) > 3*time.Second {
			t.Errorf("%s with Redis down: %v after %v, want ErrUnavailable within 3s", name, err, time.Since(begin))
		}
	}
	srv.Restart()
	for name, call := range calls {
		deadline := time.Now().Add(5 * time.Second)
		for err := call(); err != nil; err = call() {
			if time.Now().After(deadline) {
				t.Fatalf("%s after restart: %v", name, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// BenchmarkRouterStartOrQueue: 2 nodes x 16 goroutines start chats on one site with
// 20 agents of max 5, each ending its chat (Release) at once: a steady state where
// nobody queues. Reports ops/s and StartOrQueue latency percentiles.
func BenchmarkRouterStartOrQueue(b *testing.B) {
	nodes := rtNodes(b, redistest.Start(b), 2)
	ctx := b.Context()
	cands := make([]Candidate, 20)
	for i := range cands {
		cands[i] = Candidate{fmt.Sprintf("agent-%02d", i), 5}
	}
	var next atomic.Int64
	var queued atomic.Int64
	lat := make([][]time.Duration, 32)
	b.ResetTimer()
	begin := time.Now()
	var wg sync.WaitGroup
	for g := range lat {
		r := nodes[g%2]
		wg.Go(func() {
			for n := next.Add(1); n <= int64(b.N); n = next.Add(1) {
				conv := fmt.Sprint("c", n)
				t0 := time.Now()
				id, _, err := r.StartOrQueue(ctx, "s", conv, cands, rtT0.Add(time.Duration(n)))
				lat[g] = append(lat[g], time.Since(t0))
				switch {
				case err != nil:
					b.Error(err)
					return
				case id == "":
					queued.Add(1)
					_, err = r.Remove(ctx, "s", conv)
				default:
					err = r.Release(ctx, id)
				}
				if err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(begin)
	b.StopTimer()
	all := slices.Concat(lat...)
	slices.Sort(all)
	if len(all) == 0 {
		return
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "starts/s")
	b.ReportMetric(float64(all[len(all)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds()), "p99-µs")
	b.ReportMetric(float64(queued.Load()), "queued")
}
