package gateway

import (
	"testing"

	"github.com/coder/websocket"
)

// TestRestartResumesTheConversation kills the gateway mid-conversation (sockets cut,
// no drain), starts a new one on the same data dir, and checks that the visitor and
// the agent find the conversation, with the messages the visitor had not seen.
func TestRestartResumesTheConversation(t *testing.T) {
	f := newFixture(t)
	agent := f.deskSetup()
	v, w := f.visitor(f.siteA.ID, nil)
	token := w["visitor_token"].(string)
	v.send(map[string]any{"type": "chat.start", "id": "s1", "text": "hello"})
	conv := v.expect("chat.assigned")["conversation"].(map[string]any)["id"].(string)
	agent.waitFor("chat.assigned")
	agent.send(map[string]any{"type": "message", "id": "a1", "conversation_id": conv, "text": "how can I help?"})
	agent.expect("message.ack")
	agent.expect("message")
	if m := v.expect("message"); m["seq"] != 2.0 {
		t.Fatalf("message %v", m)
	}
	// The visitor saw seq 2; the agent writes seq 3, which the visitor never gets.
	agent.send(map[string]any{"type": "message", "id": "a2", "conversation_id": conv, "text": "are you there?"})
	agent.expect("message.ack")

	f.restart()
	v.closedWith(websocket.StatusCode(1012))

	agent2, aw := f.agentSocket(f.tokens["agentA"])
	chats := aw["conversations"].([]any)
	if len(chats) != 1 || chats[0].(map[string]any)["conversation"].(map[string]any)["id"] != conv {
		t.Fatalf("agent's welcome after restart: %v", aw)
	}
	v2, w2 := f.visitor(f.siteA.ID, map[string]any{"visitor_token": token, "last_seq": 2})
	c := w2["conversation"].(map[string]any)
	msgs := c["messages"].([]any)
	if w2["visitor_id"] != w["visitor_id"] || c["id"] != conv || c["state"] != "open" || len(msgs) != 1 || msgs[0].(map[string]any)["text"] != "are you there?" {
		t.Fatalf("visitor's welcome after restart: %v", w2)
	}
	// The resent frame (its ack was lost in the restart) is not stored twice.
	v2.send(map[string]any{"type": "message", "id": "v1", "text": "yes!"})
	first := v2.expect("message.ack")
	v2.expect("message")
	v2.send(map[string]any{"type": "message", "id": "v1", "text": "yes!"})
	if again := v2.expect("message.ack"); again["seq"] != first["seq"] {
		t.Fatalf("resend after restart stored twice: %v %v", first, again)
	}
	if m := agent2.expect("message"); m["text"] != "yes!" || m["seq"] != 4.0 {
		t.Fatalf("agent got %v", m)
	}
	agent2.quiet()
	// Without last_seq the whole history comes back.
	_, w3 := f.visitor(f.siteA.ID, map[string]any{"visitor_token": token})
	if n := len(w3["conversation"].(map[string]any)["messages"].([]any)); n != 4 {
		t.Fatalf("full history has %d messages, want 4", n)
	}
}
