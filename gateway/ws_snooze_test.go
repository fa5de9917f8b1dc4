package gateway

import (
	"testing"
	"time"

	"github.com/livedesk/gateway/clock"
)

// shiftOnlyNine gives agentB its own shift, 09:00-10:00 UTC every day, and no idle.
func shiftOnlyNine(f *fixture) {
	f.t.Helper()
	daily := map[string]any{}
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		daily[d] = []any{map[string]string{"from": "09:00", "to": "10:00"}}
	}
	f.mustDo("PUT", "/api/v1/agents/"+f.agentB.ID+"/schedule", f.tokens["agentB"], map[string]any{"enabled": true, "timezone": "UTC", "weekly": daily}, 200)
	f.mustDo("PATCH", "/api/v1/agents/"+f.agentB.ID, f.tokens["admin"], map[string]any{"idle_minutes": 0}, 200)
}

// snoozeEndScenario: agentB, past its shift, snoozes (site B opens), shortens the
// snooze, is refused an end it cannot take, then cancels it: the shift ends at once
// and site B's visitor sees no_agents. tabs are agentB's sockets (the first one asks),
// v a visitor of site B; all tabs get every answer.
func snoozeEndScenario(t *testing.T, clk *clock.Fake, tabs []*wsClient, v *wsClient) {
	t.Helper()
	asker := tabs[0]
	clk.Set(time.Date(2026, 11, 23, 10, 30, 0, 0, time.UTC))
	waitStatus(t, v, "no_agents")
	asker.send(map[string]any{"type": "shift.snooze", "id": "z1"})
	for _, tab := range tabs {
		if m := snoozeAnswer(tab, "z1"); m["on_shift"] != true || m["ends_at"] != "2026-11-23T11:30:00Z" || m["snoozed_until"] != "2026-11-23T11:30:00Z" {
			t.Fatalf("snooze %v", m)
		}
	}
	waitStatus(t, v, "open")

	asker.send(map[string]any{"type": "shift.snooze.end", "id": "z2", "until": "2026-11-23T11:00:00Z"})
	for _, tab := range tabs {
		if m := snoozeAnswer(tab, "z2"); m["on_shift"] != true || m["ends_at"] != "2026-11-23T11:00:00Z" || m["snoozed_until"] != "2026-11-23T11:00:00Z" {
			t.Fatalf("shortened snooze %v", m)
		}
	}
	for _, until := range []string{"2026-11-23T12:00:00Z", "2026-11-23T10:00:00Z", "tomorrow"} {
		asker.send(map[string]any{"type": "shift.snooze.end", "id": "bad", "until": until})
		if m, _ := asker.waitFor("error"); m["re"] != "bad" || m["code"] != "bad_request" || m["field"] != "until" {
			t.Fatalf("until %s: %v", until, m)
		}
	}
	v.quiet() // nothing changed for the site

	asker.send(map[string]any{"type": "shift.snooze.end", "id": "z3"})
	for _, tab := range tabs {
		m := snoozeAnswer(tab, "z3")
		if m["on_shift"] != false || m["starts_at"] != "2026-11-24T09:00:00Z" || m["snoozed_until"] != nil {
			t.Fatalf("cancelled snooze %v", m)
		}
		tab.waitFor("shift.ended")
	}
	waitStatus(t, v, "no_agents")
}

// snoozeAnswer skips the frames before the shift frame that answers re.
func snoozeAnswer(tab *wsClient, re string) map[string]any {
	tab.T.Helper()
	for {
		if m, _ := tab.waitFor("shift"); m["re"] == re {
			return m
		}
	}
}

// TestSnoozeCancelAndShorten: shift.snooze.end on a single node.
func TestSnoozeCancelAndShorten(t *testing.T) {
	f := newFixture(t)
	shiftOnlyNine(f)
	agent, _ := f.agentSocket(f.tokens["agentB"])
	v, _ := f.visitor(f.siteB.ID, nil)
	snoozeEndScenario(t, f.clock, []*wsClient{agent}, v)
}

// TestClusterSnoozeCancelAndShorten: the same with agentB's tabs on two nodes and
// the visitor on a third: the call goes to the leader wherever it runs.
func TestClusterSnoozeCancelAndShorten(t *testing.T) {
	tc := newTestCluster(t, 3)
	shiftOnlyNine(tc.nodes[0])
	tab1, _ := tc.nodes[1].agentSocket(tc.nodes[0].tokens["agentB"])
	tab2, _ := tc.nodes[2].agentSocket(tc.nodes[0].tokens["agentB"])
	v, _ := tc.nodes[0].visitor(tc.nodes[0].siteB.ID, nil)
	snoozeEndScenario(t, tc.clock, []*wsClient{tab1, tab2}, v)
}
