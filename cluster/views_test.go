package cluster

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/livedesk/gateway/routing"
)

func tp(t time.Time) *time.Time { return &t }

// frame is a frame as the gateway encodes it: {"type": t, ...fields}.
func frame(t string, fields map[string]any) []byte {
	m := map[string]any{"type": t}
	for k, v := range fields {
		m[k] = v
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}

// The rules a node's view of a site's status is kept and trusted by.
func TestSiteViews(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	closes := now.Add(2 * time.Hour)
	open := routing.Status{Online: true, Reason: routing.ReasonOpen, ClosesAt: tp(closes)}
	paused := routing.Status{Reason: routing.ReasonPaused, ClosesAt: tp(closes)}
	never := routing.Status{Reason: routing.ReasonOutsideHours}
	type step func(v *siteViews)
	joined := func(v *siteViews) { v.joined("site:s") }
	left := func(v *siteViews) { v.left("site:s") }
	offer := func(st routing.Status, seq uint64) step {
		return func(v *siteViews) { v.offer("s", st, nil, true, seq, now) }
	}
	cases := []struct {
		name  string
		steps []step
		at    time.Time
		want  *routing.Status // nil: no view
		seq   uint64
	}{
		{"no member: a view is not kept (the subscription may have a gap)", []step{offer(open, 5)}, now, nil, 0},
		{"a member: kept", []step{joined, offer(open, 5)}, now, &open, 5},
		{"an older decision does not replace a later one", []step{joined, offer(paused, 7), offer(open, 5)}, now, &paused, 7},
		{"a later decision replaces", []step{joined, offer(open, 5), offer(paused, 7)}, now, &paused, 7},
		{"the last member out drops it", []step{joined, offer(open, 5), left}, now, nil, 0},
		{"a member still in keeps it", []step{joined, joined, offer(open, 5), left}, now, &open, 5},
		{"dropped when the last left, even if another joins after", []step{joined, offer(open, 5), left, joined}, now, nil, 0},
		{"other groups are not counted", []step{func(v *siteViews) { v.joined("visitor:s") }, offer(open, 5)}, now, nil, 0},
		{"trusted until the boundary it names", []step{joined, offer(open, 5)}, closes.Add(-time.Nanosecond), &open, 5},
		{"not at the boundary (the leader's frame for it may be on its way)", []step{joined, offer(open, 5)}, closes, nil, 0},
		{"a status naming no boundary lasts viewTTL", []step{joined, offer(never, 5)}, now.Add(viewTTL - time.Nanosecond), &never, 5},
		{"and not after", []step{joined, offer(never, 5)}, now.Add(viewTTL), nil, 0},
		{"the same decision renews it", []step{joined, offer(never, 5), func(v *siteViews) { v.offer("s", never, nil, true, 5, now.Add(time.Minute)) }},
			now.Add(viewTTL + time.Second), &never, 5},
		{"a lost message drops it", []step{joined, offer(open, 5), func(v *siteViews) { v.drop("s") }}, now, nil, 0},
		{"a reconnect drops it", []step{joined, offer(open, 5), func(v *siteViews) { v.dropAll() }}, now, nil, 0},
		{"a status frame passing through is recorded", []step{joined,
			func(v *siteViews) { v.observe("site:s", frame("status", map[string]any{"status": paused}), 9, now) }}, now, &paused, 9},
		{"an unnumbered one is not (a resync)", []step{joined,
			func(v *siteViews) { v.observe("site:s", frame("status", map[string]any{"status": paused}), 0, now) }}, now, nil, 0},
		{"nor another frame of the site", []step{joined,
			func(v *siteViews) {
				v.observe("site:s", frame("closing_soon", map[string]any{"closes_at": closes}), 9, now)
			}}, now, nil, 0},
		{"nor a frame of another group", []step{joined,
			func(v *siteViews) {
				v.observe("agents:site:s", frame("status", map[string]any{"status": paused}), 9, now)
			}}, now, nil, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := newSiteViews()
			for _, s := range c.steps {
				s(v)
			}
			got, ok := v.get("s", c.at)
			switch {
			case c.want == nil && ok:
				t.Fatalf("view %+v, want none", got)
			case c.want != nil && !ok:
				t.Fatalf("no view, want %+v", *c.want)
			case c.want != nil && (!got.st.Equal(*c.want) || got.seq != c.seq):
				t.Fatalf("view %+v seq %d, want %+v seq %d", got.st, got.seq, *c.want, c.seq)
			}
		})
	}
}
