package gateway

import (
	"testing"
	"time"

	"github.com/livedesk/gateway/routing"
)

func tp(t time.Time) *time.Time { return &t }

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
		return func(v *siteViews) { v.offer("s", st, seq, now) }
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
		{"the same decision renews it", []step{joined, offer(never, 5), func(v *siteViews) { v.offer("s", never, 5, now.Add(time.Minute)) }},
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

func TestClosingSoonFromAStatus(t *testing.T) {
	now := time.Date(2026, 11, 23, 16, 50, 0, 0, time.UTC)
	cases := []struct {
		name    string
		st      routing.Status
		minutes int
		want    bool
	}{
		{"online, closes within the window", routing.Status{Online: true, ClosesAt: tp(now.Add(10 * time.Minute))}, 10, true},
		{"online, closes after it", routing.Status{Online: true, ClosesAt: tp(now.Add(10*time.Minute + time.Second))}, 10, false},
		{"notice off", routing.Status{Online: true, ClosesAt: tp(now.Add(time.Minute))}, 0, false},
		{"offline (no agents): not closing soon", routing.Status{ClosesAt: tp(now.Add(time.Minute))}, 10, false},
		{"no end in sight", routing.Status{Online: true}, 10, false},
		{"already past the end", routing.Status{Online: true, ClosesAt: tp(now)}, 10, false},
	}
	for _, c := range cases {
		got := closingSoonFor(c.st, c.minutes, now)
		if (got != nil) != c.want {
			t.Errorf("%s: got %v, want closing soon %v", c.name, got, c.want)
		}
	}
}

// A node welcomes visitors from its own view of the site: the leader answers the
// first join of the site on the node, and joins again after the last visitor left;
// a visitor with a conversation in flight is always answered by the leader, and a
// status the leader published is what the next welcome says.
func TestClusterWelcomesVisitorsWithoutTheLeader(t *testing.T) {
	tc := newTestCluster(t, 2)
	tc.deskSetup(1)
	f := tc.nodes[0]
	n := f.srv.rt.cluster
	joins := func(wantLocal, wantLeader uint64) {
		t.Helper()
		if l, r := n.joinsLocal.Load(), n.joinsLeader.Load(); l != wantLocal || r != wantLeader {
			t.Fatalf("joins answered locally %d and by the leader %d, want %d and %d", l, r, wantLocal, wantLeader)
		}
	}
	first, w0 := f.visitor(f.siteA.ID, nil)
	if status(w0)["reason"] != "open" {
		t.Fatalf("first welcome %v", w0)
	}
	joins(0, 1)
	var vs []*wsClient
	for i := 0; i < 5; i++ {
		v, w := f.visitor(f.siteA.ID, nil)
		if st := status(w); st["reason"] != "open" || st["closes_at"] != "2026-11-23T11:00:00Z" {
			t.Fatalf("welcome from the node's view: %v", st)
		}
		vs = append(vs, v)
	}
	joins(5, 1)
	// A published status becomes the view once the node passed it on.
	f.mustDo("PUT", "/api/v1/sites/"+f.siteA.ID+"/mode", f.tokens["admin"], map[string]string{"mode": "offline"}, 200)
	if st := status(first.expect("status")); st["reason"] != "paused" {
		t.Fatalf("status %v", st)
	}
	v, w := f.visitor(f.siteA.ID, nil)
	if st := status(w); st["reason"] != "paused" {
		t.Fatalf("welcome after the pause: %v", st)
	}
	joins(6, 1)
	v.quiet() // the pause is in the welcome, not after it
	f.mustDo("PUT", "/api/v1/sites/"+f.siteA.ID+"/mode", f.tokens["admin"], map[string]string{"mode": "auto"}, 200)
	waitStatus(t, first, "open")
	// A visitor whose chat is in flight resumes it through the leader.
	first.send(map[string]any{"type": "chat.start", "id": "s1", "text": "hi"})
	first.expect("chat.assigned")
	again, w := f.visitor(f.siteA.ID, map[string]any{"visitor_token": w0["visitor_token"]})
	if c, _ := w["conversation"].(map[string]any); c == nil || c["state"] != "open" {
		t.Fatalf("resumed welcome without its conversation: %v", w)
	}
	joins(6, 2)
	again.quiet()
	// Everyone gone: the view goes with the last one, and the leader answers again.
	for _, c := range append(vs, first, again, v) {
		c.Conn.CloseNow()
	}
	// Closed sockets leave their groups in the background (leaver): wait for it.
	deadline := time.Now().Add(frameWait)
	for {
		if _, ok := n.views.get(f.siteA.ID, tc.clock.Now()); !ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a view kept with no visitor of the site on the node")
		}
		time.Sleep(5 * time.Millisecond)
	}
	f.visitor(f.siteA.ID, nil)
	joins(6, 3)
}
