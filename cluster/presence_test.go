package cluster

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/livedesk/gateway/clock"
	"github.com/livedesk/gateway/internal/redistest"
	"github.com/livedesk/gateway/store"
)

var (
	presT0       = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	presPrefixes atomic.Int64
	presCtx      = context.Background()
)

const presHB, presTTL = 5 * time.Second, 15 * time.Second

// presEnv is one Redis key space with a fake clock and a record of OnChange calls.
type presEnv struct {
	t      *testing.T
	rdb    *redis.Client
	prefix string
	clk    *clock.Fake
	mu     sync.Mutex
	ev     []presEvent
}

type presEvent struct {
	node, agent string
	live        int
	lostAt, at  time.Time // at: the clock when OnChange ran
}

func newPresEnv(t *testing.T, srv *redistest.Server) *presEnv {
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), DialTimeout: time.Second, DialerRetries: 1,
		MaxRetries: -1, ReadTimeout: time.Second, WriteTimeout: time.Second, ContextTimeoutEnabled: true})
	t.Cleanup(func() { _ = rdb.Close() })
	return &presEnv{t: t, rdb: rdb, prefix: fmt.Sprintf("pt%d:", presPrefixes.Add(1)), clk: clock.NewFake(presT0)}
}

// node makes a Presence named id with the given options (defaults: 5 s / 15 s).
func (e *presEnv) node(id string, o PresenceOptions) *Presence {
	if o.Heartbeat == 0 {
		o.Heartbeat, o.TTL = presHB, presTTL
	}
	o.OnChange = func(a string, live int, lostAt time.Time) {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.ev = append(e.ev, presEvent{id, a, live, lostAt, e.clk.Now()})
	}
	return NewPresence(e.rdb, e.prefix, id, e.clk, o)
}

func (e *presEnv) events(agent string) []presEvent {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []presEvent
	for _, v := range e.ev {
		if v.agent == agent {
			out = append(out, v)
		}
	}
	return out
}

// expect asserts the OnChange calls for the agent (at is not compared when zero in want).
func (e *presEnv) expect(agent string, want ...presEvent) []presEvent {
	e.t.Helper()
	ev := e.events(agent)
	ok := len(ev) == len(want)
	for i := 0; ok && i < len(ev); i++ {
		g, w := ev[i], want[i]
		ok = g.node == w.node && g.live == w.live && g.lostAt.Equal(w.lostAt) && (w.at.IsZero() || g.at.Equal(w.at))
	}
	if !ok {
		e.t.Fatalf("OnChange calls for %s: %v, want %v", agent, ev, want)
	}
	return ev
}

// live returns a check of an AddSocket or RemoveSocket answer.
func (e *presEnv) live(want int) func(int, error) {
	return func(n int, err error) {
		if err != nil || n != want {
			e.t.Fatalf("at %v: live %d, %v; want %d", e.clk.Now().Sub(presT0), n, err, want)
		}
	}
}

func (e *presEnv) start(ps ...*Presence) {
	e.t.Helper()
	for _, p := range ps {
		if err := p.Start(presCtx); err != nil {
			e.t.Fatal(err)
		}
	}
}

// agent asserts what p reports for the agent.
func (e *presEnv) agent(p *Presence, a string, live int, lostAt time.Time) {
	e.t.Helper()
	n, at, err := p.Agent(presCtx, a)
	if err != nil || n != live || !at.Equal(lostAt) {
		e.t.Fatalf("Agent(%s) at %v = %d, %v, %v; want %d, %v", a, e.clk.Now().Sub(presT0), n, at, err, live, lostAt)
	}
}

func (e *presEnv) hexists(agent, node string) bool {
	return e.rdb.HExists(presCtx, e.prefix+"socks:"+agent, node).Val()
}

func TestPresenceTwoNodesCount(t *testing.T) {
	e := newPresEnv(t, redistest.Start(t))
	a, b := e.node("a", PresenceOptions{}), e.node("b", PresenceOptions{})
	e.start(a, b)
	e.live(1)(a.AddSocket(presCtx, "x"))
	e.live(2)(b.AddSocket(presCtx, "x"))
	e.live(1)(a.RemoveSocket(presCtx, "x"))
	e.agent(b, "x", 1, time.Time{})
	e.clk.Advance(3 * time.Second)
	e.live(0)(b.RemoveSocket(presCtx, "x"))
	lost := presT0.Add(3 * time.Second)
	e.agent(a, "x", 0, lost)
	e.expect("x", presEvent{"a", "x", 1, time.Time{}, presT0}, presEvent{"b", "x", 0, lost, lost})
	if all, err := a.All(presCtx); err != nil || len(all) != 1 || !all["x"].LostAt.Equal(lost) {
		t.Fatalf("All = %v, %v", all, err)
	}
}

func TestPresenceNodeDeath(t *testing.T) {
	srv := redistest.Start(t)
	for _, off := range []time.Duration{0, time.Second, presHB - time.Millisecond} {
		t.Run(off.String(), func(t *testing.T) {
			e := newPresEnv(t, srv)
			a, b := e.node("a", PresenceOptions{}), e.node("b", PresenceOptions{})
			e.start(a)
			e.live(1)(a.AddSocket(presCtx, "x"))
			e.clk.Advance(off) // b beats off after a does
			e.start(b)
			e.clk.Set(presT0.Add(7 * time.Second)) // a's last beat is at 5 s
			a.Stop()                               // SIGKILL: no Leave
			lastBeat := presT0.Add(presHB)
			deadAt := lastBeat.Add(presTTL)
			e.clk.Set(deadAt.Add(-time.Millisecond))
			e.agent(b, "x", 1, time.Time{})
			e.clk.Set(deadAt)
			e.agent(b, "x", 0, deadAt) // dead counts for nothing, reaped or not
			// b has not beaten since a died (unless off is 0), so a is not reaped yet.
			if off > 0 {
				e.expect("x", presEvent{"a", "x", 1, time.Time{}, presT0})
				if !e.hexists("x", "a") {
					t.Fatal("a reaped before any beat of b")
				}
			}
			e.clk.Set(deadAt.Add(presHB))
			ev := e.expect("x", presEvent{"a", "x", 1, time.Time{}, presT0}, presEvent{"b", "x", 0, deadAt, time.Time{}})
			if d := ev[1].at.Sub(lastBeat); d > presTTL+presHB || ev[1].at.Before(deadAt) {
				t.Fatalf("death seen %v after the last beat, want <= %v", d, presTTL+presHB)
			}
			if e.hexists("x", "a") || e.rdb.SIsMember(presCtx, e.prefix+"nodes", "a").Val() {
				t.Fatal("a's counts or membership survived the reaping")
			}
			e.agent(b, "x", 0, deadAt)
		})
	}
}

func TestPresenceConcurrentReapers(t *testing.T) {
	srv := redistest.Start(t)
	for round := 0; round < 10; round++ {
		e := newPresEnv(t, srv)
		long := PresenceOptions{Heartbeat: time.Hour, TTL: time.Hour} // b, c beat only when told
		a, b, c, d := e.node("a", PresenceOptions{}), e.node("b", long), e.node("c", long), e.node("d", PresenceOptions{})
		e.start(a, b, c, d)
		for _, x := range []string{"x", "y", "z"} {
			e.live(1)(a.AddSocket(presCtx, x))
		}
		e.live(2)(d.AddSocket(presCtx, "x")) // x on two nodes that die together: one 0
		e.live(2)(b.AddSocket(presCtx, "z"))
		a.Stop()
		d.Stop()
		e.clk.Advance(presTTL) // a and d dead
		var wg sync.WaitGroup
		gate := make(chan struct{})
		for _, p := range []*Presence{b, c} {
			p.mu.Lock()
			gen := p.gen
			p.mu.Unlock()
			wg.Go(func() {
				<-gate
				if err := p.beat(presCtx, gen); err != nil {
					t.Error(err)
				}
			})
		}
		close(gate)
		wg.Wait()
		for _, x := range []string{"x", "y"} {
			if ev := e.events(x); len(ev) != 2 || ev[1].live != 0 || (ev[1].node != "b" && ev[1].node != "c") || !ev[1].lostAt.Equal(presT0.Add(presTTL)) {
				t.Fatalf("round %d: OnChange calls for %s: %v, want one 0 on one reaper", round, x, ev)
			}
			e.agent(c, x, 0, presT0.Add(presTTL))
		}
		if ev := e.events("z"); len(ev) != 1 || e.hexists("z", "a") || !e.hexists("z", "b") {
			t.Fatalf("round %d: z: OnChange %v, a's count still there %v", round, ev, e.hexists("z", "a"))
		}
		e.agent(c, "z", 1, time.Time{})
	}
}

func TestPresenceLeave(t *testing.T) {
	e := newPresEnv(t, redistest.Start(t))
	a, b := e.node("a", PresenceOptions{}), e.node("b", PresenceOptions{})
	e.start(a, b)
	e.live(1)(a.AddSocket(presCtx, "x"))
	e.live(1)(a.AddSocket(presCtx, "y"))
	e.live(2)(b.AddSocket(presCtx, "y"))
	e.clk.Advance(2 * time.Second)
	if err := a.Leave(presCtx); err != nil {
		t.Fatal(err)
	}
	left := presT0.Add(2 * time.Second)
	e.expect("x", presEvent{"a", "x", 1, time.Time{}, presT0}, presEvent{"a", "x", 0, left, left})
	e.agent(b, "x", 0, left)
	e.agent(b, "y", 1, time.Time{})
	if e.hexists("x", "a") || e.hexists("y", "a") || e.rdb.Exists(presCtx, e.prefix+"node:a").Val() != 0 ||
		e.rdb.SIsMember(presCtx, e.prefix+"nodes", "a").Val() {
		t.Fatal("a's keys survived Leave")
	}
	e.clk.Advance(time.Minute) // b beats: nothing left to reap
	e.expect("x", presEvent{"a", "x", 1, time.Time{}, presT0}, presEvent{"a", "x", 0, left, left})
	e.expect("y", presEvent{"a", "y", 1, time.Time{}, presT0})
}

func TestPresenceRedisDown(t *testing.T) {
	srv := redistest.Start(t)
	e := newPresEnv(t, srv)
	core, logs := observer.New(zap.WarnLevel)
	a, b := e.node("a", PresenceOptions{Logger: zap.New(core)}), e.node("b", PresenceOptions{})
	e.start(a, b)
	e.live(1)(a.AddSocket(presCtx, "x"))
	e.live(1)(b.AddSocket(presCtx, "z"))
	srv.Stop()
	began := time.Now()
	if _, err := a.AddSocket(presCtx, "y"); !errors.Is(err, store.ErrUnavailable) || time.Since(began) > 2*time.Second {
		t.Fatalf("AddSocket with Redis down: %v after %v", err, time.Since(began))
	}
	e.clk.Advance(30 * time.Second) // six failed beats each; a's and b's alive-until pass
	if n := logs.FilterMessageSnippet("heartbeat failed").Len(); n != 6 {
		t.Fatalf("%d heartbeat failures logged, want 6", n)
	}
	srv.Restart()
	for e.rdb.Ping(presCtx).Err() != nil { // go-redis redials a lost server about once a second
		if time.Since(began) > 10*time.Second {
			t.Fatal("no PING after Restart")
		}
		time.Sleep(50 * time.Millisecond)
	}
	e.clk.Advance(presHB) // both back: neither reaps the other in its first beat
	for _, n := range []string{"a", "b"} {
		if v, _ := e.rdb.Get(presCtx, e.prefix+"node:"+n).Int64(); v != e.clk.Now().Add(presTTL).UnixMilli() {
			t.Fatalf("node %s alive until %d after Restart", n, v)
		}
	}
	e.clk.Advance(presHB)
	e.agent(a, "x", 1, time.Time{})
	e.agent(a, "y", 1, time.Time{}) // the write that failed caught up
	e.agent(a, "z", 1, time.Time{})
	e.expect("y", presEvent{"a", "y", 1, time.Time{}, time.Time{}})
	for _, v := range e.events("z") {
		if v.live == 0 {
			t.Fatalf("z reported lost after the outage: %v", e.events("z"))
		}
	}
}

func TestPresenceRestartWithSameID(t *testing.T) {
	e := newPresEnv(t, redistest.Start(t))
	old := e.node("a", PresenceOptions{})
	e.start(old)
	e.live(1)(old.AddSocket(presCtx, "x"))
	old.Stop() // crash, then the same node id comes back before its TTL ran out
	e.clk.Advance(2 * time.Second)
	e.start(e.node("a", PresenceOptions{}))
	e.agent(old, "x", 0, presT0.Add(2*time.Second))
}

func TestPresenceConcurrency(t *testing.T) {
	e := newPresEnv(t, redistest.Start(t))
	const nodes, workers, agents, ops = 4, 8, 10, 100
	var ps []*Presence
	want := make([][agents]int, nodes) // per node, per agent
	var mu sync.Mutex
	var wg sync.WaitGroup
	for n := range nodes {
		p := e.node(fmt.Sprint("n", n), PresenceOptions{})
		ps = append(ps, p)
		e.start(p)
		for w := range workers {
			wg.Go(func() {
				r, held := rand.New(rand.NewSource(int64(n*workers+w))), [agents]int{}
				for range ops {
					i := r.Intn(agents)
					var err error
					if held[i] > 0 && r.Intn(2) == 0 {
						_, err = p.RemoveSocket(presCtx, fmt.Sprint("ag", i))
						held[i]--
					} else {
						_, err = p.AddSocket(presCtx, fmt.Sprint("ag", i))
						held[i]++
					}
					if err != nil {
						t.Error(err)
						return
					}
				}
				mu.Lock()
				defer mu.Unlock()
				for i := range agents {
					want[n][i] += held[i]
				}
			})
		}
	}
	var done atomic.Bool
	var beats sync.WaitGroup
	beats.Go(func() { // heartbeats that rewrite every node's counts, amid the changes
		for i := 0; !done.Load(); i++ {
			p := ps[i%nodes]
			p.mu.Lock()
			p.dirty = true
			p.mu.Unlock()
			e.clk.Advance(presHB / nodes)
		}
	})
	wg.Wait()
	done.Store(true)
	beats.Wait()
	all, err := ps[0].All(presCtx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range agents {
		a, sum := fmt.Sprint("ag", i), 0
		for n := range nodes {
			sum += want[n][i]
			if got, _ := e.rdb.HGet(presCtx, e.prefix+"socks:"+a, fmt.Sprint("n", n)).Int(); got != want[n][i] {
				t.Errorf("%s on n%d: %d, want %d", a, n, got, want[n][i])
			}
		}
		if live, _, _ := ps[i%nodes].Agent(presCtx, a); live != sum || all[a].Live != sum {
			t.Errorf("%s: Agent %d, All %d, want %d", a, live, all[a].Live, sum)
		}
		up := 0
		for _, v := range e.events(a) {
			up += map[bool]int{true: 1, false: -1}[v.live > 0]
		}
		if up != map[bool]int{true: 1, false: 0}[sum > 0] {
			t.Errorf("%s: OnChange ups minus downs %d with %d live", a, up, sum)
		}
	}
}
