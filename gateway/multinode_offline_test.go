package gateway

import "testing"

// Two nodes over one Redis: an offline message left on node 1 reaches the agent
// sockets of its site on node 0, and so does a change of its state made through
// node 1's API; the agents of another site hear of neither.
func TestClusterOfflineInboxPushesAcrossNodes(t *testing.T) {
	tc := newTestCluster(t, 2)
	n0, n1 := tc.nodes[0], tc.nodes[1]
	a, _ := n0.agentSocket(n0.tokens["agentA"])
	b, _ := n0.agentSocket(n0.tokens["agentB"])
	owner, _ := n1.agentSocket(n1.tokens["owner"])
	v, _ := n1.visitor(n1.siteA.ID, nil)

	mid := submitOffline(t, v, "o1", "Left on node 1")
	for _, c := range []*wsClient{a, owner} {
		m, _ := c.waitFor("offline.message")
		checkOfflineMessage(t, m, n1.siteA.ID, mid, "Left on node 1", 1)
	}
	n1.mustDo("PATCH", "/api/v1/sites/"+n1.siteA.ID+"/offline-messages/"+mid, n1.tokens["owner"], map[string]any{"state": "done"}, 200)
	m, _ := a.waitFor("offline.state")
	checkOfflineState(t, m, n1.siteA.ID, mid, "done", 0)
	noOfflineFrame(t, b)
	// The counts agree on both nodes (one Redis store).
	for _, f := range tc.nodes {
		c := f.mustDo("GET", "/api/v1/offline-messages/counts?site="+f.siteA.ID, f.tokens["agentA"], nil, 200).json(t)
		if c["new"] != float64(0) {
			t.Fatalf("counts %v", c)
		}
	}
}
