package routing

import (
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/livedesk/gateway/routing/schedule"
	"github.com/livedesk/gateway/store"
)

func TestSiteStatusRulesInOrder(t *testing.T) {
	hours, err := schedule.Compile(schedule.Schedule{Enabled: true, Timezone: "Europe/Paris",
		Weekly: map[string][]schedule.Interval{"mon": {{From: "08:00", To: "12:00"}, {From: "13:00", To: "17:00"}}}})
	if err != nil {
		t.Fatal(err)
	}
	// Monday 2026-11-23; Paris is UTC+1.
	at := func(h, m int) time.Time { return time.Date(2026, 11, 23, h, m, 0, 0, time.UTC) }
	ptr := func(t time.Time) *time.Time { return &t }
	cases := []struct {
		name      string
		mode      string
		now       time.Time
		available int
		want      Status
	}{
		{"open with agents", store.ModeAuto, at(9, 0), 2, Status{Online: true, Reason: ReasonOpen, ClosesAt: ptr(at(11, 0))}},
		{"open, presence unknown", store.ModeAuto, at(9, 0), -1, Status{Online: true, Reason: ReasonOpen, ClosesAt: ptr(at(11, 0))}},
		{"no agents", store.ModeAuto, at(9, 0), 0, Status{Reason: ReasonNoAgents, ClosesAt: ptr(at(11, 0))}},
		{"lunch", store.ModeAuto, at(11, 0), 3, Status{Reason: ReasonOutsideHours, OpensAt: ptr(at(12, 0))}},
		{"last second before lunch", store.ModeAuto, at(10, 59).Add(59 * time.Second), 3, Status{Online: true, Reason: ReasonOpen, ClosesAt: ptr(at(11, 0))}},
		{"after closing: next Monday", store.ModeAuto, at(16, 0), 3, Status{Reason: ReasonOutsideHours, OpensAt: ptr(time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC))}},
		{"paused beats open hours", store.ModeOffline, at(9, 0), 3, Status{Reason: ReasonPaused, ClosesAt: ptr(at(11, 0))}},
		{"paused beats closed hours", store.ModeOffline, at(11, 30), 3, Status{Reason: ReasonPaused, OpensAt: ptr(at(12, 0))}},
		{"outside hours beats no agents", store.ModeAuto, at(11, 30), 0, Status{Reason: ReasonOutsideHours, OpensAt: ptr(at(12, 0))}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := SiteStatus(&store.Site{Mode: c.mode}, hours, c.now, c.available)
			if !got.Equal(c.want) {
				t.Fatalf("got %+v (opens %v closes %v), want %+v (opens %v closes %v)", got, got.OpensAt, got.ClosesAt, c.want, c.want.OpensAt, c.want.ClosesAt)
			}
		})
	}
}
