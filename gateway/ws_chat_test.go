package gateway

import "testing"

func TestTypingBothWaysAndVisitorEndsTheChat(t *testing.T) {
	f := newFixture(t)
	agent := f.deskSetup()
	v, _ := f.visitor(f.siteA.ID, map[string]any{"lang": "fr", "timezone": "America/Montreal"})
	other, _ := f.visitor(f.siteA.ID, map[string]any{"lang": "<script>", "timezone": "Nowhere/City"})
	v.send(map[string]any{"type": "chat.start", "id": "s1", "text": "hi"})
	conv := v.expect("chat.assigned")["conversation"].(map[string]any)["id"].(string)
	a, _ := agent.waitFor("chat.assigned")
	if vis := a["visitor"].(map[string]any); vis["lang"] != "fr" || vis["timezone"] != "America/Montreal" {
		t.Fatalf("agent's visitor object %v", vis)
	}
	other.send(map[string]any{"type": "chat.start", "id": "o1", "text": "me too"})
	other.expect("chat.assigned")
	if vis := agent.expect("chat.assigned")["visitor"].(map[string]any); vis["lang"] != nil || vis["timezone"] != nil {
		t.Fatalf("bad lang or zone kept: %v", vis)
	}

	v.send(map[string]any{"type": "typing", "state": true})
	if m := agent.expect("typing"); m["conversation_id"] != conv || m["state"] != true {
		t.Fatalf("agent got %v", m)
	}
	agent.send(map[string]any{"type": "typing", "conversation_id": conv, "state": false})
	if m := v.expect("typing"); m["state"] != false {
		t.Fatalf("visitor got %v", m)
	}
	// Typing in someone else's conversation is refused.
	agent.send(map[string]any{"type": "typing", "id": "t1", "conversation_id": "not-mine", "state": true})
	if m := agent.expect("error"); m["code"] != "not_found" || m["field"] != "conversation_id" {
		t.Fatalf("typing elsewhere: %v", m)
	}
	v.send(map[string]any{"type": "chat.end", "id": "e1"})
	if m := v.expect("chat.ended"); m["conversation_id"] != conv || m["by"] != "visitor" || m["re"] != "e1" {
		t.Fatalf("chat.ended %v", m)
	}
	if st := status(v.expect("status")); st["online"] != true {
		t.Fatalf("status after the end: %v", st)
	}
	if m := agent.expect("chat.ended"); m["by"] != "visitor" {
		t.Fatalf("agent's chat.ended %v", m)
	}
	// The conversation is over for both sides.
	v.send(map[string]any{"type": "message", "id": "m1", "text": "one more thing"})
	if m := v.expect("error"); m["code"] != "conflict" {
		t.Fatalf("message after the end: %v", m)
	}
	agent.send(map[string]any{"type": "message", "id": "a1", "conversation_id": conv, "text": "bye"})
	if m := agent.expect("error"); m["code"] != "not_found" {
		t.Fatalf("agent message after the end: %v", m)
	}
	r := f.mustDo("GET", "/api/v1/conversations/"+conv, f.tokens["agentA"], nil, 200).json(t)
	if r["state"] != "ended" || r["ended_by"] != "visitor" {
		t.Fatalf("stored conversation %v", r)
	}
	// A new chat may start now.
	v.send(map[string]any{"type": "chat.start", "id": "s2", "text": "me again"})
	if m := v.expect("chat.assigned"); m["conversation"].(map[string]any)["id"] == conv {
		t.Fatal("the ended conversation came back")
	}
}

// A visitor's messages go straight to the conversation its last one went to, and
// the store still refuses them once the chat has ended; the next chat's messages
// find the new conversation. An agent cannot write to a conversation that ended,
// and a resend of an acked message is acked again, even after the end.
func TestMessagesFollowTheVisitorsLiveConversation(t *testing.T) {
	f := newFixture(t)
	agent := f.deskSetup()
	v, _ := f.visitor(f.siteA.ID, nil)
	v.send(map[string]any{"type": "chat.start", "id": "s1", "text": "hi"})
	first := v.expect("chat.assigned")["conversation"].(map[string]any)["id"].(string)
	agent.waitFor("chat.assigned")
	for i, id := range []string{"m1", "m2"} {
		v.send(map[string]any{"type": "message", "id": id, "text": "question " + id})
		if m, _ := v.waitFor("message.ack"); m["conversation_id"] != first || m["seq"] != float64(i+2) {
			t.Fatalf("ack of %s: %v", id, m)
		}
		if m, _ := agent.waitFor("message"); m["text"] != "question "+id {
			t.Fatalf("agent got %v", m)
		}
	}
	agent.send(map[string]any{"type": "chat.end", "id": "e1", "conversation_id": first})
	if m, _ := agent.waitFor("chat.ended"); m["re"] != "e1" || m["by"] != "agent" {
		t.Fatalf("the agent's answer to chat.end: %v", m)
	}
	v.waitFor("chat.ended")
	v.send(map[string]any{"type": "message", "id": "m2", "text": "question m2"})
	if m, _ := v.waitFor("message.ack"); m["conversation_id"] != first || m["seq"] != float64(3) {
		t.Fatalf("resend after the end: %v", m)
	}
	v.send(map[string]any{"type": "message", "id": "m3", "text": "still there?"})
	if m, _ := v.waitFor("error"); m["code"] != "conflict" {
		t.Fatalf("message after the end: %v", m)
	}
	agent.send(map[string]any{"type": "message", "id": "a1", "conversation_id": first, "text": "too late"})
	if m, _ := agent.waitFor("error"); m["code"] != "not_found" || m["field"] != "conversation_id" {
		t.Fatalf("agent message after the end: %v", m)
	}
	v.send(map[string]any{"type": "chat.start", "id": "s2", "text": "me again"})
	second := v.expect("chat.assigned")["conversation"].(map[string]any)["id"].(string)
	v.send(map[string]any{"type": "message", "id": "m4", "text": "new question"})
	if m, _ := v.waitFor("message.ack"); m["conversation_id"] != second || second == first {
		t.Fatalf("ack in the second chat: %v (first %s)", m, first)
	}
	msgs := f.mustDo("GET", "/api/v1/conversations/"+first, f.tokens["agentA"], nil, 200).json(t)["messages"].([]any)
	if len(msgs) != 3 {
		t.Fatalf("the ended chat holds %d messages, want 3: %v", len(msgs), msgs)
	}
}
