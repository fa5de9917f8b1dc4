package gateway

import (
	"testing"
	"time"
)

// Site A is open Monday 08:00-12:00 and 13:00-17:00, Paris time (UTC+1 in November).
// The fixture's clock starts Monday 2026-11-23 10:00 Paris.
var (
	lunchStart = time.Date(2026, 11, 23, 11, 0, 0, 0, time.UTC) // 12:00 Paris
	lunchEnd   = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) // 13:00 Paris
)

// deskSetup gives site A its hours, connects agentA, and lets the other agents' start-up
// grace run out so agentA is the only one available. agentA never goes idle unless
// idleMinutes says otherwise (the tests jump hours ahead).
func (f *fixture) deskSetup(idleMinutes ...int) *wsClient {
	f.t.Helper()
	idle := 0
	if len(idleMinutes) > 0 {
		idle = idleMinutes[0]
	}
	f.mustDo("PATCH", "/api/v1/agents/"+f.agentA.ID, f.tokens["admin"], map[string]any{"idle_minutes": idle}, 200)
	f.mustDo("PUT", "/api/v1/sites/"+f.siteA.ID+"/schedule", f.tokens["admin"], weekSchedule, 200)
	agent, _ := f.agentSocket(f.tokens["agentA"])
	expectOpenedBy(f.t, agent, f.siteA.ID)
	f.clock.Advance(15 * time.Second)
	return agent
}

// expectOpenedBy takes the site.status that agent's socket caused by opening the
// site: nobody had a socket before a fixture's start, so none is held in the
// restart grace and the site was no_agents until then.
func expectOpenedBy(t *testing.T, agent *wsClient, siteID string) {
	t.Helper()
	if m, skipped := agent.waitFor("site.status"); m["site_id"] != siteID || status(m)["reason"] != "open" {
		t.Fatalf("site %s once the agent connected: %v (after %v)", siteID, m, skipped)
	}
}

func TestStatusFlipsAtTheBoundaryInTheSameTick(t *testing.T) {
	f := newFixture(t)
	agent := f.deskSetup()
	v, w := f.visitor(f.siteA.ID, nil)
	if w["now"] != "2026-11-23T09:00:15Z" {
		t.Fatalf("welcome now %v, want the server's clock", w["now"])
	}
	st := status(w)
	if st["online"] != true || st["reason"] != "open" || st["closes_at"] != "2026-11-23T11:00:00Z" {
		t.Fatalf("welcome status %v", st)
	}
	// Ten minutes before the lunch break: closing_soon, nothing else.
	f.clock.Set(lunchStart.Add(-10 * time.Minute).Add(-time.Second))
	v.quiet()
	f.clock.Set(lunchStart.Add(-10 * time.Minute))
	if m := v.expect("closing_soon"); m["closes_at"] != "2026-11-23T11:00:00Z" {
		t.Fatalf("closing_soon %v", m)
	}
	// One second before the boundary the visitor is still told nothing.
	f.clock.Set(lunchStart.Add(-time.Second))
	v.quiet()
	// At the boundary the status frame is queued before Set returns.
	f.clock.Set(lunchStart)
	st = status(v.expect("status"))
	if st["online"] != false || st["reason"] != "outside_hours" || st["opens_at"] != "2026-11-23T12:00:00Z" || st["closes_at"] != nil {
		t.Fatalf("status at 12:00 Paris: %v", st)
	}
	m, _ := agent.waitFor("site.status")
	if m["site_id"] != f.siteA.ID || status(m)["reason"] != "outside_hours" {
		t.Fatalf("agent's site.status %v", m)
	}
	// And back online when the afternoon opens.
	f.clock.Set(lunchEnd)
	if st := status(v.expect("status")); st["online"] != true || st["closes_at"] != "2026-11-23T16:00:00Z" {
		t.Fatalf("status at 13:00 Paris: %v", st)
	}
}

func TestChatRoutedAtStartInstantAndOpenChatOutlivesClosing(t *testing.T) {
	f := newFixture(t)
	agent := f.deskSetup()
	early, _ := f.visitor(f.siteA.ID, nil)
	late, w := f.visitor(f.siteA.ID, nil)
	if status(w)["online"] != true {
		t.Fatalf("late visitor loaded the page while online: %v", w)
	}
	f.clock.Set(lunchStart.Add(-time.Minute))
	early.waitFor("closing_soon")
	late.waitFor("closing_soon")
	early.send(map[string]any{"type": "chat.start", "id": "s1", "text": "Hello, are you there?", "name": "Ann"})
	m := early.expect("chat.assigned")
	conv := m["conversation"].(map[string]any)
	if m["re"] != "s1" || conv["state"] != "open" || conv["agent"].(map[string]any)["id"] != f.agentA.ID {
		t.Fatalf("chat.assigned %v", m)
	}
	convID := conv["id"].(string)
	a, _ := agent.waitFor("chat.assigned")
	if a["visitor"].(map[string]any)["name"] != "Ann" || len(a["conversation"].(map[string]any)["messages"].([]any)) != 1 {
		t.Fatalf("agent's chat.assigned %v", a)
	}
	// 12:00:01 Paris: the page was loaded while online, but routing looks at now.
	f.clock.Set(lunchStart.Add(time.Second))
	late.expect("status")
	late.send(map[string]any{"type": "chat.start", "id": "s2", "text": "Anyone?", "email": "bob@example.com"})
	off := late.expect("chat.offline")
	pre := off["prefill"].(map[string]any)
	if off["re"] != "s2" || off["reason"] != "outside_hours" || pre["text"] != "Anyone?" || pre["email"] != "bob@example.com" {
		t.Fatalf("chat.offline %v", off)
	}
	if off["offline_form"] == nil {
		t.Fatal("chat.offline without the offline form")
	}
	// The chat opened before closing goes on: both sides keep talking.
	early.expect("status")
	early.send(map[string]any{"type": "message", "id": "m1", "text": "Still there after noon?"})
	if ack := early.expect("message.ack"); ack["re"] != "m1" || ack["seq"] != 2.0 || ack["conversation_id"] != convID {
		t.Fatalf("ack %v", ack)
	}
	early.expect("message") // its own message, for its other tabs
	got, _ := agent.waitFor("message")
	if got["text"] != "Still there after noon?" || got["from"] != "visitor" {
		t.Fatalf("agent got %v", got)
	}
	agent.send(map[string]any{"type": "message", "id": "a1", "conversation_id": convID, "text": "Yes, until we are done."})
	agent.expect("message.ack")
	agent.expect("message")
	reply := early.expect("message")
	if reply["from"] != "agent" || reply["agent_name"] != "agent" || reply["seq"] != 3.0 {
		t.Fatalf("visitor got %v", reply)
	}
	agent.send(map[string]any{"type": "chat.end", "id": "e1", "conversation_id": convID})
	if m := agent.expect("chat.ended"); m["by"] != "agent" {
		t.Fatalf("chat.ended %v", m)
	}
	if m := early.expect("chat.ended"); m["by"] != "agent" {
		t.Fatalf("visitor chat.ended %v", m)
	}
	if st := status(early.expect("status")); st["reason"] != "outside_hours" {
		t.Fatalf("status after the end %v", st)
	}
	// Nothing was created for the late visitor.
	r := f.mustDo("GET", "/api/v1/conversations?site="+f.siteA.ID, f.tokens["admin"], nil, 200)
	if n := len(r.json(t)["conversations"].([]any)); n != 1 {
		t.Fatalf("%d conversations stored, want 1", n)
	}
}

func TestQueueDrainsWhenAnAgentFreesAndIsMissedAtClosing(t *testing.T) {
	f := newFixture(t)
	f.mustDo("PATCH", "/api/v1/agents/"+f.agentA.ID, f.tokens["admin"], map[string]any{"max_chats": 1}, 200)
	// Long enough that the wait until closing time is not a queue timeout.
	f.mustDo("PATCH", "/api/v1/sites/"+f.siteA.ID, f.tokens["admin"], map[string]any{"queue_timeout_seconds": 86400}, 200)
	agent := f.deskSetup()
	v1, _ := f.visitor(f.siteA.ID, nil)
	v2, _ := f.visitor(f.siteA.ID, nil)
	v3, _ := f.visitor(f.siteA.ID, nil)
	v1.send(map[string]any{"type": "chat.start", "id": "s1", "text": "first"})
	conv1 := v1.expect("chat.assigned")["conversation"].(map[string]any)["id"].(string)
	v2.send(map[string]any{"type": "chat.start", "id": "s2", "text": "second"})
	if m := v2.expect("chat.queued"); m["position"] != 1.0 || m["re"] != "s2" {
		t.Fatalf("chat.queued %v", m)
	}
	v3.send(map[string]any{"type": "chat.start", "id": "s3", "text": "third"})
	if m := v3.expect("chat.queued"); m["position"] != 2.0 {
		t.Fatalf("chat.queued %v", m)
	}
	v3.send(map[string]any{"type": "message", "id": "m3", "text": "still waiting"})
	v3.expect("message.ack")
	v3.expect("message")
	if m, _ := agent.waitFor("queue"); m["length"] != 1.0 {
		t.Fatalf("queue %v", m)
	}
	// The agent ends its chat: the head of the queue is assigned, the rest moves up.
	agent.send(map[string]any{"type": "chat.end", "id": "e1", "conversation_id": conv1})
	m := v2.expect("chat.assigned")
	if msgs := m["conversation"].(map[string]any)["messages"].([]any); len(msgs) != 1 {
		t.Fatalf("assigned conversation lacks its queued text: %v", m)
	}
	if m := v3.expect("queue.position"); m["position"] != 1.0 {
		t.Fatalf("queue.position %v", m)
	}
	a, _ := agent.waitFor("chat.assigned")
	if a["conversation"].(map[string]any)["messages"].([]any)[0].(map[string]any)["text"] != "second" {
		t.Fatalf("agent's chat.assigned %v", a)
	}
	// Closing time: the still-queued chat is missed, with every word as prefill.
	f.clock.Set(lunchStart)
	_, skipped := v3.waitFor("status")
	off, _ := v3.waitFor("chat.offline")
	if pre := off["prefill"].(map[string]any); pre["text"] != "third\nstill waiting" || off["reason"] != "outside_hours" {
		t.Fatalf("missed chat.offline %v (skipped %v)", off, skipped)
	}
	// The open chat of v2 is not touched.
	v2.waitFor("status")
	v2.send(map[string]any{"type": "message", "id": "m2", "text": "thanks"})
	v2.expect("message.ack")
}

func TestQueueTimeoutMissesTheChat(t *testing.T) {
	f := newFixture(t)
	f.mustDo("PATCH", "/api/v1/agents/"+f.agentA.ID, f.tokens["admin"], map[string]any{"max_chats": 1}, 200)
	f.mustDo("PATCH", "/api/v1/sites/"+f.siteA.ID, f.tokens["admin"], map[string]any{"queue_timeout_seconds": 60}, 200)
	f.deskSetup()
	v1, _ := f.visitor(f.siteA.ID, nil)
	v2, _ := f.visitor(f.siteA.ID, nil)
	v1.send(map[string]any{"type": "chat.start", "id": "s1", "text": "first"})
	v1.expect("chat.assigned")
	v2.send(map[string]any{"type": "chat.start", "id": "s2", "text": "second"})
	v2.expect("chat.queued")
	f.clock.Advance(59 * time.Second)
	v2.quiet()
	f.clock.Advance(time.Second)
	if m := v2.expect("chat.offline"); m["reason"] != "queue_timeout" || m["prefill"].(map[string]any)["text"] != "second" {
		t.Fatalf("timeout chat.offline %v", m)
	}
}
