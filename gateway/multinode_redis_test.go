package gateway

import (
	"testing"
	"time"
)

// Redis stops mid-conversation: the sockets stay up, frames that need the store or
// the leader get `unavailable`, and when Redis is back the cluster recovers by
// itself: the resent frame is stored once and reaches the agent on the other node.
func TestClusterRedisRestartMidConversation(t *testing.T) {
	tc := newTestCluster(t, 2)
	agent := tc.deskSetup(1)
	v, _ := tc.nodes[0].visitor(tc.nodes[0].siteA.ID, nil)
	v.send(map[string]any{"type": "chat.start", "id": "s1", "text": "before the outage"})
	cid := v.expect("chat.assigned")["conversation"].(map[string]any)["id"].(string)
	agent.waitFor("chat.assigned")

	tc.redis.Stop()
	v.send(map[string]any{"type": "message", "id": "m1", "text": "during the outage"})
	if m := v.expect("error"); m["code"] != "unavailable" || m["re"] != "m1" {
		t.Fatalf("message during the outage: %v", m)
	}
	agent.send(map[string]any{"type": "message", "id": "a1", "conversation_id": cid, "text": "me neither"})
	if m, _ := agent.waitFor("error"); m["code"] != "unavailable" {
		t.Fatalf("agent message during the outage: %v", m)
	}
	v.quiet() // still connected
	agent.quiet()

	tc.redis.Restart()
	tc.waitLeader()
	// The widget resends its unacked frame with the same id until it is acked.
	deadline := time.Now().Add(15 * time.Second)
	var seq any
	for seq == nil {
		if time.Now().After(deadline) {
			t.Fatal("the resent message was never acked after Redis came back")
		}
		v.send(map[string]any{"type": "message", "id": "m1", "text": "during the outage"})
		m, _ := v.waitFor("message.ack")
		seq = m["seq"]
		if seq == nil {
			time.Sleep(100 * time.Millisecond) // retry pacing, as the widget's backoff
		}
	}
	if m, _ := agent.waitFor("message"); m["text"] != "during the outage" {
		t.Fatalf("agent got %v", m)
	}
	// Resent once more: acked with the same seq, not pushed again.
	v.send(map[string]any{"type": "message", "id": "m1", "text": "during the outage"})
	if m, _ := v.waitFor("message.ack"); m["seq"] != seq {
		t.Fatalf("resend acked with seq %v, want %v", m["seq"], seq)
	}
	agent.send(map[string]any{"type": "message", "id": "a2", "conversation_id": cid, "text": "back"})
	// The visitor's own message comes back to its socket too (after its ack, so it
	// may still be on its way): the agent's is the next one from the agent.
	for echoes := 0; ; echoes++ {
		m, _ := v.waitFor("message")
		if m["from"] == "agent" {
			if m["text"] != "back" {
				t.Fatalf("visitor got %v", m)
			}
			break
		}
		if m["text"] != "during the outage" || echoes > 0 {
			t.Fatalf("visitor got %v (own messages seen before it: %d; a resend is never pushed again)", m, echoes)
		}
	}
	agent.waitFor("message.ack")
}
