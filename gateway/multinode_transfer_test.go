package gateway

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// A transfer whose sender (node 1) and new agent (node 2) are on other nodes than
// the visitor (node 0), while the visitor writes on: the frames reach the right
// sockets, no message is lost or reaches the new agent twice.
func TestClusterTransferAcrossNodes(t *testing.T) {
	tc := newTestCluster(t, 3)
	n := tc.nodes
	d := newSalesSupport(t, n[0], n[1], n[2], n[0], n[0], 1, 5)
	v, conv := d.vs[0], d.convs[0]
	transferUnderLoad(t, v, d.samS, d.sidS, conv, d.sid.id, nil, func() []map[string]any {
		d.samS.send(map[string]any{"type": "chat.transfer", "id": "t", "conversation_id": conv, "to_agent_id": d.sid.id, "note": "over to you"})
		m, skipped := d.samS.Reply("t")
		if to, _ := m["to"].(map[string]any); m["type"] != "chat.transferred" || to["agent_id"] != d.sid.id {
			t.Errorf("Sam's answer on node 1: %v", m)
		}
		return skipped
	})
	// The new agent on node 2 answers; the visitor on node 0 gets it.
	d.sidS.send(map[string]any{"type": "message", "id": "a", "conversation_id": conv, "text": "Sid here"})
	if m, _ := d.sidS.Reply("a"); m["type"] != "message.ack" {
		t.Fatalf("Sid's message %v", m)
	}
	if m, _ := v.WaitMatch(frameWait, "Sid's message", func(m map[string]any) bool { return m["type"] == "message" && m["from"] == "agent" }); m["text"] != "Sid here" {
		t.Fatalf("visitor got %v", m)
	}
	d.samS.send(map[string]any{"type": "message", "id": "b", "conversation_id": conv, "text": "me?"})
	if m, _ := d.samS.Reply("b"); m["code"] != "not_found" {
		t.Fatalf("Sam's message after the transfer: %v", m)
	}
	if c := n[0].storedConv(conv); agentOf(c) != d.sid.id || c["state"] != "open" {
		t.Fatalf("stored %v", c)
	}
}

// stopNode stops node i as a shutdown would (its sockets closed) and forgets it.
func (tc *testCluster) stopNode(i int) {
	f := tc.nodes[i]
	f.http.CloseClientConnections()
	f.srv.Stop(0)
	f.http.Close()
	f.srv = nil
}

// The leader is stopped right as Sam asks for a transfer, while the visitor writes
// on: the transfer either happened or Sam is told it could not be made and asks
// again once a new leader runs; either way the conversation ends with exactly one
// agent, Sid, whom the store, Sid's socket and the visitor agree on, Sam is out of
// it, and no message is lost or delivered twice.
func TestClusterLeaderStoppedMidTransfer(t *testing.T) {
	tc := newTestCluster(t, 3)
	lead := tc.waitLeader()
	var fol []*fixture
	for i, f := range tc.nodes {
		if i != lead {
			fol = append(fol, f)
		}
	}
	d := newSalesSupport(t, fol[0], fol[0], fol[1], fol[0], fol[1], 1, 5)
	v, conv := d.vs[0], d.convs[0]
	answers := []string{}
	// Half the visitor's messages are written once the leader is gone, while a new
	// one takes over and the transfer is asked again.
	leaderGone := make(chan struct{})
	transferUnderLoad(t, v, d.samS, d.sidS, conv, d.sid.id, leaderGone, func() []map[string]any {
		var frames []map[string]any
		ask := func(id string) map[string]any {
			d.samS.send(map[string]any{"type": "chat.transfer", "id": id, "conversation_id": conv, "to_agent_id": d.sid.id})
			m, skipped := d.samS.Reply(id)
			frames = append(frames, skipped...)
			answers = append(answers, describe(m))
			return m
		}
		stopped := make(chan struct{})
		d.samS.send(map[string]any{"type": "chat.transfer", "id": "t0", "conversation_id": conv, "to_agent_id": d.sid.id})
		go func() { defer close(stopped); tc.stopNode(lead) }()
		m, skipped := d.samS.Reply("t0")
		frames = append(frames, skipped...)
		answers = append(answers, describe(m))
		<-stopped
		close(leaderGone)
		tc.waitLeader()
		// Refused while no leader ran: asked again, as a console would, until it is
		// done or Sam learns it was (not_found: no longer his).
		deadline := time.Now().Add(20 * time.Second)
		for i := 1; m["type"] == "error" && m["code"] == "unavailable"; i++ {
			if time.Now().After(deadline) {
				t.Errorf("the transfer was never made: %v", answers)
				return frames
			}
			m = ask("t" + itoa(i))
			if m["code"] == "unavailable" {
				time.Sleep(100 * time.Millisecond) // retry pacing, as the console's backoff
			}
		}
		switch {
		case m["type"] == "chat.transferred":
		case m["code"] == "not_found" && len(answers) > 1:
			// The first try went through on the old leader, its answer lost.
		default:
			t.Errorf("transfer answers %v", answers)
		}
		return frames
	})
	t.Logf("Sam's answers: %v", answers)
	if c := fol[0].storedConv(conv); agentOf(c) != d.sid.id || c["state"] != "open" {
		t.Fatalf("stored %v after answers %v", c, answers)
	}
	// The new leader holds it with Sid: Sid's end goes through, Sam's does not.
	d.samS.send(map[string]any{"type": "chat.end", "id": "e0", "conversation_id": conv})
	if m, _ := d.samS.Reply("e0"); m["code"] != "not_found" {
		t.Fatalf("Sam's chat.end after the transfer: %v", m)
	}
	d.sidS.send(map[string]any{"type": "chat.end", "id": "e1", "conversation_id": conv})
	if m, _ := d.sidS.Reply("e1"); m["type"] != "chat.ended" {
		t.Fatalf("Sid's chat.end: %v", m)
	}
	if m, _ := v.waitFor("chat.ended"); m["by"] != "agent" {
		t.Fatalf("visitor's chat.ended %v", m)
	}
}

// describe is a frame in a few words, for logs.
func describe(m map[string]any) string {
	if m["type"] == "error" {
		return "error " + m["code"].(string)
	}
	return m["type"].(string)
}

// loadN is how many messages the visitor writes during a transfer: within its
// burst (20) with the frames before them, so none is rate limited.
const loadN = 14

// transferUnderLoad has visitor v write loadN messages, each once the one before is
// acknowledged, while transfer (started after the third) hands conversation conv
// from the agent on socket from to the agent toID on socket to; transfer returns
// the frames of from it read, if any. With pause not nil, the visitor writes half
// of its messages, then waits for pause to close before the rest. Then: every
// acknowledged message reached the new agent exactly once, in the transcript of its
// chat.assigned or live, never both; the old agent got exactly those of the
// transcript, each once; the visitor got the system message and the new agent.
func transferUnderLoad(t *testing.T, v, from, to *wsClient, conv, toID string, pause <-chan struct{}, transfer func() []map[string]any) {
	t.Helper()
	third := make(chan struct{})
	type result struct {
		acked  []float64
		frames []map[string]any
		err    error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		defer func() { done <- r }()
		for i := 0; i < loadN; i++ {
			id := fmt.Sprintf("load%d", i)
			if r.err = v.TrySend(map[string]any{"type": "message", "id": id, "text": id}); r.err != nil {
				return
			}
			for {
				m, ok, err := v.NextWithin(frameWait)
				if !ok {
					r.err = fmt.Errorf("no answer to %s (%v)", id, err)
					return
				}
				r.frames = append(r.frames, m)
				if m["re"] == id {
					if m["type"] != "message.ack" || m["conversation_id"] != conv {
						r.err = fmt.Errorf("answer to %s: %v", id, m)
						return
					}
					r.acked = append(r.acked, m["seq"].(float64))
					break
				}
			}
			if i == 2 {
				close(third)
			}
			if i == loadN/2 && pause != nil {
				<-pause
			}
		}
	}()
	<-third
	fromFrames := transfer()
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	loadSeq := map[float64]bool{}
	for _, s := range r.acked {
		loadSeq[s] = true
	}
	// The new agent: its chat.assigned, and the live messages before and after it.
	live := map[float64]int{}
	countLive := func(ms []map[string]any) {
		for _, m := range ms {
			if m["type"] == "message" && m["conversation_id"] == conv && m["from"] == "visitor" {
				live[m["seq"].(float64)]++
			}
		}
	}
	a, before := to.WaitMatch(frameWait, "chat.assigned of "+conv, func(m map[string]any) bool {
		return m["type"] == "chat.assigned" && convOf(m)["id"] == conv
	})
	countLive(before)
	inTranscript := map[float64]bool{}
	for _, x := range convOf(a)["messages"].([]any) {
		if m := x.(map[string]any); m["from"] == "visitor" {
			inTranscript[m["seq"].(float64)] = true
		}
	}
	missing := func() int {
		n := 0
		for s := range loadSeq {
			if !inTranscript[s] && live[s] == 0 {
				n++
			}
		}
		return n
	}
	for missing() > 0 {
		m, _ := to.WaitMatch(frameWait, "the rest of the visitor's messages", func(m map[string]any) bool { return m["type"] == "message" })
		countLive([]map[string]any{m})
	}
	countLive(to.DrainUntilPong())
	for s, n := range live {
		if n > 1 || inTranscript[s] {
			t.Fatalf("seq %v reached the new agent %d times live, in the transcript too: %v", s, n, inTranscript[s])
		}
	}
	// The old agent: the messages of the transcript, each once, none after the step.
	old := map[float64]int{}
	got := 0
	for _, m := range fromFrames {
		if m["type"] == "message" && m["conversation_id"] == conv && loadSeq[m["seq"].(float64)] {
			old[m["seq"].(float64)]++
			got++
		}
	}
	wantOld := 0
	for s := range loadSeq {
		if inTranscript[s] {
			wantOld++
		}
	}
	for got < wantOld {
		m, _ := from.WaitMatch(frameWait, "the messages from before the step", func(m map[string]any) bool {
			return m["type"] == "message" && m["conversation_id"] == conv
		})
		if loadSeq[m["seq"].(float64)] {
			old[m["seq"].(float64)]++
			got++
		}
	}
	for _, m := range from.DrainUntilPong() {
		if m["type"] == "message" && m["conversation_id"] == conv {
			old[m["seq"].(float64)]++
		}
	}
	for s, n := range old {
		if n != 1 || !inTranscript[s] {
			t.Fatalf("seq %v reached the old agent %d times (in the new agent's transcript: %v)", s, n, inTranscript[s])
		}
	}
	// The visitor: one system message, then the new agent.
	rest := r.frames
	if !slices.ContainsFunc(rest, func(m map[string]any) bool { return m["type"] == "chat.assigned" }) {
		m, skipped := v.WaitMatch(frameWait, "the visitor's chat.assigned", func(m map[string]any) bool { return m["type"] == "chat.assigned" })
		rest = append(append(rest, skipped...), m)
	}
	rest = append(rest, v.DrainUntilPong()...)
	sys, assigned := 0, 0
	for _, m := range rest {
		switch {
		case m["type"] == "message" && m["from"] == "system":
			sys++
		case m["type"] == "chat.assigned":
			if assigned++; sys != 1 || agentOf(convOf(m)) != toID || convOf(m)["id"] != conv {
				t.Fatalf("visitor's chat.assigned %v after %d system messages", m, sys)
			}
		}
	}
	if sys != 1 || assigned != 1 {
		t.Fatalf("visitor got %d system messages and %d chat.assigned: %v", sys, assigned, rest)
	}
	t.Logf("%d messages: %d before the step, %d after", len(loadSeq), wantOld, len(live))
}

// Department hours in a cluster: Sales's closing reaches the visitors of every node
// once, at its instant; later welcomes, also those a node answers from its own view,
// show it, and a department created since is in the next welcome everywhere.
func TestClusterDepartmentBoundaryAndWelcomes(t *testing.T) {
	tc := newTestCluster(t, 3)
	f := tc.nodes[0]
	sam, sue := f.apiAgent("Sam", 5), f.apiAgent("Sue", 5)
	sales := f.apiDept(f.siteA.ID, map[string]any{"name": "Sales", "schedule": salesHours, "agents": []string{sam.id}})
	f.apiDept(f.siteA.ID, map[string]any{"name": "Support", "schedule": alwaysOpen, "agents": []string{sue.id}})
	tc.nodes[1].agentSocket(sam.token)
	tc.nodes[2].agentSocket(sue.token)
	tc.clock.Advance(15 * time.Second)
	reasons := func(w map[string]any) []any {
		var out []any
		for _, d := range w["departments"].([]any) {
			out = append(out, status(d.(map[string]any))["reason"])
		}
		return out
	}
	var vs []*wsClient
	for _, n := range tc.nodes {
		for k := 0; k < 2; k++ {
			v, w := n.visitor(f.siteA.ID, nil)
			if got := reasons(w); len(got) != 2 || got[0] != "open" || got[1] != "open" {
				t.Fatalf("welcome departments %v", w["departments"])
			}
			vs = append(vs, v)
		}
	}
	tc.clock.Set(salesClose.Add(-time.Second))
	for _, v := range vs {
		v.quiet()
	}
	tc.clock.Set(salesClose)
	for _, v := range vs {
		if m := v.expect("department.status"); m["department_id"] != sales || status(m)["reason"] != "outside_hours" {
			t.Fatalf("%s at 17:00: %v", v.Name, m)
		}
	}
	for _, v := range vs {
		v.quiet() // once, and the site's status did not change
	}
	for i, n := range tc.nodes {
		_, w := n.visitor(f.siteA.ID, nil)
		if got := reasons(w); len(got) != 2 || got[0] != "outside_hours" || got[1] != "open" || status(w)["online"] != true {
			t.Fatalf("welcome on node %d after 17:00: %v, status %v", i, w["departments"], status(w))
		}
	}
	// Each node hears of the edit through Redis after the API answered: the next
	// welcomes show Billing within the guard (a node's view would otherwise be
	// trusted until the fake clock reaches its next boundary, that is never here).
	f.apiDept(f.siteA.ID, map[string]any{"name": "Billing", "agents": []string{sue.id}})
	for i, n := range tc.nodes {
		deadline := time.Now().Add(frameWait)
		for {
			v, w := n.visitor(f.siteA.ID, nil)
			got := reasons(w)
			if len(got) == 3 && got[2] == "open" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("welcome on node %d after Billing was created: %v", i, w["departments"])
			}
			v.Conn.CloseNow()
			time.Sleep(5 * time.Millisecond) // the control message is on its way
		}
	}
}

// Hand-over at shift end in a cluster: Sam's chat moves from his socket on node 0
// to Xav's on node 1; the visitor on node 1 is told, and the store agrees.
func TestClusterHandoverAtShiftEnd(t *testing.T) {
	tc := newTestCluster(t, 2)
	f := tc.nodes[0]
	f.mustDo("PATCH", "/api/v1/sites/"+f.siteA.ID, f.tokens["admin"], map[string]any{"shift_end": "handover"}, 200)
	sam, xav := f.apiAgent("Sam", 5), f.apiAgent("Xav", 5)
	f.dailyShift(sam, "09:00", "11:00")
	sales := f.apiDept(f.siteA.ID, map[string]any{"name": "Sales", "agents": []string{sam.id, xav.id}})
	samS, _ := tc.nodes[0].agentSocket(sam.token)
	v, _ := tc.nodes[1].visitor(f.siteA.ID, nil)
	conv := assignedTo(t, start(v, "s", "hello", sales), sam.id, sales)
	xavS, _ := tc.nodes[1].agentSocket(xav.token)
	tc.clock.Set(time.Date(2026, 11, 23, 11, 0, 0, 0, time.UTC))
	m, _ := samS.waitFor("chat.transferred")
	if to, _ := m["to"].(map[string]any); m["conversation_id"] != conv || m["re"] != nil || to["agent_id"] != xav.id {
		t.Fatalf("Sam's chat.transferred %v", m)
	}
	handedTo(t, xavS, v, conv, xav, sales, sam, "", "Xav")
	if c := f.storedConv(conv); agentOf(c) != xav.id || c["state"] != "open" {
		t.Fatalf("stored %v", c)
	}
}
