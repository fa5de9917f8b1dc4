package main

import (
	"fmt"
	"testing"
	"time"
)

// These tests run three real gateway processes over one real redis-server, with
// --disconnect-grace 2s --lease-ttl 1s --node-ttl 3s, and SIGKILL one of them. The
// roles are chosen from the lease (ld:leader), so a test kills exactly the kind of
// node it means to: a follower holding a visitor, a follower holding the agent's
// only socket, or the leader.

// TestClusterProcessKillVisitorNode: a visitor chats through follower A with the
// agent on follower B; A is SIGKILLed; the visitor resumes on C (the leader) with
// its token and last_seq, resends frames that were acked before the kill, and sends
// a new one. Nothing acked is lost or doubled.
func TestClusterProcessKillVisitorNode(t *testing.T) { forEachStore(t, killVisitorNode) }

func killVisitorNode(t *testing.T, pc *procCluster) {
	lead := pc.leader(15 * time.Second)
	f := pc.followers(lead)
	nodeA, nodeB, nodeC := f[0], f[1], lead
	t.Logf("leader %s; visitor on %s (to be killed), agent on %s, resume on %s", lead, nodeA, nodeB, nodeC)

	agent, _ := pc.agent(nodeB)
	v, w := pc.visitor(nodeA, nil)
	waitOnline(v, w)
	visitorID, token := w["visitor_id"], w["visitor_token"].(string)

	// acked: frame id -> the seq its ack (or chat.assigned) gave; text: seq -> text.
	acked := map[string]int64{}
	text := map[int64]string{}
	v.Send(map[string]any{"type": "chat.start", "id": "s1", "text": "hello from A"})
	r, _ := v.Reply("s1")
	if r["type"] != "chat.assigned" {
		t.Fatalf("chat.start on %s: %v, want chat.assigned", nodeA, r)
	}
	conv := r["conversation"].(map[string]any)
	cid := conv["id"].(string)
	first := conv["messages"].([]any)[0].(map[string]any)
	acked["s1"] = seqOf(first["seq"])
	text[acked["s1"]] = "hello from A"
	agent.WaitMatch(procFrameWait, "chat.assigned "+cid, func(m map[string]any) bool {
		return m["type"] == "chat.assigned" && m["conversation"].(map[string]any)["id"] == cid
	})

	for _, id := range []string{"v1", "v2"} {
		v.Send(map[string]any{"type": "message", "id": id, "text": "text " + id})
		a, _ := v.Reply(id)
		if a["type"] != "message.ack" || a["conversation_id"] != cid {
			t.Fatalf("message %s: %v", id, a)
		}
		acked[id] = seqOf(a["seq"])
		text[acked[id]] = "text " + id
		agent.WaitMatch(procFrameWait, "message "+id, func(m map[string]any) bool { return m["type"] == "message" && m["text"] == "text "+id })
	}
	lastSeq := acked["v2"] // the last seq the visitor acted on

	agentSay := func(id string) {
		t.Helper()
		agent.Send(map[string]any{"type": "message", "id": id, "conversation_id": cid, "text": "text " + id})
		a, _ := agent.Reply(id)
		if a["type"] != "message.ack" {
			t.Fatalf("agent message %s: %v", id, a)
		}
		acked[id] = seqOf(a["seq"])
		text[acked[id]] = "text " + id
	}
	agentSay("a1") // after lastSeq: the visitor will be said to have missed it
	// The visitor's node must have pushed a1 (so the kill does not race with it).
	v.WaitMatch(procFrameWait, "message a1", func(m map[string]any) bool { return m["type"] == "message" && m["text"] == "text a1" })

	pc.kill(nodeA)
	agentSay("a2") // while the visitor is away

	t0 := time.Now()
	v2, w2 := pc.visitor(nodeC, map[string]any{"visitor_token": token, "last_seq": lastSeq})
	t.Logf("visitor resumed on %s %v after the kill", nodeC, time.Since(t0).Round(time.Millisecond))
	if w2["visitor_id"] != visitorID {
		t.Fatalf("resume welcome on %s: visitor_id %v, want %v (token %q)", nodeC, w2["visitor_id"], visitorID, token)
	}
	wc, _ := w2["conversation"].(map[string]any)
	if wc == nil || wc["id"] != cid || wc["state"] != "open" {
		t.Fatalf("resume welcome conversation %v, want %s open", wc, cid)
	}
	var got []string
	for _, x := range wc["messages"].([]any) {
		m := x.(map[string]any)
		got = append(got, fmt.Sprintf("%d:%v", seqOf(m["seq"]), m["text"]))
	}
	want := []string{fmt.Sprintf("%d:text a1", acked["a1"]), fmt.Sprintf("%d:text a2", acked["a2"])}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("resume welcome (last_seq %d) messages %v, want exactly %v", lastSeq, got, want)
	}

	// Resends of frames acked before the kill: the same seq, nothing stored or pushed.
	for _, id := range []string{"v1", "v2"} {
		v2.Send(map[string]any{"type": "message", "id": id, "text": "text " + id})
		a, _ := v2.Reply(id)
		if a["type"] != "message.ack" || seqOf(a["seq"]) != acked[id] {
			t.Fatalf("resent %s on %s: %v, want message.ack seq %d", id, nodeC, a, acked[id])
		}
	}
	v2.Send(map[string]any{"type": "message", "id": "v3", "text": "text v3"})
	a, _ := v2.Reply("v3")
	if a["type"] != "message.ack" || seqOf(a["seq"]) != acked["a2"]+1 {
		t.Fatalf("new message v3 on %s: %v, want message.ack seq %d", nodeC, a, acked["a2"]+1)
	}
	acked["v3"] = seqOf(a["seq"])
	text[acked["v3"]] = "text v3"
	// The agent gets v3, and no second copy of v1 or v2 before or after it.
	_, before := agent.WaitMatch(procFrameWait, "message v3", func(m map[string]any) bool { return m["type"] == "message" && m["text"] == "text v3" })
	for _, m := range append(before, agent.DrainUntilPong()...) {
		if m["type"] == "message" && (m["text"] == "text v1" || m["text"] == "text v2") {
			t.Fatalf("agent got a resent message a second time: %v", m)
		}
	}

	// The transcript, read through a surviving node, holds every acked message once.
	detail := pc.conversation(nodeB, cid)
	msgs := detail["messages"].([]any)
	seen := map[int64]int{}
	for _, x := range msgs {
		m := x.(map[string]any)
		s := seqOf(m["seq"])
		seen[s]++
		if want, ok := text[s]; ok && m["text"] != want {
			t.Errorf("transcript seq %d is %q, want %q", s, m["text"], want)
		}
	}
	for id, s := range acked {
		if seen[s] != 1 {
			t.Errorf("acked %s (seq %d) is %d times in the transcript", id, s, seen[s])
		}
	}
	if len(msgs) != len(acked) {
		t.Errorf("transcript has %d messages, want the %d acked: %v", len(msgs), len(acked), msgs)
	}
	pc.checkDurable(cid, text)
}

// TestClusterProcessKillAgentNode: the agent's only socket is on follower B, a
// visitor on follower A sees the site online; B is SIGKILLed. The leader stops
// counting B's sockets after node-ttl (plus up to a heartbeat of sweep), then the
// agent's disconnect grace runs out and the visitor is told no_agents.
func TestClusterProcessKillAgentNode(t *testing.T) { forEachStore(t, killAgentNode) }

func killAgentNode(t *testing.T, pc *procCluster) {
	lead := pc.leader(15 * time.Second)
	f := pc.followers(lead)
	nodeA, nodeB := f[0], f[1]
	t.Logf("leader %s; visitor on %s, agent on %s (to be killed)", lead, nodeA, nodeB)

	pc.agent(nodeB)
	v, w := pc.visitor(nodeA, nil)
	waitOnline(v, w)

	killed := pc.kill(nodeB)
	expected := clusterNodeTTL + clusterHeartbeat + clusterGrace
	const limit = 15 * time.Second
	m, skipped := v.WaitMatch(limit, "status offline", func(m map[string]any) bool {
		return m["type"] == "status" && statusOf(m)["online"] == false
	})
	took := time.Since(killed)
	t.Logf("visitor on %s got %v %v after SIGKILL of %s (node-ttl+heartbeat+grace = %v); skipped %v", nodeA, m, took.Round(time.Millisecond), nodeB, expected, skipped)
	if reason := statusOf(m)["reason"]; reason != "no_agents" {
		t.Fatalf("status %v: reason %v, want no_agents", m, reason)
	}
	// The node's last heartbeat may have come up to a heartbeat before the kill.
	if early := clusterNodeTTL - clusterHeartbeat + clusterGrace - 500*time.Millisecond; took < early {
		t.Errorf("offline after only %v: the agent must count for node-ttl - heartbeat + grace (%v)", took, early+500*time.Millisecond)
	}
	// And a chat started now goes to the offline form.
	v.Send(map[string]any{"type": "chat.start", "id": "s1", "text": "anyone?"})
	if r, _ := v.Reply("s1"); r["type"] != "chat.offline" || r["reason"] != "no_agents" {
		t.Fatalf("chat.start after the agent's node died: %v, want chat.offline no_agents", r)
	}
	pc.checkDurable("", nil) // no conversation: only what Redis holds
}

// TestClusterProcessKillLeader: the leader is SIGKILLed; a chat.start on a follower
// is retried with the same id while it is answered `unavailable`, and is routed once
// a new leader holds the lease; exactly one conversation exists.
func TestClusterProcessKillLeader(t *testing.T) { forEachStore(t, killLeader) }

func killLeader(t *testing.T, pc *procCluster) {
	lead := pc.leader(15 * time.Second)
	f := pc.followers(lead)
	nodeX, nodeY := f[0], f[1]
	t.Logf("leader %s (to be killed); agent on %s, visitor on %s", lead, nodeX, nodeY)

	agent, _ := pc.agent(nodeX)
	v, w := pc.visitor(nodeY, nil)
	waitOnline(v, w)

	killed := pc.kill(lead)
	const limit = clusterLeaseTTL + 10*time.Second // the slack covers a call timeout (3 s) and -race
	deadline := killed.Add(limit)
	var final map[string]any
	tries, unavailable := 0, 0
	for final == nil {
		if time.Now().After(deadline) {
			t.Fatalf("chat.start still unavailable %v after the leader's SIGKILL (%d tries)", limit, tries)
		}
		tries++
		v.Send(map[string]any{"type": "chat.start", "id": "s1", "text": "is anyone leading?"})
		r, _ := v.Reply("s1")
		switch {
		case r["type"] == "error" && r["code"] == "unavailable":
			unavailable++
			time.Sleep(250 * time.Millisecond) // poll; stays under the visitor rate limit
		case r["type"] == "chat.assigned" || r["type"] == "chat.queued":
			final = r
		default:
			t.Fatalf("chat.start try %d after the leader's SIGKILL: %v, want unavailable, chat.assigned or chat.queued", tries, r)
		}
	}
	took := time.Since(killed)
	newLead := pc.leader(5 * time.Second)
	t.Logf("chat.start routed (%v) %v after SIGKILL of leader %s; %d tries, %d unavailable; new leader %s",
		final["type"], took.Round(time.Millisecond), lead, tries, unavailable, newLead)
	cid := final["conversation"].(map[string]any)["id"].(string)

	// Once the new leader counts the agent's socket (its node's heartbeat), the chat
	// is the agent's: assigned at once, or from the queue.
	agent.WaitMatch(procFrameWait, "chat.assigned "+cid, func(m map[string]any) bool {
		return m["type"] == "chat.assigned" && m["conversation"].(map[string]any)["id"] == cid
	})
	if final["type"] == "chat.queued" {
		v.WaitMatch(procFrameWait, "chat.assigned from the queue", func(m map[string]any) bool { return m["type"] == "chat.assigned" })
	}
	// A resend now still gets the same conversation.
	v.Send(map[string]any{"type": "chat.start", "id": "s1", "text": "is anyone leading?"})
	if r, _ := v.Reply("s1"); r["type"] != "chat.assigned" || r["conversation"].(map[string]any)["id"] != cid {
		t.Fatalf("chat.start resent after routing: %v, want chat.assigned %s", r, cid)
	}

	convs := pc.conversations(nodeX)
	if len(convs) != 1 || convs[0].(map[string]any)["id"] != cid {
		t.Fatalf("conversations after the failover: %v, want only %s", convs, cid)
	}
	msgs := pc.conversation(nodeY, cid)["messages"].([]any)
	if len(msgs) != 1 || msgs[0].(map[string]any)["text"] != "is anyone leading?" {
		t.Fatalf("transcript %v, want the first message once", msgs)
	}
	pc.checkDurable(cid, map[int64]string{1: "is anyone leading?"})
}
