package main

import (
	"testing"
	"time"

	"github.com/livedesk/gateway/internal/testkit"
)

// TestClusterProcessPostgresKilled: three gateway processes on PostgreSQL (Redis for
// the cluster only); mid-conversation PostgreSQL is killed (pg_ctl stop -m
// immediate) and started again. While it is down the sockets stay up, frames that
// need the store get `error unavailable` (their resends too) and /readyz fails on
// every node. When it is back, writes resume by themselves (the resend is acked
// within a bounded time and at most one try hits a dead pooled connection), nothing
// acknowledged is lost and nothing resent is stored twice.
func TestClusterProcessPostgresKilled(t *testing.T) {
	pc := startProcCluster(t, clusterStore{"postgres store", true})
	lead := pc.leader(15 * time.Second)
	f := pc.followers(lead)
	nodeA, nodeB := f[0], f[1]
	t.Logf("leader %s; visitor on %s, agent on %s", lead, nodeA, nodeB)
	agent, _ := pc.agent(nodeB)
	v, w := pc.visitor(nodeA, nil)
	waitOnline(v, w)

	text := map[int64]string{} // seq -> text of what was acknowledged
	v.Send(map[string]any{"type": "chat.start", "id": "s1", "text": "before"})
	r, _ := v.Reply("s1")
	if r["type"] != "chat.assigned" {
		t.Fatalf("chat.start: %v, want chat.assigned", r)
	}
	cid := r["conversation"].(map[string]any)["id"].(string)
	text[1] = "before"
	agent.WaitMatch(procFrameWait, "chat.assigned", func(m map[string]any) bool { return m["type"] == "chat.assigned" })
	// Frames that came before a reply: pushes to check later.
	var toVisitor, toAgent []map[string]any
	visitorSay := func(id, txt string) map[string]any {
		v.Send(map[string]any{"type": "message", "id": id, "text": txt})
		a, skipped := v.Reply(id)
		toVisitor = append(toVisitor, skipped...)
		return a
	}
	agentSay := func(id, txt string) map[string]any {
		agent.Send(map[string]any{"type": "message", "id": id, "conversation_id": cid, "text": txt})
		a, skipped := agent.Reply(id)
		toAgent = append(toAgent, skipped...)
		return a
	}
	a := visitorSay("v1", "v1 acked before")
	if a["type"] != "message.ack" {
		t.Fatalf("v1: %v", a)
	}
	v1 := seqOf(a["seq"])
	text[v1] = "v1 acked before"

	pc.pg.Kill()
	t.Log("PostgreSQL killed (pg_ctl stop -m immediate)")
	for _, try := range []struct {
		name  string
		reply map[string]any
	}{
		{"new visitor message", visitorSay("m1", "during the outage")},
		{"resend of an acked visitor message", visitorSay("v1", "v1 acked before")},
		{"new agent message", agentSay("a1", "agent during the outage")},
	} {
		if try.reply["type"] != "error" || try.reply["code"] != "unavailable" {
			t.Errorf("%s while PostgreSQL is down: %v, want error unavailable", try.name, try.reply)
		}
	}
	v.Quiet() // still connected, nothing pushed
	agent.Quiet()
	for _, id := range pc.followers("") {
		if code, body := testkit.DoJSON(t, "GET", pc.nodes[id].url+"/readyz", "", nil); code != 503 {
			t.Errorf("/readyz on %s while PostgreSQL is down: %d %v, want 503", id, code, body)
		}
	}

	pc.pg.Restart()
	back := time.Now()
	// The clients resend with the same ids until acked, as the widget and the console do.
	resend := func(name string, say func() map[string]any) int64 {
		t.Helper()
		const limit = 15 * time.Second
		failed := 0
		for {
			a := say()
			switch {
			case a["type"] == "message.ack":
				t.Logf("%s acked %v after PostgreSQL started again (%d tries answered unavailable)", name, time.Since(back).Round(time.Millisecond), failed)
				if failed > 1 {
					t.Errorf("%s: %d tries after the restart were answered unavailable, want at most 1 (a dead pooled connection)", name, failed)
				}
				return seqOf(a["seq"])
			case a["type"] == "error" && a["code"] == "unavailable":
				failed++
			default:
				t.Fatalf("%s after the restart: %v", name, a)
			}
			if time.Since(back) > limit {
				t.Fatalf("%s still unavailable %v after PostgreSQL started again (%d tries)", name, limit, failed)
			}
			time.Sleep(200 * time.Millisecond) // retry pacing, as the widget's backoff
		}
	}
	m1 := resend("visitor's m1", func() map[string]any { return visitorSay("m1", "during the outage") })
	text[m1] = "during the outage"
	a1 := resend("agent's a1", func() map[string]any { return agentSay("a1", "agent during the outage") })
	text[a1] = "agent during the outage"
	if m1 != v1+1 || a1 != m1+1 {
		t.Errorf("seqs after the outage: m1 %d, a1 %d; want %d, %d (no gap, nothing stored twice)", m1, a1, v1+1, v1+2)
	}
	// Resends of what is acked: the same seqs, nothing stored or pushed again.
	for id, want := range map[string]int64{"v1": v1, "m1": m1} {
		if a := visitorSay(id, text[want]); a["type"] != "message.ack" || seqOf(a["seq"]) != want {
			t.Errorf("resend of %s: %v, want message.ack seq %d", id, a, want)
		}
	}
	// Each side gets the other's message once (the resends are not pushed again).
	for _, c := range []struct {
		who    string
		ws     *testkit.WS
		frames []map[string]any
		text   string
	}{{"agent", agent, toAgent, "during the outage"}, {"visitor", v, toVisitor, "agent during the outage"}} {
		is := func(m map[string]any) bool { return m["type"] == "message" && m["text"] == c.text }
		n := 0
		for _, m := range c.frames {
			if is(m) {
				n++
			}
		}
		if n == 0 { // still on its way
			c.ws.WaitMatch(procFrameWait, c.text, is)
			n++
		}
		for _, m := range c.ws.DrainUntilPong() {
			if is(m) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("the %s got %q %d times, want once: %v", c.who, c.text, n, c.frames)
		}
	}
	for _, id := range pc.followers("") {
		if code, body := testkit.DoJSON(t, "GET", pc.nodes[id].url+"/readyz", "", nil); code != 200 {
			t.Errorf("/readyz on %s after PostgreSQL is back: %d %v", id, code, body)
		}
	}
	msgs := pc.conversation(nodeB, cid)["messages"].([]any)
	if len(msgs) != len(text) {
		t.Errorf("transcript has %d messages, want the %d acknowledged: %v", len(msgs), len(text), msgs)
	}
	pc.checkDurable(cid, text)
}
