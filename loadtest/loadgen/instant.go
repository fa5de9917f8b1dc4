package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// wallNow is the wall clock every absolute instant (-at, frame arrivals) is read
// from. Tests shift it together with an in-process gateway's clock.
var wallNow = time.Now

// maxAhead bounds how far in the future -at may be.
const maxAhead = 15 * time.Minute

// parseInstant reads -at: RFC 3339 ("2026-12-01T10:31:00Z", fractions allowed), Unix
// milliseconds ("1796121060000"), or "+DURATION" from now (one process only: other
// processes cannot share it). The empty string is the zero time.
func parseInstant(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return time.Time{}, nil
	case strings.HasPrefix(s, "+"):
		d, err := time.ParseDuration(s[1:])
		if err != nil || d < 0 {
			return time.Time{}, fmt.Errorf("-at %q: want +DURATION such as +30s", s)
		}
		return now.Add(d), nil
	}
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		if ms < 1e12 {
			return time.Time{}, fmt.Errorf("-at %q: Unix time must be in milliseconds (13 digits)", s)
		}
		return time.UnixMilli(ms), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("-at %q: want RFC 3339, Unix milliseconds or +DURATION", s)
	}
	return t, nil
}

// checkInstant refuses an instant already past or too far ahead.
func checkInstant(t, now time.Time) error {
	if t.IsZero() {
		return nil
	}
	if !t.After(now) {
		return fmt.Errorf("-at %s is not in the future (now %s)", t.UTC().Format(time.RFC3339Nano), now.UTC().Format(time.RFC3339Nano))
	}
	if t.Sub(now) > maxAhead {
		return fmt.Errorf("-at %s is more than %s ahead", t.UTC().Format(time.RFC3339), maxAhead)
	}
	return nil
}

// nextWholeMinute is the first whole minute at or after t.
func nextWholeMinute(t time.Time) time.Time {
	m := t.Truncate(time.Minute)
	if m.Before(t) {
		m = m.Add(time.Minute)
	}
	return m
}

// sleepUntil waits until the wall clock reads t: coarse sleeps, then a short spin,
// so that an instant several processes share is hit within a few microseconds.
func sleepUntil(ctx context.Context, t time.Time) error {
	for {
		d := t.Sub(wallNow())
		if d <= 0 {
			return nil
		}
		if d > 2*time.Millisecond {
			select {
			case <-time.After(d - time.Millisecond):
			case <-ctx.Done():
				return ctx.Err()
			}
			continue
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}
