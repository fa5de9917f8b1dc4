package routing

import (
	"testing"
	"time"

	"github.com/livedesk/gateway/store"
)

func timeAt(t time.Time) *time.Time { return &t }

// TestClosingSoonFromAStatus: the closing-soon rule over a status alone, as a
// cluster node applies it to its view of a site and the desk to its own state.
func TestClosingSoonFromAStatus(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	assertNoError(t, err)
	now := time.Date(2026, 11, 23, 16, 50, 0, 0, time.UTC)
	cases := []struct {
		name    string
		st      Status
		minutes int
		want    *time.Time
	}{
		{"online, closes within the window", Status{Online: true, ClosesAt: timeAt(now.Add(10 * time.Minute))}, 10, timeAt(now.Add(10 * time.Minute))},
		{"online, closes after it", Status{Online: true, ClosesAt: timeAt(now.Add(10*time.Minute + time.Second))}, 10, nil},
		{"notice off", Status{Online: true, ClosesAt: timeAt(now.Add(time.Minute))}, 0, nil},
		{"notice below zero", Status{Online: true, ClosesAt: timeAt(now.Add(time.Minute))}, -5, nil},
		{"offline (no agents): not closing soon", Status{Reason: ReasonNoAgents, ClosesAt: timeAt(now.Add(time.Minute))}, 10, nil},
		{"paused: not closing soon", Status{Reason: ReasonPaused, ClosesAt: timeAt(now.Add(time.Minute))}, 10, nil},
		{"no end in sight", Status{Online: true}, 10, nil},
		{"already past the end", Status{Online: true, ClosesAt: timeAt(now)}, 10, nil},
		{"a second before the end", Status{Online: true, ClosesAt: timeAt(now.Add(time.Second))}, 10, timeAt(now.Add(time.Second))},
		{"an end in another zone comes back in UTC", Status{Online: true, ClosesAt: timeAt(now.Add(5 * time.Minute).In(paris))}, 10, timeAt(now.Add(5 * time.Minute))},
	}
	for _, c := range cases {
		got := ClosingSoon(c.st, c.minutes, now)
		switch {
		case got == nil || c.want == nil:
			if got != c.want {
				t.Errorf("%s: got %v, want %v", c.name, got, c.want)
			}
		case !got.Equal(*c.want) || got.Location() != time.UTC:
			t.Errorf("%s: got %v, want %v in UTC", c.name, got, c.want)
		}
	}
}

// TestClosingSoonNotice: the notice is due closing_soon_minutes before the end, and
// never when the site has it off.
func TestClosingSoonNotice(t *testing.T) {
	end := time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC)
	cases := []struct {
		minutes int
		want    time.Time
		ok      bool
	}{
		{10, end.Add(-10 * time.Minute), true},
		{1, end.Add(-time.Minute), true},
		{1440, end.Add(-24 * time.Hour), true},
		{0, time.Time{}, false},
		{-1, time.Time{}, false},
	}
	for _, c := range cases {
		got, ok := ClosingSoonNotice(end, c.minutes)
		if ok != c.ok || !got.Equal(c.want) {
			t.Errorf("ClosingSoonNotice(%v, %d) = %v, %v; want %v, %v", end, c.minutes, got, ok, c.want, c.ok)
		}
	}
}

// TestInFlight: queued and open conversations are the desk's; ended and missed ones
// are history.
func TestInFlight(t *testing.T) {
	cases := []struct {
		state string
		want  bool
	}{
		{store.StateQueued, true},
		{store.StateOpen, true},
		{store.StateEnded, false},
		{store.StateMissed, false},
		{"", false},
	}
	for _, c := range cases {
		if got := InFlight(&store.Conversation{State: c.state}); got != c.want {
			t.Errorf("InFlight(state %q) = %v, want %v", c.state, got, c.want)
		}
	}
}
