package gateway

import (
	"testing"
	"time"

	"github.com/coder/websocket"
)

func TestShiftEndingSnoozeEndedAndNextStart(t *testing.T) {
	f := newFixture(t)
	// agentB serves site B (always open) and has its own shift: every day 09:00-10:00 UTC.
	daily := map[string]any{}
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		daily[d] = []any{map[string]string{"from": "09:00", "to": "10:00"}}
	}
	f.mustDo("PUT", "/api/v1/agents/"+f.agentB.ID+"/schedule", f.tokens["agentB"], map[string]any{"enabled": true, "timezone": "UTC", "weekly": daily}, 200)
	f.mustDo("PATCH", "/api/v1/agents/"+f.agentB.ID, f.tokens["admin"], map[string]any{"idle_minutes": 0}, 200)
	agent, w := f.agentSocket(f.tokens["agentB"])
	if sh := w["shift"].(map[string]any); sh["on_shift"] != true || sh["ends_at"] != "2026-11-23T10:00:00Z" {
		t.Fatalf("welcome shift %v", sh)
	}
	f.clock.Advance(15 * time.Second) // the others' start-up grace runs out
	v, vw := f.visitor(f.siteB.ID, nil)
	if status(vw)["online"] != true {
		t.Fatalf("site B should be online with agentB on shift: %v", vw)
	}
	f.clock.Set(time.Date(2026, 11, 23, 9, 50, 0, 0, time.UTC))
	if m, _ := agent.waitFor("shift.ending"); m["ends_at"] != "2026-11-23T10:00:00Z" {
		t.Fatalf("shift.ending %v", m)
	}
	agent.send(map[string]any{"type": "shift.snooze", "id": "z1"})
	if m := agent.expect("shift"); m["re"] != "z1" || m["ends_at"] != "2026-11-23T11:00:00Z" || m["on_shift"] != true {
		t.Fatalf("snooze answer %v", m)
	}
	agent.send(map[string]any{"type": "shift.snooze", "id": "z2"})
	if m, _ := agent.waitFor("shift"); m["re"] != "z2" || m["ends_at"] != "2026-11-23T12:00:00Z" {
		t.Fatalf("second snooze %v", m)
	}
	// An open chat survives the end of the shift.
	v.send(map[string]any{"type": "chat.start", "id": "s1", "text": "hi"})
	conv := v.expect("chat.assigned")["conversation"].(map[string]any)["id"].(string)
	f.clock.Set(time.Date(2026, 11, 23, 11, 50, 0, 0, time.UTC))
	agent.waitFor("shift.ending")
	f.clock.Set(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
	agent.waitFor("shift.ended")
	if m := agent.expect("shift"); m["on_shift"] != false || m["starts_at"] != "2026-11-24T09:00:00Z" {
		t.Fatalf("shift after the end %v", m)
	}
	if st := status(v.expect("status")); st["reason"] != "no_agents" {
		t.Fatalf("site B after agentB's shift: %v", st)
	}
	agent.send(map[string]any{"type": "message", "id": "a1", "conversation_id": conv, "text": "I am still here for you"})
	agent.waitFor("message.ack")
	if m := v.expect("message"); m["text"] != "I am still here for you" {
		t.Fatalf("visitor got %v", m)
	}
	// Snooze after the end: on shift again for an hour from now.
	agent.send(map[string]any{"type": "shift.snooze", "id": "z3"})
	if m, _ := agent.waitFor("shift"); m["on_shift"] != true || m["ends_at"] != "2026-11-23T13:00:00Z" {
		t.Fatalf("snooze after the end %v", m)
	}
	if st := status(v.expect("status")); st["online"] != true {
		t.Fatalf("site B after the snooze: %v", st)
	}
	// The next day's shift starts on time.
	f.clock.Set(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC))
	m, skipped := agent.waitFor("shift")
	for m["on_shift"] != true {
		m, skipped = agent.waitFor("shift")
	}
	if m["ends_at"] != "2026-11-24T10:00:00Z" {
		t.Fatalf("next day's shift %v (after %v)", m, skipped)
	}
}

func TestIdleAwayAndBackOnActivity(t *testing.T) {
	f := newFixture(t)
	agent := f.deskSetup(15)
	v, _ := f.visitor(f.siteA.ID, nil)
	f.clock.Advance(15*time.Minute - 15*time.Second - time.Second)
	agent.quiet()
	f.clock.Advance(time.Second)
	if m, _ := agent.waitFor("presence"); m["status"] != "away" || m["reason"] != "idle" {
		t.Fatalf("presence %v", m)
	}
	if st := status(v.expect("status")); st["reason"] != "no_agents" {
		t.Fatalf("status with the only agent idle: %v", st)
	}
	agent.send(map[string]any{"type": "activity"})
	if m, _ := agent.waitFor("presence"); m["status"] != "online" || m["reason"] != "active" {
		t.Fatalf("presence %v", m)
	}
	if st := status(v.expect("status")); st["online"] != true {
		t.Fatalf("status back: %v", st)
	}
	// A manual away is not undone by activity.
	agent.send(map[string]any{"type": "presence.set", "id": "p1", "status": "away"})
	if m, _ := agent.waitFor("presence"); m["status"] != "away" || m["reason"] != "manual" {
		t.Fatalf("manual presence %v", m)
	}
	if m, _ := agent.waitFor("site.status"); status(m)["reason"] != "no_agents" {
		t.Fatalf("site.status %v", m)
	}
	if m := agent.expect("presence"); m["re"] != "p1" || m["status"] != "away" {
		t.Fatalf("answer to presence.set: %v", m)
	}
	// Setting the presence it has changes nothing, but the socket is still answered.
	agent.send(map[string]any{"type": "presence.set", "id": "p2", "status": "away"})
	if m := agent.expect("presence"); m["re"] != "p2" || m["status"] != "away" || m["reason"] != "manual" {
		t.Fatalf("answer to a presence.set that changes nothing: %v", m)
	}
	agent.send(map[string]any{"type": "activity"})
	agent.quiet()
	if st := status(v.expect("status")); st["reason"] != "no_agents" {
		t.Fatalf("status with the agent away: %v", st)
	}
}

func TestForceLogoutClosesEverySocketAndRevokesTheToken(t *testing.T) {
	f := newFixture(t)
	tab1, _ := f.agentSocket(f.tokens["agentA"])
	tab2, _ := f.agentSocket(f.tokens["agentA"])
	f.mustDo("POST", "/api/v1/agents/"+f.agentA.ID+"/logout", f.tokens["admin"], nil, 204)
	for _, c := range []*wsClient{tab1, tab2} {
		c.waitFor("force_logout")
		c.closedWith(4002)
	}
	c, _, err := f.dial("/ws/agent", nil)
	if err != nil {
		t.Fatal(err)
	}
	c.send(map[string]any{"type": "hello", "token": f.tokens["agentA"]})
	if m := c.expect("error"); m["code"] != "unauthorized" {
		t.Fatalf("hello with a revoked token: %v", m)
	}
	c.closedWith(websocket.StatusCode(4001))
}

func TestAdminPresenceOverrideReachesTheAgent(t *testing.T) {
	f := newFixture(t)
	agent := f.deskSetup()
	f.mustDo("PUT", "/api/v1/agents/"+f.agentA.ID+"/presence", f.tokens["admin"], map[string]string{"status": "invisible"}, 200)
	if m, _ := agent.waitFor("presence"); m["status"] != "invisible" || m["reason"] != "admin" {
		t.Fatalf("presence %v", m)
	}
	m := f.mustDo("GET", "/api/v1/sites/"+f.siteA.ID+"/status", f.tokens["admin"], nil, 200).json(t)
	if m["reason"] != "no_agents" || m["available_agents"] != 0.0 {
		t.Fatalf("status with the only agent invisible: %v", m)
	}
}

func TestDisconnectGraceKeepsTheSiteOnline(t *testing.T) {
	f := newFixture(t)
	agent := f.deskSetup()
	v, _ := f.visitor(f.siteA.ID, nil)
	agent.Conn.Close(websocket.StatusNormalClosure, "")
	// Closing is asynchronous on the server: wait until the desk saw it.
	deadline := time.Now().Add(frameWait)
	for f.srv.rt.SocketsOpen() != 1 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	// During the grace a new chat waits in the queue: available, but no live socket.
	v.send(map[string]any{"type": "chat.start", "id": "s1", "text": "hi"})
	v.expect("chat.queued")
	f.clock.Advance(14 * time.Second)
	v.quiet()
	// The agent comes back within the grace: the queued chat goes to it.
	agent2, w := f.agentSocket(f.tokens["agentA"])
	_ = w
	if m, _ := v.waitFor("chat.assigned"); m["conversation"].(map[string]any)["agent"] == nil {
		t.Fatalf("assigned without an agent: %v", m)
	}
	agent2.waitFor("chat.assigned")
	// Gone for good: offline once the grace has run out, not before.
	agent2.Conn.Close(websocket.StatusNormalClosure, "")
	for f.srv.rt.SocketsOpen() != 1 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	f.clock.Advance(15*time.Second - time.Millisecond)
	v.quiet()
	f.clock.Advance(time.Millisecond)
	if st := status(v.expect("status")); st["reason"] != "no_agents" {
		t.Fatalf("status after the grace: %v", st)
	}
}
