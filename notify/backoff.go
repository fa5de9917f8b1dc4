package notify

import (
	"time"
)

// Retry policy defaults (docs/protocol.md#notifications-outbox: retried with exponential backoff for 24 h).
const (
	DefaultRetryWindow = 24 * time.Hour
	DefaultBaseDelay   = 10 * time.Second
	DefaultMaxDelay    = time.Hour
)

// Backoff says when a failed notification is tried again.
type Backoff struct {
	// Base is the delay after the first failure; it doubles with each further one
	// up to Max. Window is how long after its creation an item is still tried.
	Base, Max, Window time.Duration
	// Jitter returns a number in [0, 1); the delay is spread over [d/2, 3d/2) so
	// items that failed together do not all come back together.
	Jitter func() float64
}

// Next returns when to try again after the attempts-th failed attempt at now, for
// an item created at created; ok is false when the window is over (give up). The
// last try is placed at the window's end, never beyond it.
func (b Backoff) Next(created, now time.Time, attempts int) (time.Time, bool) {
	end := created.Add(b.Window)
	if !now.Before(end) {
		return time.Time{}, false
	}
	d := b.Base
	for i := 1; i < attempts && d < b.Max; i++ {
		d *= 2
	}
	if d > b.Max {
		d = b.Max
	}
	j := 0.5
	if b.Jitter != nil {
		j = b.Jitter()
	}
	d = d/2 + time.Duration(j*float64(d))
	next := now.Add(d)
	if next.After(end) {
		next = end
	}
	return next, true
}
