package gateway

import (
	"testing"
	"time"
)

// A node welcomes visitors from its own view of the site: the leader answers the
// first join of the site on the node, and joins again after the last visitor left;
// a visitor with a conversation in flight is always answered by the leader, and a
// status the leader published is what the next welcome says.
func TestClusterWelcomesVisitorsWithoutTheLeader(t *testing.T) {
	tc := newTestCluster(t, 2)
	tc.deskSetup(1)
	f := tc.nodes[0]
	n := f.srv.rt.ClusterNode()
	joins := func(wantLocal, wantLeader uint64) {
		t.Helper()
		if l, r := n.VisitorJoins(); l != wantLocal || r != wantLeader {
			t.Fatalf("joins answered locally %d and by the leader %d, want %d and %d", l, r, wantLocal, wantLeader)
		}
	}
	first, w0 := f.visitor(f.siteA.ID, nil)
	if status(w0)["reason"] != "open" {
		t.Fatalf("first welcome %v", w0)
	}
	joins(0, 1)
	var vs []*wsClient
	for i := 0; i < 5; i++ {
		v, w := f.visitor(f.siteA.ID, nil)
		if st := status(w); st["reason"] != "open" || st["closes_at"] != "2026-11-23T11:00:00Z" {
			t.Fatalf("welcome from the node's view: %v", st)
		}
		vs = append(vs, v)
	}
	joins(5, 1)
	// A published status becomes the view once the node passed it on.
	f.mustDo("PUT", "/api/v1/sites/"+f.siteA.ID+"/mode", f.tokens["admin"], map[string]string{"mode": "offline"}, 200)
	if st := status(first.expect("status")); st["reason"] != "paused" {
		t.Fatalf("status %v", st)
	}
	v, w := f.visitor(f.siteA.ID, nil)
	if st := status(w); st["reason"] != "paused" {
		t.Fatalf("welcome after the pause: %v", st)
	}
	joins(6, 1)
	v.quiet() // the pause is in the welcome, not after it
	f.mustDo("PUT", "/api/v1/sites/"+f.siteA.ID+"/mode", f.tokens["admin"], map[string]string{"mode": "auto"}, 200)
	waitStatus(t, first, "open")
	// A visitor whose chat is in flight resumes it through the leader.
	first.send(map[string]any{"type": "chat.start", "id": "s1", "text": "hi"})
	first.expect("chat.assigned")
	again, w := f.visitor(f.siteA.ID, map[string]any{"visitor_token": w0["visitor_token"]})
	if c, _ := w["conversation"].(map[string]any); c == nil || c["state"] != "open" {
		t.Fatalf("resumed welcome without its conversation: %v", w)
	}
	joins(6, 2)
	again.quiet()
	// Everyone gone: the view goes with the last one, and the leader answers again.
	for _, c := range append(vs, first, again, v) {
		c.Conn.CloseNow()
	}
	// Closed sockets leave their groups in the background (leaver): wait for it.
	deadline := time.Now().Add(frameWait)
	for {
		if !n.TrustsView(f.siteA.ID, tc.clock.Now()) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a view kept with no visitor of the site on the node")
		}
		time.Sleep(5 * time.Millisecond)
	}
	f.visitor(f.siteA.ID, nil)
	joins(6, 3)
}
