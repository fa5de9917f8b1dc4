package gateway

import (
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// Two or three nodes race for agentA's last slot many times: exactly one chat is
// assigned each round, the others wait in the one shared queue.
func TestClusterChatStartsRaceForTheLastSlot(t *testing.T) {
	tc := newTestCluster(t, 3)
	f := tc.nodes[0]
	f.mustDo("PATCH", "/api/v1/agents/"+f.agentA.ID, f.tokens["admin"], map[string]any{"max_chats": 1}, 200)
	agent := tc.deskSetup(2)
	for round := 0; round < 15; round++ {
		vs := make([]*wsClient, len(tc.nodes))
		for i, n := range tc.nodes {
			vs[i], _ = n.visitor(f.siteA.ID, nil)
		}
		var wg sync.WaitGroup
		outcomes := make([]map[string]any, len(vs))
		for i, v := range vs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				v.send(map[string]any{"type": "chat.start", "id": "r" + itoa(round), "text": "race"})
			}()
			_ = i
		}
		wg.Wait()
		for i, v := range vs {
			outcomes[i] = v.next()
		}
		assigned, queued := -1, 0
		for i, m := range outcomes {
			switch m["type"] {
			case "chat.assigned":
				if assigned >= 0 {
					t.Fatalf("round %d: two chats assigned past max_chats 1: %v", round, outcomes)
				}
				assigned = i
			case "chat.queued":
				queued++
			default:
				t.Fatalf("round %d: unexpected answer %v", round, m)
			}
		}
		if assigned < 0 || queued != len(vs)-1 {
			t.Fatalf("round %d: want one assigned and the rest queued, got %v", round, outcomes)
		}
		m, _ := agent.waitFor("chat.assigned")
		cid := m["conversation"].(map[string]any)["id"].(string)
		// End every chat: the queued ones are assigned in turn as the slot frees.
		agent.send(map[string]any{"type": "chat.end", "conversation_id": cid})
		for k := 0; k < queued; k++ {
			m, _ := agent.waitFor("chat.assigned")
			agent.send(map[string]any{"type": "chat.end", "conversation_id": m["conversation"].(map[string]any)["id"]})
		}
		for _, v := range vs {
			v.waitFor("chat.ended")
			v.Conn.CloseNow()
		}
	}
}

// A schedule boundary reaches the visitors of every node once, at its instant.
func TestClusterBoundarySeenOnEveryNode(t *testing.T) {
	tc := newTestCluster(t, 3)
	agent := tc.deskSetup(1)
	var vs []*wsClient
	for _, n := range tc.nodes {
		for k := 0; k < 3; k++ {
			v, w := n.visitor(n.siteA.ID, nil)
			if status(w)["online"] != true {
				t.Fatalf("welcome status %v", status(w))
			}
			vs = append(vs, v)
		}
	}
	tc.clock.Set(lunchStart.Add(-10 * time.Minute))
	for _, v := range vs {
		if m := v.expect("closing_soon"); m["closes_at"] != "2026-11-23T11:00:00Z" {
			t.Fatalf("closing_soon %v", m)
		}
	}
	tc.clock.Set(lunchStart.Add(-time.Second))
	for _, v := range vs {
		v.quiet()
	}
	tc.clock.Set(lunchStart)
	for _, v := range vs {
		st := status(v.expect("status"))
		if st["online"] != false || st["reason"] != "outside_hours" || st["opens_at"] != "2026-11-23T12:00:00Z" {
			t.Fatalf("status at the boundary %v", st)
		}
	}
	for _, v := range vs {
		v.quiet() // no node sent it twice
	}
	if m, _ := agent.waitFor("site.status"); status(m)["reason"] != "outside_hours" {
		t.Fatalf("agent's site.status %v", m)
	}
}

// Idle, shifts and force logout reach an agent's sockets on any node, and the
// status they cause reaches visitors on the others.
func TestClusterIdleShiftAndLogoutAcrossNodes(t *testing.T) {
	tc := newTestCluster(t, 3)
	f := tc.nodes[0]
	f.mustDo("PATCH", "/api/v1/agents/"+f.agentA.ID, f.tokens["admin"], map[string]any{"idle_minutes": 5}, 200)
	f.mustDo("PUT", "/api/v1/sites/"+f.siteA.ID+"/schedule", f.tokens["admin"], weekSchedule, 200)
	tab1, _ := tc.nodes[1].agentSocket(f.tokens["agentA"])
	tab2, _ := tc.nodes[2].agentSocket(f.tokens["agentA"])
	tc.clock.Advance(15 * time.Second)
	v, w := tc.nodes[0].visitor(f.siteA.ID, nil)
	if status(w)["online"] != true {
		t.Fatalf("welcome %v", w)
	}
	// Idle: activity on tab 1 (node 1) keeps the agent; five quiet minutes send it
	// away on both tabs, and the site goes offline on node 0.
	tc.clock.Advance(4 * time.Minute)
	tab1.send(map[string]any{"type": "activity"})
	// The activity is a one-way call; a snooze (no own schedule: answered with the
	// shift unchanged) is a call with the same key, so its answer proves the
	// leader has taken the activity before the clock moves on.
	tab1.send(map[string]any{"type": "shift.snooze", "id": "z0"})
	tab1.waitFor("shift")
	tc.clock.Advance(2 * time.Minute) // 6 minutes since the start, 2 since the activity
	v.quiet()
	tc.clock.Advance(3*time.Minute + time.Second)
	for _, tab := range []*wsClient{tab1, tab2} {
		if m, _ := tab.waitFor("presence"); m["status"] != "away" || m["reason"] != "idle" {
			t.Fatalf("presence %v", m)
		}
	}
	waitStatus(t, v, "no_agents")
	tab2.send(map[string]any{"type": "activity"})
	waitStatus(t, v, "open")
	// Own shift ending now: shift.ended on both tabs.
	now := tc.clock.Now().UTC()
	daily := map[string]any{}
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		daily[d] = []any{map[string]string{"from": "06:00", "to": now.Add(time.Minute).Format("15:04")}}
	}
	f.mustDo("PUT", "/api/v1/agents/"+f.agentA.ID+"/schedule", f.tokens["admin"], map[string]any{"enabled": true, "timezone": "UTC", "weekly": daily}, 200)
	tc.clock.Advance(2 * time.Minute)
	for _, tab := range []*wsClient{tab1, tab2} {
		tab.waitFor("shift.ended")
	}
	// Force logout from node 0's API closes the tabs on nodes 1 and 2.
	f.mustDo("POST", "/api/v1/agents/"+f.agentA.ID+"/logout", f.tokens["admin"], nil, 204)
	for _, tab := range []*wsClient{tab1, tab2} {
		tab.waitFor("force_logout")
		tab.closedWith(websocket.StatusCode(4002))
	}
}

// waitStatus waits for a status frame with reason. Status frames that repeat the
// previous status are skipped: a node re-pushes the current status after its Redis
// subscription was re-established (resync), which a slow test machine can cause.
func waitStatus(t *testing.T, v *wsClient, reason string) {
	t.Helper()
	for {
		m, _ := v.waitFor("status")
		st := status(m)
		if st["reason"] == reason {
			return
		}
		if st["reason"] != "open" && st["reason"] != "no_agents" {
			t.Fatalf("unexpected status %v while waiting for %s", st, reason)
		}
	}
}

// A password changed through one node ends the agent's sessions on every node: the
// socket on another node is closed and the old token is refused there (the token
// version is in the shared Redis store).
func TestClusterPasswordChangeRevokesEverywhere(t *testing.T) {
	tc := newTestCluster(t, 2)
	f := tc.nodes[0]
	tab, _ := tc.nodes[1].agentSocket(f.tokens["agentB"])
	f.mustDo("PATCH", "/api/v1/agents/"+f.agentB.ID, f.tokens["admin"], map[string]any{"password": "set by the admin"}, 200)
	tab.waitFor("force_logout")
	tab.closedWith(websocket.StatusCode(4002))
	tc.nodes[1].mustDo("GET", "/api/v1/me", f.tokens["agentB"], nil, 401)
	tc.nodes[1].mustDo("POST", "/api/v1/login", "", map[string]string{"email": f.agentB.Email, "password": "set by the admin"}, 200)
}
