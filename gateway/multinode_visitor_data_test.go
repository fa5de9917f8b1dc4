package gateway

import "testing"

// In cluster mode an erasure asked of a node that does not run the desk ends the
// visitor's live chat on the leader's desk: the visitor (on the leader's node here)
// and the agent (on the other) hear chat.ended; the Redis store then holds nothing
// of the visitor, and its token gets a new identity on any node.
func TestClusterVisitorErasureEndsTheChatOnTheLeader(t *testing.T) {
	tc := newTestCluster(t, 2)
	lead := tc.waitLeader()
	other := 1 - lead
	agent := tc.deskSetup(other)
	f := tc.nodes[other]
	v, w := tc.nodes[lead].visitor(f.siteA.ID, nil)
	vid, tok := w["visitor_id"].(string), w["visitor_token"].(string)
	v.send(map[string]any{"type": "chat.start", "id": "s1", "text": "please forget me"})
	conv := v.expect("chat.assigned")["conversation"].(map[string]any)["id"].(string)
	agent.waitFor("chat.assigned")

	r := f.mustDo("DELETE", visitorPath(f.siteA.ID, vid, ""), f.tokens["admin"], nil, 200).json(t)
	if c := r["erased"].(map[string]any); c["ended"] != 1.0 || c["conversations"] != 1.0 || c["messages"] != 1.0 {
		t.Fatalf("erased %v", c)
	}
	if m, _ := v.waitFor("chat.ended"); m["conversation_id"] != conv || m["by"] != "system" {
		t.Fatalf("visitor's chat.ended %v", m)
	}
	if m, _ := agent.waitFor("chat.ended"); m["conversation_id"] != conv || m["by"] != "system" {
		t.Fatalf("agent's chat.ended %v", m)
	}
	f.mustDo("GET", "/api/v1/conversations/"+conv, f.tokens["admin"], nil, 404)
	for _, n := range tc.nodes {
		c, _, err := n.dial("/ws/visitor?site="+f.siteA.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		c.send(map[string]any{"type": "hello", "visitor_token": tok})
		if w := c.expect("welcome"); w["visitor_id"] == vid || w["conversation"] != nil {
			t.Fatalf("welcome for the erased visitor's token: %v", w)
		}
	}
	// The desk let go of the chat: the agent's slot is free for the next visitor.
	v2, _ := tc.nodes[lead].visitor(f.siteA.ID, nil)
	v2.send(map[string]any{"type": "chat.start", "id": "s2", "text": "next"})
	v2.expect("chat.assigned")
}
