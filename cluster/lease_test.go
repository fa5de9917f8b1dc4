package cluster

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/livedesk/gateway/internal/redistest"
	"github.com/livedesk/gateway/store"
)

// Short lease timing for the tests: leaders step down 240 ms after their last
// renewal, Redis expires them after 300 ms.
const ltTTL, ltRenew = 300 * time.Millisecond, 60 * time.Millisecond

var leasePrefixes atomic.Int64

// leaseEnv is one lease key space, with a record of every node's callbacks.
type leaseEnv struct {
	t      *testing.T
	srv    *redistest.Server
	prefix string
	// oneLeader: fail when two nodes are leader at once (by their callbacks). Off
	// where the test itself breaks the protocol (an intruder, two processes with
	// one id).
	oneLeader bool

	mu      sync.Mutex
	ev      []leaseEvent // every callback, in the order they ran
	leaders int          // OnAcquire calls minus OnLose calls, across nodes
	leases  []*Lease
	nodes   map[*Lease]*leaseNode
}

type leaseEvent struct {
	node    string
	acquire bool // else lose
	epoch   int64
	at      time.Time
}

// leaseNode is one lease's callback state.
type leaseNode struct {
	id  string
	in  atomic.Int32 // callbacks running now
	cbs time.Duration
}

func newLeaseEnv(t *testing.T, srv *redistest.Server) *leaseEnv {
	return &leaseEnv{t: t, srv: srv, prefix: fmt.Sprintf("lt%d:", leasePrefixes.Add(1)),
		oneLeader: true, nodes: map[*Lease]*leaseNode{}}
}

// client returns a new client of the test's server, closed when the test ends.
func (e *leaseEnv) client() *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: e.srv.Addr(), DialTimeout: time.Second, DialerRetries: 1,
		MaxRetries: -1, ReadTimeout: time.Second, WriteTimeout: time.Second, ContextTimeoutEnabled: true})
	e.t.Cleanup(func() { _ = c.Close() })
	return c
}

// lease makes (not starts) the lease of node id on c (a new client when nil), with
// the test timing unless o sets its own. Callbacks take cb each.
func (e *leaseEnv) lease(id string, c redis.UniversalClient, o LeaseOptions, cb time.Duration) *Lease {
	if c == nil {
		c = e.client()
	}
	if o.TTL == 0 {
		o.TTL, o.Renew = ltTTL, ltRenew
	}
	n := &leaseNode{id: id, cbs: cb}
	o.OnAcquire = func(epoch int64) { e.callback(n, true, epoch) }
	o.OnLose = func() { e.callback(n, false, 0) }
	l := NewLease(c, e.prefix, id, o)
	e.mu.Lock()
	e.leases = append(e.leases, l)
	e.nodes[l] = n
	e.mu.Unlock()
	e.t.Cleanup(l.Stop) // before the clients close and the server stops
	return l
}

func (e *leaseEnv) callback(n *leaseNode, acquire bool, epoch int64) {
	if n.in.Add(1) != 1 {
		e.t.Errorf("%s: callbacks overlap", n.id)
	}
	e.mu.Lock()
	e.ev = append(e.ev, leaseEvent{n.id, acquire, epoch, time.Now()})
	if acquire {
		e.leaders++
	} else {
		e.leaders--
	}
	if e.oneLeader && e.leaders > 1 {
		e.t.Errorf("%s acquired (epoch %d) while another node was leader", n.id, epoch)
	}
	e.mu.Unlock()
	time.Sleep(n.cbs) // widen the window for overlaps
	n.in.Add(-1)
}

// leader returns the one lease among ls that is leader now, nil when none; it
// fails when several are.
func (e *leaseEnv) leader(ls ...*Lease) *Lease {
	e.t.Helper()
	var got *Lease
	for _, l := range ls {
		if ok, _ := l.Leader(); ok {
			if got != nil && e.oneLeader {
				e.t.Fatalf("%s and %s are both leader", got.node, l.node)
			}
			got = l
		}
	}
	return got
}

// waitLeader waits until one of ls is leader and returns it.
func (e *leaseEnv) waitLeader(within time.Duration, ls ...*Lease) *Lease {
	e.t.Helper()
	var got *Lease
	leaseWaitFor(e.t, within, "a leader", func() bool { got = e.leader(ls...); return got != nil })
	return got
}

// events returns a copy of the callbacks so far.
func (e *leaseEnv) events() []leaseEvent {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]leaseEvent(nil), e.ev...)
}

// lastEvent returns node's latest callback of the kind, if any.
func (e *leaseEnv) lastEvent(node string, acquire bool) (leaseEvent, bool) {
	ev := e.events()
	for i := len(ev) - 1; i >= 0; i-- {
		if ev[i].node == node && ev[i].acquire == acquire {
			return ev[i], true
		}
	}
	return leaseEvent{}, false
}

// finish stops every lease and checks the callbacks: per node they alternate
// acquire, lose, ..., ending with a lose; acquisitions' epochs strictly increase.
// It returns the number of acquisitions.
func (e *leaseEnv) finish() int {
	e.t.Helper()
	e.mu.Lock()
	ls := append([]*Lease(nil), e.leases...)
	e.mu.Unlock()
	for _, l := range ls {
		l.Stop()
		if ok, ep := l.Leader(); ok || ep != 0 {
			e.t.Errorf("%s: Leader() = %v, %d after Stop", l.node, ok, ep)
		}
	}
	ev := e.events()
	held := map[string]bool{}
	var last int64
	acquired := 0
	for i, v := range ev {
		if v.acquire == held[v.node] {
			e.t.Fatalf("event %d: %s acquire=%v while leader=%v; events %+v", i, v.node, v.acquire, held[v.node], ev)
		}
		held[v.node] = v.acquire
		if v.acquire {
			acquired++
			if v.epoch <= last {
				e.t.Fatalf("event %d: %s acquired with epoch %d after epoch %d", i, v.node, v.epoch, last)
			}
			last = v.epoch
		}
	}
	for n, h := range held {
		if h {
			e.t.Errorf("%s is still leader by its callbacks after Stop", n)
		}
	}
	return acquired
}

// leaseWaitFor polls cond until it holds, failing the test after within.
func leaseWaitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %v", what, within)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// leaseHolds checks cond for d (a stability check, not a wait).
func leaseHolds(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		if !cond() {
			t.Fatalf("%s stopped holding", what)
		}
	}
}

func TestLeaseOneLeaderAndHandover(t *testing.T) {
	e := newLeaseEnv(t, redistest.Start(t))
	ls := []*Lease{e.lease("a", nil, LeaseOptions{}, 0), e.lease("b", nil, LeaseOptions{}, 0), e.lease("c", nil, LeaseOptions{}, 0)}
	for _, l := range ls {
		l.Start()
	}
	first := e.waitLeader(3*time.Second, ls...)
	_, ep1 := first.Leader()
	// Through several TTLs of renewals the leader stays, alone and with its epoch.
	leaseHolds(t, 4*ltTTL, "the first leader", func() bool {
		ok, ep := first.Leader()
		return e.leader(ls...) == first && ok && ep == ep1
	})
	if h, err := Holder(context.Background(), e.client(), e.prefix); err != nil || h != first.node {
		t.Fatalf("Holder = %q, %v; want %q", h, err, first.node)
	}

	// Stop hands over: the others take it at their next tick (no TryNow here).
	first.Stop()
	rest := without(ls, first)
	second := e.waitLeader(3*time.Second, rest...)
	if _, ep2 := second.Leader(); ep2 <= ep1 {
		t.Fatalf("epoch %d after %d", ep2, ep1)
	}
	second.Stop()
	third := e.waitLeader(3*time.Second, without(rest, second)...)
	third.Stop()
	if h, err := Holder(context.Background(), e.client(), e.prefix); err != nil || h != "" {
		t.Fatalf("Holder after all stopped = %q, %v", h, err)
	}
	if n := e.finish(); n != 3 {
		t.Fatalf("%d acquisitions, want 3: %+v", n, e.events())
	}
}

// Stop publishes the release; nodes that TryNow on it take over at once, long
// before their next tick.
func TestLeaseStopHandsOverAtOnceWithTryNow(t *testing.T) {
	e := newLeaseEnv(t, redistest.Start(t))
	o := LeaseOptions{TTL: time.Minute, Renew: 20 * time.Second} // ticks far apart
	ls := []*Lease{e.lease("a", nil, o, 0), e.lease("b", nil, o, 0), e.lease("c", nil, o, 0)}

	sub := e.client().Subscribe(context.Background(), LeaseChannel(e.prefix))
	t.Cleanup(func() { _ = sub.Close() })
	if _, err := sub.Receive(context.Background()); err != nil { // subscribed
		t.Fatal(err)
	}
	var released atomic.Int32
	all := ls
	go func() {
		for m := range sub.Channel() {
			if m.Payload == LeaseReleased {
				released.Add(1)
				for _, l := range all {
					l.TryNow()
				}
			}
		}
	}()

	for _, l := range ls {
		l.Start()
	}
	first := e.waitLeader(3*time.Second, ls...)
	for range 2 {
		_, ep := first.Leader()
		first.Stop()
		rest := without(ls, first)
		next := e.waitLeader(3*time.Second, rest...) // the next tick is 20 s away
		if _, ep2 := next.Leader(); ep2 <= ep {
			t.Fatalf("epoch %d after %d", ep2, ep)
		}
		ls, first = rest, next
	}
	leaseWaitFor(t, 3*time.Second, "release messages", func() bool { return released.Load() == 2 })
	e.finish()
}

// A leader that can no longer reach Redis (its own client closed: as good as
// killed for the others) is replaced within TTL + Renew, and steps down before.
func TestLeaseKilledLeaderReplaced(t *testing.T) {
	e := newLeaseEnv(t, redistest.Start(t))
	clients := map[string]*redis.Client{}
	var ls []*Lease
	for _, id := range []string{"a", "b", "c"} {
		clients[id] = e.client()
		ls = append(ls, e.lease(id, clients[id], LeaseOptions{}, 0))
	}
	for _, l := range ls {
		l.Start()
	}
	for round := 0; round < 2; round++ {
		dead := e.waitLeader(3*time.Second, ls...)
		killed := time.Now()
		_ = clients[dead.node].Close()
		rest := without(ls, dead)
		next := e.waitLeader(3*time.Second, rest...)
		got, _ := e.lastEvent(next.node, true)
		lost, ok := e.lastEvent(dead.node, false)
		if !ok {
			t.Fatalf("%s never stepped down", dead.node)
		}
		if lost.at.After(got.at) {
			t.Fatalf("%s acquired at %v, before %s stepped down (%v)", next.node, got.at.Sub(killed), dead.node, lost.at.Sub(killed))
		}
		if took, bound := got.at.Sub(killed), ltTTL+ltRenew+200*time.Millisecond; took > bound {
			t.Fatalf("replaced after %v, want within %v", took, bound)
		}
		ls = rest
	}
	e.finish()
}

// A node restarted with the same id finds the lease under its id and takes it at
// once, with a new epoch, though it has not expired.
func TestLeaseRestartWithSameID(t *testing.T) {
	e := newLeaseEnv(t, redistest.Start(t))
	e.oneLeader = false // the old process is not really dead
	o := LeaseOptions{TTL: 10 * time.Second, Renew: 2 * time.Second}
	oldc := e.client()
	old := e.lease("a", oldc, o, 0)
	other := e.lease("b", nil, o, 0)
	old.Start()
	e.waitLeader(3*time.Second, old)
	other.Start()
	_, ep := old.Leader()
	_ = oldc.Close()

	restarted := e.lease("a", nil, o, 0)
	began := time.Now()
	restarted.Start()
	e.waitLeader(3*time.Second, restarted)
	if took := time.Since(began); took > 2*time.Second {
		t.Fatalf("took %v", took)
	}
	if _, ep2 := restarted.Leader(); ep2 <= ep {
		t.Fatalf("epoch %d after %d", ep2, ep)
	}
	if ok, _ := other.Leader(); ok {
		t.Fatal("the other node took the lease")
	}
	old.Stop()
	restarted.Stop()
	e.waitLeader(3*time.Second, other) // released at once; other takes it at its tick
}

// With Redis gone the leader steps down within TTL - Renew of its last renewal;
// when Redis returns some node leads again, with a higher epoch.
func TestLeaseRedisDown(t *testing.T) {
	srv := redistest.Start(t)
	e := newLeaseEnv(t, srv)
	ls := []*Lease{e.lease("a", nil, LeaseOptions{}, 0), e.lease("b", nil, LeaseOptions{}, 0)}
	for _, l := range ls {
		l.Start()
	}
	for round := 0; round < 2; round++ {
		l := e.waitLeader(3*time.Second, ls...)
		_, ep := l.Leader()
		down := time.Now()
		srv.Stop()
		leaseWaitFor(t, 3*time.Second, "step-down", func() bool { ok, _ := l.Leader(); return !ok })
		lost, ok := e.lastEvent(l.node, false)
		if !ok {
			t.Fatal("no OnLose")
		}
		if took, bound := lost.at.Sub(down), ltTTL-ltRenew+150*time.Millisecond; took > bound {
			t.Fatalf("stepped down %v after Redis went, want within %v", took, bound)
		}
		leaseHolds(t, 2*ltTTL, "no leader while Redis is down", func() bool { return e.leader(ls...) == nil })
		srv.Restart()
		next := e.waitLeader(5*time.Second, ls...)
		if _, ep2 := next.Leader(); ep2 <= ep {
			t.Fatalf("epoch %d after %d", ep2, ep)
		}
	}
	e.finish()
}

// OnAcquire and OnLose alternate on each node and never overlap, while an
// intruder keeps taking and deleting the lease and TryNow and Leader are called
// all the time.
func TestLeaseCallbacksAlternate(t *testing.T) {
	e := newLeaseEnv(t, redistest.Start(t))
	e.oneLeader = false // the intruder breaks the protocol
	ls := []*Lease{e.lease("a", nil, LeaseOptions{}, 2*time.Millisecond), e.lease("b", nil, LeaseOptions{}, 2*time.Millisecond)}
	for _, l := range ls {
		l.Start()
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			for _, l := range ls {
				l.TryNow()
				l.Leader()
			}
			time.Sleep(time.Millisecond)
		}
	})
	rdb, ctx := e.client(), context.Background()
	for i := 0; i < 12; i++ {
		l := e.waitLeader(3*time.Second, ls...)
		meddled := time.Now()
		if i%2 == 0 {
			rdb.Set(ctx, e.prefix+"leader", "intruder", 2*ltRenew)
		} else {
			rdb.Del(ctx, e.prefix+"leader")
		}
		// It may lead again at once: wait for its OnLose, not for Leader to be false.
		leaseWaitFor(t, 3*time.Second, "step-down", func() bool {
			v, ok := e.lastEvent(l.node, false)
			return ok && v.at.After(meddled)
		})
	}
	close(done)
	wg.Wait()
	if n := e.finish(); n < 12 {
		t.Fatalf("only %d acquisitions", n)
	}
}

func TestLeaseHolder(t *testing.T) {
	srv := redistest.Start(t)
	e := newLeaseEnv(t, srv)
	rdb, ctx := e.client(), context.Background()
	if h, err := Holder(ctx, rdb, e.prefix); err != nil || h != "" {
		t.Fatalf("Holder before any lease = %q, %v", h, err)
	}
	a, b := e.lease("a", nil, LeaseOptions{}, 0), e.lease("b", nil, LeaseOptions{}, 0)
	a.Start()
	e.waitLeader(3*time.Second, a)
	b.Start()
	for _, want := range []*Lease{a, b} {
		if h, err := Holder(ctx, rdb, e.prefix); err != nil || h != want.node {
			t.Fatalf("Holder = %q, %v; want %q", h, err, want.node)
		}
		want.Stop()
		if want == a {
			e.waitLeader(3*time.Second, b)
		}
	}
	if h, err := Holder(ctx, rdb, e.prefix); err != nil || h != "" {
		t.Fatalf("Holder after Stop = %q, %v", h, err)
	}
	srv.Stop()
	if _, err := Holder(ctx, rdb, e.prefix); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Holder with Redis down: %v, want store.ErrUnavailable", err)
	}
	e.finish()
}

// A leader whose Redis calls hang (longer than its client's timeouts, which
// ignore contexts) steps down on time all the same, and another node takes over.
func TestLeaseStepsDownWhenRedisHangs(t *testing.T) {
	e := newLeaseEnv(t, redistest.Start(t))
	px := newLeaseProxy(t, e.srv.Addr())
	slow := redis.NewClient(&redis.Options{Addr: px.addr(), MaxRetries: -1,
		ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}) // no ContextTimeoutEnabled
	t.Cleanup(func() { _ = slow.Close() })
	a := e.lease("a", slow, LeaseOptions{}, 0)
	t.Cleanup(px.close) // before a's Stop, even when the test fails
	a.Start()
	e.waitLeader(3*time.Second, a)
	b := e.lease("b", nil, LeaseOptions{}, 0)
	b.Start()
	leaseHolds(t, 2*ltTTL, "a's lead", func() bool { return e.leader(a, b) == a })

	hung := time.Now()
	px.freeze()
	leaseWaitFor(t, 3*time.Second, "a's step-down", func() bool { ok, _ := a.Leader(); return !ok })
	if took, bound := time.Since(hung), ltTTL-ltRenew+150*time.Millisecond; took > bound {
		t.Fatalf("stepped down %v after Redis hung, want within %v", took, bound)
	}
	e.waitLeader(3*time.Second, a, b)
	if ok, _ := b.Leader(); !ok {
		t.Fatal("b did not take over")
	}
	px.close() // the hung call fails, so a's Stop does not wait 30 s
	e.finish()
}
