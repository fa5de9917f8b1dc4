package gateway

import (
	"fmt"
	"testing"

	"github.com/coder/websocket"
)

// startChat starts a chat for v and returns the conversation id the agent is given,
// with the visitor object of the agent's chat.assigned.
func startChat(t *testing.T, v, agent *wsClient, id, text string) (string, map[string]any) {
	t.Helper()
	v.send(map[string]any{"type": "chat.start", "id": id, "text": text})
	conv := v.expect("chat.assigned")["conversation"].(map[string]any)["id"].(string)
	m, _ := agent.waitFor("chat.assigned")
	if m["conversation"].(map[string]any)["id"] != conv {
		t.Fatalf("agent got %v, want conversation %s", m, conv)
	}
	return conv, m["visitor"].(map[string]any)
}

// Visitors without a name are told apart by a number per site, given at their first
// chat or offline message and kept for good: the agent's chat.assigned, its welcome,
// the conversations API and the offline messages all carry it.
func TestVisitorNumberPerSite(t *testing.T) {
	f := newFixture(t)
	agent := f.deskSetup()
	hello := map[string]any{"page": "https://shop.example/cart", "lang": "pt-BR", "timezone": "America/Sao_Paulo"}
	ann, w := f.visitor(f.siteA.ID, hello)
	annToken := w["visitor_token"]
	conv1, vis := startChat(t, ann, agent, "s1", "Olá")
	if vis["number"] != float64(1) || vis["page"] != "https://shop.example/cart" || vis["lang"] != "pt-BR" || vis["timezone"] != "America/Sao_Paulo" {
		t.Fatalf("first visitor as the agent sees it: %v", vis)
	}
	bob, _ := f.visitor(f.siteA.ID, nil)
	_, vis = startChat(t, bob, agent, "s2", "Hi")
	if vis["number"] != float64(2) {
		t.Fatalf("second visitor: %v", vis)
	}
	// Ann ends her chat, comes back on a new socket with her token and chats again:
	// the same number.
	ann.send(map[string]any{"type": "chat.end", "id": "e1"})
	ann.waitFor("chat.ended")
	agent.waitFor("chat.ended")
	_ = ann.Conn.Close(websocket.StatusNormalClosure, "")
	ann, _ = f.visitor(f.siteA.ID, map[string]any{"visitor_token": annToken})
	conv3, vis := startChat(t, ann, agent, "s3", "Me again")
	if vis["number"] != float64(1) {
		t.Fatalf("returning visitor: %v", vis)
	}
	// The agent's welcome lists the open chats with their numbers.
	_, welcome := f.agentSocket(f.tokens["agentA"])
	nums := map[string]any{}
	for _, c := range welcome["conversations"].([]any) {
		c := c.(map[string]any)
		nums[c["conversation"].(map[string]any)["id"].(string)] = c["visitor"].(map[string]any)["number"]
	}
	if nums[conv3] != float64(1) || len(nums) != 2 {
		t.Fatalf("welcome numbers %v", nums)
	}
	// The API says it too, for the ended chat as for the open one.
	for _, id := range []string{conv1, conv3} {
		got := f.mustDo("GET", "/api/v1/conversations/"+id, f.tokens["admin"], nil, 200).json(t)
		if v := got["visitor"].(map[string]any); v["number"] != float64(1) {
			t.Fatalf("API conversation %s visitor %v", id, v)
		}
	}
	// Site B counts on its own, and an offline message carries the number.
	carl, _ := f.visitor(f.siteB.ID, nil)
	carl.send(map[string]any{"type": "offline.submit", "id": "o1", "email": "carl@example.com", "message": "Call me"})
	carl.expect("offline.received")
	list := f.mustDo("GET", "/api/v1/sites/"+f.siteB.ID+"/offline-messages", f.tokens["admin"], nil, 200).json(t)["messages"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["visitor_number"] != float64(1) {
		t.Fatalf("site B offline messages %v", list)
	}
	// A hello alone gives no number: the next visitor to chat on site A is number 3.
	for range 3 {
		idle, _ := f.visitor(f.siteA.ID, nil)
		_ = idle.Conn.Close(websocket.StatusNormalClosure, "")
	}
	dan, _ := f.visitor(f.siteA.ID, nil)
	if _, vis = startChat(t, dan, agent, "s4", "Hello"); vis["number"] != float64(3) {
		t.Fatalf("third visitor to chat: %v", vis)
	}
}

// In cluster mode the numbers come from the shared Redis store: visitors on
// different nodes never share one, and a visitor keeps its number on another node.
func TestClusterVisitorNumberShared(t *testing.T) {
	tc := newTestCluster(t, 2)
	agent := tc.deskSetup(1)
	site := tc.nodes[0].siteA.ID
	seen := map[any]bool{}
	var tokens []any
	for i := range 4 {
		v, w := tc.nodes[i%2].visitor(site, nil)
		tokens = append(tokens, w["visitor_token"])
		_, vis := startChat(t, v, agent, fmt.Sprint("s", i), "hello")
		if seen[vis["number"]] || vis["number"] == nil {
			t.Fatalf("visitor %d on node %d got number %v, seen %v", i, i%2, vis["number"], seen)
		}
		seen[vis["number"]] = true
		v.send(map[string]any{"type": "chat.end", "id": fmt.Sprint("e", i)})
		v.waitFor("chat.ended")
		agent.waitFor("chat.ended")
		_ = v.Conn.Close(websocket.StatusNormalClosure, "")
	}
	if len(seen) != 4 || !seen[float64(1)] || !seen[float64(4)] {
		t.Fatalf("numbers %v, want 1..4", seen)
	}
	// The first visitor (node 0) comes back on node 1: still number 1.
	v, _ := tc.nodes[1].visitor(site, map[string]any{"visitor_token": tokens[0]})
	if _, vis := startChat(t, v, agent, "again", "back"); vis["number"] != float64(1) {
		t.Fatalf("returning visitor on the other node: %v", vis)
	}
}
