package gateway

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// keyedLimiter is a token bucket per key (an address, an e-mail) with a bounded map:
// entries idle for longer than idleTTL are dropped when the map grows past maxKeys.
//
// Lock rule: mu guards m; rate.Limiter has its own lock.
type keyedLimiter struct {
	mu      sync.Mutex
	m       map[string]*limiterEntry
	every   rate.Limit
	burst   int
	maxKeys int
	idleTTL time.Duration
}

type limiterEntry struct {
	lim  *rate.Limiter
	last time.Time
}

func newKeyedLimiter(perMinute float64, burst int) *keyedLimiter {
	return &keyedLimiter{m: map[string]*limiterEntry{}, every: rate.Limit(perMinute / 60), burst: burst, maxKeys: 10000, idleTTL: 10 * time.Minute}
}

// allow takes one token for key at now; false means over the limit.
func (k *keyedLimiter) allow(key string, now time.Time) bool {
	k.mu.Lock()
	e := k.m[key]
	if e == nil {
		if len(k.m) >= k.maxKeys {
			k.pruneLocked(now)
		}
		e = &limiterEntry{lim: rate.NewLimiter(k.every, k.burst)}
		k.m[key] = e
	}
	e.last = now
	k.mu.Unlock()
	return e.lim.AllowN(now, 1)
}

func (k *keyedLimiter) pruneLocked(now time.Time) {
	for key, e := range k.m {
		if now.Sub(e.last) > k.idleTTL {
			delete(k.m, key)
		}
	}
	if len(k.m) >= k.maxKeys { // still full: start afresh rather than grow without bound
		k.m = map[string]*limiterEntry{}
	}
}
