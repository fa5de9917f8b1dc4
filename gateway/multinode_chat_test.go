package gateway

import (
	"strconv"
	"testing"
	"time"
)

// clusterDeskSetup is deskSetup for a cluster: site A gets its hours through node
// 0's API, agentA connects to node agentNode (which opens the site), and 15 s pass.
func (tc *testCluster) deskSetup(agentNode int) *wsClient {
	tc.t.Helper()
	f := tc.nodes[0]
	f.mustDo("PATCH", "/api/v1/agents/"+f.agentA.ID, f.tokens["admin"], map[string]any{"idle_minutes": 0}, 200)
	f.mustDo("PUT", "/api/v1/sites/"+f.siteA.ID+"/schedule", f.tokens["admin"], weekSchedule, 200)
	agent, _ := tc.nodes[agentNode].agentSocket(f.tokens["agentA"])
	expectOpenedBy(tc.t, agent, f.siteA.ID)
	tc.clock.Advance(15 * time.Second)
	return agent
}

func TestClusterVisitorAndAgentOnDifferentNodes(t *testing.T) {
	tc := newTestCluster(t, 2)
	agent := tc.deskSetup(1)
	v, w := tc.nodes[0].visitor(tc.nodes[0].siteA.ID, nil)
	if st := status(w); st["online"] != true {
		t.Fatalf("welcome status on node 0: %v", st)
	}
	v.send(map[string]any{"type": "chat.start", "id": "s1", "text": "Hello from node 0"})
	a := v.expect("chat.assigned")
	conv := a["conversation"].(map[string]any)
	cid := conv["id"].(string)
	m, _ := agent.waitFor("chat.assigned")
	if m["conversation"].(map[string]any)["id"] != cid {
		t.Fatalf("agent on node 1 got %v", m)
	}
	// Messages both ways, in order, and typing.
	for i := 0; i < 10; i++ {
		v.send(map[string]any{"type": "message", "id": "v" + itoa(i), "text": "v" + itoa(i)})
		v.expect("message.ack")
		v.expect("message")
	}
	for i := 0; i < 10; i++ {
		got, _ := agent.waitFor("message")
		if got["text"] != "v"+itoa(i) {
			t.Fatalf("agent got message %v, want v%d", got, i)
		}
	}
	v.send(map[string]any{"type": "typing", "state": true})
	if got, _ := agent.waitFor("typing"); got["state"] != true || got["conversation_id"] != cid {
		t.Fatalf("agent typing %v", got)
	}
	agent.send(map[string]any{"type": "typing", "conversation_id": cid, "state": true})
	if got := v.expect("typing"); got["state"] != true {
		t.Fatalf("visitor typing %v", got)
	}
	agent.send(map[string]any{"type": "message", "id": "a1", "conversation_id": cid, "text": "Hi from node 1"})
	if got, _ := v.waitFor("message"); got["text"] != "Hi from node 1" {
		t.Fatalf("visitor got %v", got)
	}
	agent.send(map[string]any{"type": "chat.end", "id": "end1", "conversation_id": cid})
	if got, _ := agent.waitFor("chat.ended"); got["by"] != "agent" || got["re"] != "end1" {
		t.Fatalf("the agent's answer on node 1, through the leader: %v", got)
	}
	if got, _ := v.waitFor("chat.ended"); got["by"] != "agent" {
		t.Fatalf("visitor got %v", got)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
