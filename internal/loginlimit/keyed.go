package loginlimit

import (
	"slices"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// keyedLimiter is a token bucket per key (an address, an e-mail, a pair of both)
// with a bounded map. The login guard spends its tokens on failures only: hold
// keeps a token for an attempt in flight and end spends it (a failure) or gives it
// back; fail spends one without a hold; exhausted asks without spending.
//
// When the map is full, a new key first drops the entries that hold nothing (a full
// bucket with no attempt in flight is the same as no entry) or that have been idle
// longer than idleTTL, then, if still above 9/10 of maxKeys, the entries idle the
// longest (least recently used) down to that: a flood of new keys never resets a
// key that is in use.
//
// Lock rule: mu guards m and every entry's fields; every call on an entry's
// rate.Limiter is made with mu held, so an entry's tokens and held change together.
type keyedLimiter struct {
	mu      sync.Mutex
	m       map[string]*limiterEntry
	every   rate.Limit
	burst   int
	maxKeys int
	idleTTL time.Duration
}

// limiterEntry is one key's bucket; held counts the attempts in flight holding a
// token of it.
type limiterEntry struct {
	lim  *rate.Limiter
	last time.Time
	held int
}

// defaultLimiterKeys bounds each limiter's map (about 2 MB).
const defaultLimiterKeys = 10000

// newKeyedLimiter allows burst events at once and perMinute after that, per key.
func newKeyedLimiter(perMinute float64, burst int) *keyedLimiter {
	return &keyedLimiter{m: map[string]*limiterEntry{}, every: rate.Limit(perMinute / 60), burst: burst,
		maxKeys: defaultLimiterKeys, idleTTL: 10 * time.Minute}
}

// entryLocked returns key's entry, making it (and making room for it) when missing,
// and marks it used at now. Called with mu held.
func (k *keyedLimiter) entryLocked(key string, now time.Time) *limiterEntry {
	e := k.m[key]
	if e == nil {
		if len(k.m) >= k.maxKeys {
			k.pruneLocked(now)
		}
		e = &limiterEntry{lim: rate.NewLimiter(k.every, k.burst)}
		k.m[key] = e
	}
	e.last = now
	return e
}

// freeLocked is what e has left for a new attempt at now: its tokens less those
// the attempts in flight hold. Called with mu held.
func (e *limiterEntry) freeLocked(now time.Time) float64 {
	return e.lim.TokensAt(now) - float64(e.held)
}

// exhausted reports whether key has less than one token free at now. It spends
// nothing and makes no entry.
func (k *keyedLimiter) exhausted(key string, now time.Time) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	e := k.m[key]
	return e != nil && e.freeLocked(now) < 1
}

// hold keeps one token of key for an attempt in flight; ok false means none was
// free (and nothing is held). The attempt must be ended with end.
func (k *keyedLimiter) hold(key string, now time.Time) (e *limiterEntry, ok bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	e = k.entryLocked(key, now)
	if e.freeLocked(now) < 1 {
		return nil, false
	}
	e.held++
	return e, true
}

// end ends an attempt hold admitted: a failure spends its token, anything else
// gives it back.
func (k *keyedLimiter) end(e *limiterEntry, failed bool, now time.Time) {
	k.mu.Lock()
	defer k.mu.Unlock()
	e.held--
	e.last = now
	if failed {
		e.lim.AllowN(now, 1)
	}
}

// fail spends one token of key (a failure); with none left it spends nothing, the
// key staying exhausted.
func (k *keyedLimiter) fail(key string, now time.Time) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.entryLocked(key, now).lim.AllowN(now, 1)
}

// pruneLocked makes room: see keyedLimiter. Called with mu held.
func (k *keyedLimiter) pruneLocked(now time.Time) {
	for key, e := range k.m {
		if e.held == 0 && (now.Sub(e.last) > k.idleTTL || e.lim.TokensAt(now) >= float64(k.burst)) {
			delete(k.m, key)
		}
	}
	keep := k.maxKeys * 9 / 10
	if len(k.m) <= keep {
		return
	}
	type aged struct {
		key  string
		last time.Time
	}
	idle := make([]aged, 0, len(k.m))
	for key, e := range k.m {
		if e.held == 0 {
			idle = append(idle, aged{key, e.last})
		}
	}
	slices.SortFunc(idle, func(a, b aged) int { return a.last.Compare(b.last) })
	for _, a := range idle[:min(len(idle), len(k.m)-keep)] {
		delete(k.m, a.key)
	}
}
