package notify

import (
	"context"
	"testing"
	"time"

	"github.com/livedesk/gateway/clock"
	"github.com/livedesk/gateway/store"
	"github.com/livedesk/gateway/store/bolt"
)

func openBolt(t *testing.T) store.Store {
	t.Helper()
	s, err := bolt.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var t0 = time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)

func alertSite(after int) *store.Site {
	return &store.Site{ID: "s1", Name: "Shop", PresenceAlerts: store.PresenceAlerts{WebhookURL: "http://127.0.0.1:9/hook", AfterSeconds: after}}
}

func newMonitor(st store.Store, clk clock.Clock, site *store.Site) *PresenceMonitor {
	return NewPresenceMonitor(PresenceOptions{Store: st, Clock: clk, Outbox: Outbox{},
		Site: func(id string) *store.Site {
			if id == site.ID {
				return site
			}
			return nil
		}})
}

func alertCount(t *testing.T, st store.Store) []*store.Notification {
	t.Helper()
	list, err := st.ListNotifications(context.Background(), store.NotificationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

var (
	online    = Status{Online: true, Reason: "open"}
	noAgents  = Status{Online: false, Reason: "no_agents"}
	paused    = Status{Online: false, Reason: "paused"}
	afterHour = Status{Online: false, Reason: "outside_hours"}
)

// step is one observation at an offset from t0, or (with check) a count of alerts
// expected once the clock has reached the offset.
type step struct {
	at    time.Duration
	st    *Status
	check int
}

func TestPresenceMonitorTable(t *testing.T) {
	obs := func(at time.Duration, s Status) step { return step{at: at, st: &s} }
	want := func(at time.Duration, n int) step { return step{at: at, check: n} }
	cases := []struct {
		name  string
		after int
		steps []step
	}{
		{"first status is the baseline", 60, []step{obs(0, online), want(time.Hour, 0)}},
		{"sustained change alerts once at the instant", 60, []step{obs(0, online), want(2*time.Minute, 0),
			obs(3*time.Minute, noAgents), want(3*time.Minute+59*time.Second, 0), want(4*time.Minute, 1), want(5*time.Hour, 1)}},
		{"flap shorter than after_seconds sends nothing", 60, []step{obs(0, online), want(2*time.Minute, 0),
			obs(3*time.Minute, noAgents), obs(3*time.Minute+59*time.Second, online), want(time.Hour, 0)}},
		{"many flaps then a hold: one alert", 30, []step{obs(0, online), want(time.Minute, 0),
			obs(2*time.Minute, noAgents), obs(2*time.Minute+10*time.Second, online), obs(2*time.Minute+20*time.Second, noAgents),
			obs(2*time.Minute+29*time.Second, online), obs(2*time.Minute+40*time.Second, noAgents), want(3*time.Minute+9*time.Second, 0),
			want(3*time.Minute+10*time.Second, 1), want(time.Hour, 1)}},
		{"reason change while offline is no new change", 60, []step{obs(0, online), want(2*time.Minute, 0),
			obs(3*time.Minute, noAgents), obs(3*time.Minute+30*time.Second, paused), want(4*time.Minute, 1),
			obs(5*time.Minute, afterHour), want(time.Hour, 1)}},
		{"back and held: second alert", 60, []step{obs(0, online), want(2*time.Minute, 0),
			obs(3*time.Minute, noAgents), want(4*time.Minute, 1), obs(10*time.Minute, online), want(11*time.Minute, 2)}},
		{"default delay is 60 s", 0, []step{obs(0, online), want(2*time.Minute, 0),
			obs(3*time.Minute, noAgents), want(3*time.Minute+59*time.Second, 0), want(4*time.Minute, 1)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := openBolt(t)
			clk := clock.NewFake(t0)
			site := alertSite(c.after)
			m := newMonitor(st, clk, site)
			defer m.Stop()
			for i, s := range c.steps {
				clk.Set(t0.Add(s.at))
				if s.st != nil {
					m.Observe(site, *s.st, clk.Now())
					continue
				}
				if n := len(alertCount(t, st)); n != s.check {
					t.Fatalf("step %d (at +%v): %d alerts, want %d", i, s.at, n, s.check)
				}
			}
		})
	}
}

func TestPresenceAlertCarriesStatusReasonAndSince(t *testing.T) {
	st := openBolt(t)
	clk := clock.NewFake(t0)
	site := alertSite(60)
	m := newMonitor(st, clk, site)
	m.Observe(site, online, clk.Now())
	clk.Advance(time.Minute)
	since := clk.Now()
	opens := since.Add(2 * time.Hour)
	m.Observe(site, Status{Online: false, Reason: "outside_hours", OpensAt: &opens}, since)
	clk.Advance(time.Minute)
	list := alertCount(t, st)
	if len(list) != 1 {
		t.Fatalf("%d alerts", len(list))
	}
	n := list[0]
	if n.Type != TypeStatusChanged || n.Channel != store.ChannelWebhook || n.URL != site.PresenceAlerts.WebhookURL || n.State != store.NotificationPending {
		t.Fatalf("item %+v", n)
	}
	var d StatusChangedData
	if err := decodeData(n, &d); err != nil {
		t.Fatal(err)
	}
	if d.Status.Online || d.Status.Reason != "outside_hours" || !d.Since.Equal(since) || d.Status.OpensAt == nil || !d.Status.OpensAt.Equal(opens) ||
		d.Previous == nil || !d.Previous.Online || d.Site.Name != "Shop" || d.AfterSeconds != 60 {
		t.Fatalf("data %+v", d)
	}
}

// A restarted node (a new monitor over the same store) does not announce again what
// was announced, and announces what changed while it was down once it holds.
func TestPresenceBaselineSurvivesARestart(t *testing.T) {
	st := openBolt(t)
	clk := clock.NewFake(t0)
	site := alertSite(60)
	m := newMonitor(st, clk, site)
	m.Observe(site, online, clk.Now())
	clk.Advance(time.Minute)
	m.Observe(site, noAgents, clk.Now())
	clk.Advance(time.Minute)
	m.Stop()
	if n := len(alertCount(t, st)); n != 1 {
		t.Fatalf("%d alerts before the restart", n)
	}
	m2 := newMonitor(st, clk, site)
	defer m2.Stop()
	m2.Observe(site, noAgents, clk.Now()) // the new desk's first status: same as announced
	clk.Advance(time.Hour)
	if n := len(alertCount(t, st)); n != 1 {
		t.Fatalf("%d alerts after the restart, want still 1", n)
	}
	m2.Observe(site, online, clk.Now())
	clk.Advance(time.Minute)
	if n := len(alertCount(t, st)); n != 2 {
		t.Fatalf("%d alerts after going online, want 2", n)
	}
}

// Two desks for a moment (a failover) both see the same change: one event.
func TestTwoMonitorsAnnounceOneEvent(t *testing.T) {
	st := openBolt(t)
	clk := clock.NewFake(t0)
	site := alertSite(60)
	a, b := newMonitor(st, clk, site), newMonitor(st, clk, site)
	defer a.Stop()
	defer b.Stop()
	a.Observe(site, online, clk.Now())
	clk.Advance(2 * time.Minute)
	b.Observe(site, online, clk.Now())
	clk.Advance(2 * time.Minute)
	a.Observe(site, noAgents, clk.Now())
	clk.Advance(5 * time.Second)
	b.Observe(site, noAgents, clk.Now()) // the second desk saw it a little later
	clk.Advance(2 * time.Minute)
	if list := alertCount(t, st); len(list) != 1 {
		t.Fatalf("%d alerts from two monitors, want 1: %+v", len(list), list)
	}
}

func TestPresenceMonitorForgetsADeletedSite(t *testing.T) {
	st := openBolt(t)
	clk := clock.NewFake(t0)
	site := alertSite(60)
	m := newMonitor(st, clk, site)
	m.Observe(site, online, clk.Now())
	clk.Advance(2 * time.Minute)
	m.Observe(site, noAgents, clk.Now())
	m.Forget(site.ID)
	clk.Advance(time.Hour)
	if n := len(alertCount(t, st)); n != 0 {
		t.Fatalf("%d alerts for a deleted site", n)
	}
}
