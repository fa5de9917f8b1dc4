package clock

import (
	"sort"
	"sync"
	"time"
)

// Fake is a Clock that moves only when told to. Timers due at or before the new time
// run, in deadline order, inside Advance or Set, each seeing Now() equal to its own
// deadline; so when Advance returns, every callback due has completed.
//
// Lock rule: mu guards now, timers and seq; it is never held while a callback runs,
// so callbacks may call Now, AfterFunc and Stop.
type Fake struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
	seq    uint64
	// advancing serialises Advance/Set so callbacks run one at a time, in order.
	advancing sync.Mutex
}

type fakeTimer struct {
	c        *Fake
	deadline time.Time
	seq      uint64
	f        func()
	stopped  bool
}

// NewFake returns a Fake set at t.
func NewFake(t time.Time) *Fake { return &Fake{now: t} }

// Now returns the fake time.
func (c *Fake) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc schedules f at Now()+d. A d <= 0 is due at the next Advance or Set.
func (c *Fake) AfterFunc(d time.Duration, f func()) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	t := &fakeTimer{c: c, deadline: c.now.Add(d), seq: c.seq, f: f}
	c.timers = append(c.timers, t)
	return t
}

// Stop cancels the timer if it has not fired.
func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	if t.stopped {
		return false
	}
	t.stopped = true
	for i, x := range t.c.timers {
		if x == t {
			t.c.timers = append(t.c.timers[:i], t.c.timers[i+1:]...)
			return true
		}
	}
	return false
}

// Advance moves the clock forward by d, running every timer that falls due.
func (c *Fake) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// Set moves the clock to t (never backwards: an earlier t only runs due timers),
// running every timer due at or before t, timers added by callbacks included.
func (c *Fake) Set(t time.Time) {
	c.advancing.Lock()
	defer c.advancing.Unlock()
	for {
		c.mu.Lock()
		if len(c.timers) == 0 {
			if t.After(c.now) {
				c.now = t
			}
			c.mu.Unlock()
			return
		}
		sort.Slice(c.timers, func(i, j int) bool {
			a, b := c.timers[i], c.timers[j]
			if !a.deadline.Equal(b.deadline) {
				return a.deadline.Before(b.deadline)
			}
			return a.seq < b.seq
		})
		next := c.timers[0]
		if next.deadline.After(t) {
			if t.After(c.now) {
				c.now = t
			}
			c.mu.Unlock()
			return
		}
		c.timers = c.timers[1:]
		next.stopped = true
		if next.deadline.After(c.now) {
			c.now = next.deadline
		}
		c.mu.Unlock()
		next.f()
	}
}

// Pending returns how many timers are waiting (for tests that check timers exist
// instead of polling).
func (c *Fake) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}
