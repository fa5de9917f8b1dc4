package ws

import (
	"sync/atomic"
	"time"
)

// helloGate bounds how many visitor hellos a node works on at once. A hello reads
// the store and, in cluster mode, may call the leader; in a reconnect storm tens of
// thousands arrive within a second, and letting all of them at the store at once
// only makes each wait for a connection until its deadline, the lease renewals and
// the frame publisher with them. Behind the gate they queue instead, and one that
// waited helloWait is answered unavailable: the widget retries with backoff.
type helloGate struct {
	slots chan struct{}
	wait  time.Duration
	// after is time.After (real time: it measures load, not the schedule); tests
	// replace it.
	after func(time.Duration) <-chan time.Time
	// shed counts hellos answered unavailable because no slot freed in time.
	shed atomic.Uint64
}

// Bounds of the gate. A hello holds its slot while it waits for Redis to confirm
// the visitor channel's subscription (batched, a few ms) and for its store read or
// leader call. In a storm of 50,000 on 6 nodes, 128 slots turned 6,179 hellos away
// after their 5 s (1,024: 2,999, and 11 once the store pooled 64 connections), while
// 1,024 still queue the rest of a storm rather than letting them all at the store's
// pooled connections at once.
const (
	helloSlots = 1024
	helloWait  = 5 * time.Second
)

func newHelloGate(slots int, wait time.Duration) *helloGate {
	return &helloGate{slots: make(chan struct{}, slots), wait: wait, after: time.After}
}

// enter takes a slot, waiting up to the gate's wait; false means none freed and
// the hello is to be refused.
func (g *helloGate) enter() bool {
	select {
	case g.slots <- struct{}{}:
		return true
	default:
	}
	select {
	case g.slots <- struct{}{}:
		return true
	case <-g.after(g.wait):
		g.shed.Add(1)
		return false
	}
}

// leave gives back a slot enter took.
func (g *helloGate) leave() { <-g.slots }
