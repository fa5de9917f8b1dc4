package gateway

import (
	"slices"
	"testing"
	"time"
)

// Redis stops mid-conversation, on each store: the sockets stay up, and when Redis
// is back the cluster recovers by itself.
//
// On the Redis store every frame that needs the store or the leader gets
// `unavailable`; the resent frame is stored once and reaches the agent on the
// other node.
//
// On PostgreSQL the store is up: messages are still stored and acked, and the API
// reads history, but their pushes to the other side are lost with pub/sub (no
// catch-up until a reconnect), a chat start (it needs the leader) gets
// `unavailable`, and /readyz fails (the node is not fit for new sockets). A resend
// after Redis is back is acked with the same seq and stored once.
func TestClusterRedisRestartMidConversation(t *testing.T) {
	for _, tt := range []struct {
		name    string
		start   func(*testing.T, int) *testCluster
		storeUp bool // the store stays up while Redis is down
	}{
		{"redis store", newTestCluster, false},
		{"postgres store", newTestClusterPostgres, true},
	} {
		t.Run(tt.name, func(t *testing.T) { redisRestartMidConversation(t, tt.start(t, 2), tt.storeUp) })
	}
}

func redisRestartMidConversation(t *testing.T, tc *testCluster, storeUp bool) {
	agent := tc.deskSetup(1)
	f := tc.nodes[0]
	v, _ := f.visitor(f.siteA.ID, nil)
	v.send(map[string]any{"type": "chat.start", "id": "s1", "text": "before the outage"})
	cid := v.expect("chat.assigned")["conversation"].(map[string]any)["id"].(string)
	agent.waitFor("chat.assigned")

	tc.redis.Stop()
	want := []string{"before the outage"} // the transcript at the end
	v.send(map[string]any{"type": "message", "id": "m1", "text": "during the outage"})
	if storeUp {
		if m := v.expect("message.ack"); m["re"] != "m1" || m["seq"] != float64(2) {
			t.Fatalf("message during the outage: %v, want acked seq 2 (PostgreSQL is up)", m)
		}
		agent.send(map[string]any{"type": "message", "id": "a1", "conversation_id": cid, "text": "me neither"})
		if m, _ := agent.waitFor("message.ack"); m["re"] != "a1" || m["seq"] != float64(3) {
			t.Fatalf("agent message during the outage: %v, want acked seq 3", m)
		}
		want = append(want, "during the outage", "me neither")
		// History is the store's: it reads on.
		if got := transcript(f.storedConv(cid)); !slices.Equal(got, want) {
			t.Fatalf("history during the outage: %q, want %q", got, want)
		}
		// A new visitor may be welcomed from the node's copy of the status, but its
		// chat start needs the leader.
		v2, _ := f.visitor(f.siteA.ID, nil)
		v2.send(map[string]any{"type": "chat.start", "id": "s2", "text": "anyone?"})
		if m := v2.expect("error"); m["code"] != "unavailable" || m["re"] != "s2" {
			t.Fatalf("chat.start during the outage: %v", m)
		}
		// Not ready: no leader can be reached.
		if r := f.do("GET", "/readyz", "", nil); r.Code != 503 {
			t.Fatalf("/readyz during the Redis outage: %d %s, want 503", r.Code, r.Body)
		}
	} else {
		if m := v.expect("error"); m["code"] != "unavailable" || m["re"] != "m1" {
			t.Fatalf("message during the outage: %v", m)
		}
		agent.send(map[string]any{"type": "message", "id": "a1", "conversation_id": cid, "text": "me neither"})
		if m, _ := agent.waitFor("error"); m["code"] != "unavailable" {
			t.Fatalf("agent message during the outage: %v", m)
		}
	}
	v.quiet() // still connected
	agent.quiet()

	tc.redis.Restart()
	tc.waitLeader()
	if r := f.do("GET", "/readyz", "", nil); r.Code != 200 {
		t.Fatalf("/readyz after Redis is back: %d %s", r.Code, r.Body)
	}
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
	if storeUp {
		if seq != float64(2) {
			t.Fatalf("resend after the outage acked with seq %v, want 2 (stored during it)", seq)
		}
	} else {
		want = append(want, "during the outage")
		if m, _ := agent.waitFor("message"); m["text"] != "during the outage" {
			t.Fatalf("agent got %v", m)
		}
	}
	// Resent once more: acked with the same seq, not pushed again.
	v.send(map[string]any{"type": "message", "id": "m1", "text": "during the outage"})
	if m, _ := v.waitFor("message.ack"); m["seq"] != seq {
		t.Fatalf("resend acked with seq %v, want %v", m["seq"], seq)
	}
	agent.send(map[string]any{"type": "message", "id": "a2", "conversation_id": cid, "text": "back"})
	want = append(want, "back")
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
		if m["text"] != "during the outage" || echoes > 0 || storeUp {
			t.Fatalf("visitor got %v (own messages seen before it: %d; a resend is never pushed again)", m, echoes)
		}
	}
	agent.waitFor("message.ack")
	if got := transcript(f.storedConv(cid)); !slices.Equal(got, want) {
		t.Fatalf("transcript %q, want %q (each message once)", got, want)
	}
}

// transcript is the texts of a conversation's messages (GET /conversations/{id}).
func transcript(conv map[string]any) []string {
	var out []string
	for _, x := range conv["messages"].([]any) {
		out = append(out, x.(map[string]any)["text"].(string))
	}
	return out
}
