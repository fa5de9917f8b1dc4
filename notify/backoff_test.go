package notify

import (
	"testing"
	"time"
)

func TestBackoffDoublesCapsJittersAndStopsAtTheWindow(t *testing.T) {
	created := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	mid := func() float64 { return 0.5 }
	low := func() float64 { return 0 }
	high := func() float64 { return 0.999999 }
	b := Backoff{Base: 10 * time.Second, Max: time.Hour, Window: 24 * time.Hour}
	cases := []struct {
		name     string
		jitter   func() float64
		now      time.Time
		attempts int
		want     time.Duration // after now; -1: give up
	}{
		{"first failure", mid, created, 1, 10 * time.Second},
		{"second", mid, created, 2, 20 * time.Second},
		{"fifth", mid, created, 5, 160 * time.Second},
		{"capped at an hour", mid, created, 12, time.Hour},
		{"many attempts do not overflow", mid, created, 500, time.Hour},
		{"jitter low half", low, created, 1, 5 * time.Second},
		{"jitter high", high, created, 1, 15*time.Second - 10*time.Microsecond},
		{"last try placed at the window's end", mid, created.Add(24*time.Hour - time.Minute), 12, time.Minute},
		{"window over: give up", mid, created.Add(24 * time.Hour), 3, -1},
		{"past the window: give up", mid, created.Add(25 * time.Hour), 3, -1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bb := b
			bb.Jitter = c.jitter
			next, ok := bb.Next(created, c.now, c.attempts)
			if c.want < 0 {
				if ok {
					t.Fatalf("retry at %v, want give up", next)
				}
				return
			}
			if !ok {
				t.Fatal("gave up")
			}
			if d := next.Sub(c.now); d < c.want-time.Microsecond || d > c.want+time.Microsecond {
				t.Fatalf("next after %v, want %v", d, c.want)
			}
		})
	}
}
