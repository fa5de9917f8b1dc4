package gateway

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// salesSupport is site A with Sales (Sam, Sid) and Support (Sue), each console on
// the node given, and visitors on vNode whose chats Sam took while alone.
type salesSupport struct {
	sales, support   string
	sam, sid, sue    deskAgent
	samS, sidS, sueS *wsClient
	vs               []*wsClient
	vtokens          []string // their visitor tokens
	convs            []string // the visitors' conversations, open with Sam in Sales
}

// newSalesSupport makes it through api (node 0 of a cluster, or the one node): Sam
// connects alone on samNode and takes the chats of that many visitors, then Sid and Sue connect
// on theirs. Sue takes at most sueMax chats.
func newSalesSupport(t *testing.T, api, samNode, sidNode, sueNode, vNode *fixture, chats, sueMax int) *salesSupport {
	t.Helper()
	d := &salesSupport{sam: api.apiAgent("Sam", 5), sid: api.apiAgent("Sid", 5), sue: api.apiAgent("Sue", sueMax)}
	d.sales = api.apiDept(api.siteA.ID, map[string]any{"name": "Sales", "agents": []string{d.sam.id, d.sid.id}})
	d.support = api.apiDept(api.siteA.ID, map[string]any{"name": "Support", "agents": []string{d.sue.id}})
	d.samS, _ = samNode.agentSocket(d.sam.token)
	for i := 0; i < chats; i++ {
		v, w := vNode.visitor(api.siteA.ID, nil)
		d.vs = append(d.vs, v)
		d.vtokens = append(d.vtokens, w["visitor_token"].(string))
		d.convs = append(d.convs, assignedTo(t, start(v, "s", fmt.Sprintf("hello %d", i), d.sales), d.sam.id, d.sales))
		d.samS.WaitMatch(frameWait, "Sam's chat.assigned", func(m map[string]any) bool {
			return m["type"] == "chat.assigned" && convOf(m)["id"] == d.convs[i]
		})
	}
	d.sidS, _ = sidNode.agentSocket(d.sid.token)
	d.sueS, _ = sueNode.agentSocket(d.sue.token)
	return d
}

// transfer sends Sam's chat.transfer of conversation i with the fields and returns
// the answer to it.
func (d *salesSupport) transfer(id string, i int, fields map[string]any) map[string]any {
	d.samS.T.Helper()
	m := map[string]any{"type": "chat.transfer", "id": id, "conversation_id": d.convs[i]}
	for k, v := range fields {
		m[k] = v
	}
	d.samS.send(m)
	got, _ := d.samS.Reply(id)
	return got
}

// everyTransferConflict: each transfer the target cannot take, and each bad or
// unknown one, is refused with its code and field, and nothing changes.
func TestEveryTransferConflictChangesNothing(t *testing.T) {
	f := newFixture(t)
	d := newSalesSupport(t, f, f, f, f, f, 1, 5)
	// Sid takes a chat and is full; Ada is away, Otto off shift, Gus gone past his
	// grace; Night is closed, Solo has only Sam.
	f.mustDo("PATCH", "/api/v1/agents/"+d.sid.id, f.tokens["admin"], map[string]any{"max_chats": 1}, 200)
	busy, _ := f.visitor(f.siteA.ID, nil)
	assignedTo(t, start(busy, "s", "for Sid", d.sales), d.sid.id, d.sales)
	ada, otto, gus := f.apiAgent("Ada", 5), f.apiAgent("Otto", 5), f.apiAgent("Gus", 5)
	f.dailyShift(otto, "20:00", "21:00")
	f.mustDo("PATCH", "/api/v1/departments/"+d.sales, f.tokens["admin"], map[string]any{"agents": []string{d.sam.id, d.sid.id, ada.id, otto.id, gus.id}}, 200)
	night := f.apiDept(f.siteA.ID, map[string]any{"name": "Night", "schedule": nightHours, "agents": []string{d.sue.id}})
	solo := f.apiDept(f.siteA.ID, map[string]any{"name": "Solo", "agents": []string{d.sam.id}})
	elsewhere := f.apiDept(f.siteB.ID, map[string]any{"name": "Sales", "agents": []string{f.agentB.ID}})
	adaS, _ := f.agentSocket(ada.token)
	adaS.send(map[string]any{"type": "presence.set", "id": "p", "status": "away"})
	adaS.Reply("p")
	ottoS, _ := f.agentSocket(otto.token)
	gusS, _ := f.agentSocket(gus.token)
	gusS.Conn.CloseNow()
	f.waitSockets(5 + 2) // Sam, Sid, Sue, Ada, Otto; the two visitors: the desk saw Gus go
	f.clock.Advance(16 * time.Second)
	others := []*wsClient{d.sidS, d.sueS, adaS, ottoS, d.vs[0], busy}
	drain(append(others, d.samS)...)

	long := strings.Repeat("é", 1001)
	cases := []struct {
		name        string
		fields      map[string]any
		code, field string
		says        string // in the message
	}{
		{"to the sender", map[string]any{"to_agent_id": d.sam.id}, "conflict", "", ""},
		{"not serving the site", map[string]any{"to_agent_id": f.agentB.ID}, "conflict", "", "serve"},
		{"not in the department", map[string]any{"to_agent_id": d.sue.id}, "conflict", "", "Sales"},
		{"away", map[string]any{"to_agent_id": ada.id}, "conflict", "", "available"},
		{"off shift", map[string]any{"to_agent_id": otto.id}, "conflict", "", "available"},
		{"no socket past the grace", map[string]any{"to_agent_id": gus.id}, "conflict", "", "available"},
		{"at max_chats", map[string]any{"to_agent_id": d.sid.id}, "conflict", "", ""},
		{"department offline", map[string]any{"to_department_id": night}, "conflict", "", "outside_hours"},
		{"only the sender available", map[string]any{"to_department_id": solo}, "conflict", "", ""},
		{"unknown agent", map[string]any{"to_agent_id": "nobody"}, "not_found", "to_agent_id", ""},
		{"unknown department", map[string]any{"to_department_id": "nothing"}, "not_found", "to_department_id", ""},
		{"another site's department", map[string]any{"to_department_id": elsewhere}, "not_found", "to_department_id", ""},
		{"both targets", map[string]any{"to_agent_id": d.sid.id, "to_department_id": d.support}, "bad_request", "to_department_id", ""},
		{"no target", map[string]any{}, "bad_request", "to_agent_id", ""},
		{"note too long", map[string]any{"to_department_id": d.support, "note": long}, "bad_request", "note", ""},
	}
	for i, c := range cases {
		id := fmt.Sprintf("t%d", i)
		m := d.transfer(id, 0, c.fields)
		msg, _ := m["message"].(string)
		if m["type"] != "error" || m["code"] != c.code || (m["field"] != nil && m["field"] != c.field) || (c.field != "" && m["field"] != c.field) ||
			!strings.Contains(msg, c.says) || msg == "" {
			t.Fatalf("%s: %v, want %s (field %q)", c.name, m, c.code, c.field)
		}
		f.unchangedWith(t, d.convs[0], d.sam.id, d.sales)
		silent(t, append(others, d.samS)...)
	}
	// Not the sender's conversation (Sid's, or none): not_found, also for Sam's own
	// when someone else asks.
	for _, who := range []*wsClient{d.sidS, d.sueS} {
		who.send(map[string]any{"type": "chat.transfer", "id": "x", "conversation_id": d.convs[0], "to_department_id": d.support})
		if m, _ := who.Reply("x"); m["code"] != "not_found" || m["field"] != "conversation_id" {
			t.Fatalf("%s transferring Sam's chat: %v", who.Name, m)
		}
	}
	d.samS.send(map[string]any{"type": "chat.transfer", "id": "y", "conversation_id": "no-such-chat", "to_department_id": d.support})
	if m, _ := d.samS.Reply("y"); m["code"] != "not_found" || m["field"] != "conversation_id" {
		t.Fatalf("unknown conversation: %v", m)
	}
	f.unchangedWith(t, d.convs[0], d.sam.id, d.sales)
	silent(t, append(others, d.samS)...)
	// Sam still has the chat: its messages go through.
	d.samS.send(map[string]any{"type": "message", "id": "m", "conversation_id": d.convs[0], "text": "still me"})
	if m, _ := d.samS.Reply("m"); m["type"] != "message.ack" {
		t.Fatalf("Sam's message after the refusals: %v", m)
	}
}

// unchangedWith fails unless the conversation is open with agent in dept, as stored.
func (f *fixture) unchangedWith(t *testing.T, conv, agent, dept string) {
	t.Helper()
	if c := f.storedConv(conv); c["state"] != "open" || agentOf(c) != agent || c["department_id"] != dept {
		t.Fatalf("conversation after a refused transfer: %v", c)
	}
}

// handedTo checks what a successful transfer of conv to agent (name) in dept told
// the new agent (its chat.assigned with the transcript, the system message last,
// and the transfer) and the visitor (the system message, then chat.assigned).
func handedTo(t *testing.T, to, v *wsClient, conv string, agent deskAgent, dept string, from deskAgent, note, label string) map[string]any {
	t.Helper()
	m, _ := to.WaitMatch(frameWait, "chat.assigned of "+conv, func(m map[string]any) bool {
		return m["type"] == "chat.assigned" && convOf(m)["id"] == conv
	})
	c := convOf(m)
	msgs := c["messages"].([]any)
	last := msgs[len(msgs)-1].(map[string]any)
	tr, _ := m["transfer"].(map[string]any)
	fa, _ := tr["from_agent"].(map[string]any)
	if got, _ := c["department_id"].(string); agentOf(c) != agent.id || got != dept || c["state"] != "open" || last["from"] != "system" || last["text"] != "Transferred to "+label+"." ||
		fa["id"] != from.id || fa["name"] != from.name || tr["note"] != note || m["visitor"] == nil {
		t.Fatalf("%s's chat.assigned %v", agent.name, m)
	}
	sys, _ := v.WaitMatch(frameWait, "the system message", func(m map[string]any) bool { return m["type"] == "message" && m["from"] == "system" })
	if sys["conversation_id"] != conv || sys["text"] != last["text"] || sys["seq"] != last["seq"] {
		t.Fatalf("visitor's system message %v, the transcript's %v", sys, last)
	}
	va := v.expect("chat.assigned")
	if vc := convOf(va); vc["id"] != conv || agentOf(vc) != agent.id || va["transfer"] != nil || va["visitor"] != nil {
		t.Fatalf("visitor's chat.assigned %v", va)
	}
	return m
}

// A transfer to an agent: the sender is told, the new agent gets the transcript and
// the note, the visitor a system message and the new agent, with the same
// conversation; the sender can no longer write, and messages go to the new agent.
func TestTransferToAnAgent(t *testing.T) {
	f := newFixture(t)
	d := newSalesSupport(t, f, f, f, f, f, 1, 5)
	v, conv := d.vs[0], d.convs[0]
	d.samS.send(map[string]any{"type": "message", "id": "a1", "conversation_id": conv, "text": "Let me get Sid"})
	ack, _ := d.samS.Reply("a1")
	drain(d.samS, d.sidS, d.sueS, v)
	m := d.transfer("t1", 0, map[string]any{"to_agent_id": d.sid.id, "note": "wants a discount"})
	if to, _ := m["to"].(map[string]any); m["type"] != "chat.transferred" || m["conversation_id"] != conv || to["agent_id"] != d.sid.id || to["agent_name"] != "Sid" {
		t.Fatalf("Sam's answer %v", m)
	}
	a := handedTo(t, d.sidS, v, conv, d.sid, d.sales, d.sam, "wants a discount", "Sid")
	if n := len(convOf(a)["messages"].([]any)); n != 3 {
		t.Fatalf("transcript of %d messages, want the start, Sam's and the system one: %v", n, a)
	}
	silent(t, d.sueS)
	// Sam is out of it; a resend of what Sam wrote before is still acknowledged.
	for _, fr := range []map[string]any{
		{"type": "message", "id": "a2", "conversation_id": conv, "text": "me again"},
		{"type": "chat.end", "id": "e1", "conversation_id": conv},
		{"type": "chat.transfer", "id": "t2", "conversation_id": conv, "to_agent_id": d.sid.id},
	} {
		d.samS.send(fr)
		if got, _ := d.samS.Reply(fr["id"].(string)); got["code"] != "not_found" || got["field"] != "conversation_id" {
			t.Fatalf("Sam's %s after the transfer: %v", fr["type"], got)
		}
	}
	d.samS.send(map[string]any{"type": "message", "id": "a1", "conversation_id": conv, "text": "Let me get Sid"})
	if got, _ := d.samS.Reply("a1"); got["type"] != "message.ack" || got["seq"] != ack["seq"] {
		t.Fatalf("resend of a message from before the transfer: %v, first ack %v", got, ack)
	}
	v.send(map[string]any{"type": "message", "id": "v1", "text": "hi Sid"})
	if got, _ := v.Reply("v1"); got["conversation_id"] != conv {
		t.Fatalf("visitor's ack %v", got)
	}
	if got, _ := d.sidS.waitFor("message"); got["text"] != "hi Sid" {
		t.Fatalf("Sid got %v", got)
	}
	silent(t, d.samS, d.sueS)
	if c := f.storedConv(conv); agentOf(c) != d.sid.id || c["state"] != "open" {
		t.Fatalf("stored %v", c)
	}
}

// A transfer to a department: assigned to its free agent, or queued at its end when
// all are full and assigned with the note once one frees; the API transfers as the
// socket does, and refuses a queued conversation.
func TestTransferToADepartmentAndThroughTheAPI(t *testing.T) {
	f := newFixture(t)
	d := newSalesSupport(t, f, f, f, f, f, 3, 1)
	drain(d.samS, d.sidS, d.sueS)
	m := d.transfer("t1", 0, map[string]any{"to_department_id": d.support, "note": "billing question"})
	if to, _ := m["to"].(map[string]any); to["department_id"] != d.support || to["agent_id"] != d.sue.id || to["agent_name"] != "Sue" {
		t.Fatalf("Sam's answer %v", m)
	}
	handedTo(t, d.sueS, d.vs[0], d.convs[0], d.sue, d.support, d.sam, "billing question", "Support")

	// Sue is full: the next one waits in Support's queue.
	m = d.transfer("t2", 1, map[string]any{"to_department_id": d.support})
	if to, _ := m["to"].(map[string]any); to["department_id"] != d.support || to["agent_id"] != nil {
		t.Fatalf("Sam's answer for a queued transfer %v", m)
	}
	if sys, _ := d.vs[1].waitFor("message"); sys["from"] != "system" || sys["text"] != "Transferred to Support." {
		t.Fatalf("visitor's system message %v", sys)
	}
	if qp := d.vs[1].expect("queue.position"); qp["conversation_id"] != d.convs[1] || qp["position"] != 1.0 {
		t.Fatalf("visitor's queue.position %v", qp)
	}
	if q, _ := d.sueS.waitFor("queue"); q["department_id"] != d.support || q["length"] != 1.0 {
		t.Fatalf("Support's queue %v", q)
	}
	if c := f.storedConv(d.convs[1]); c["state"] != "queued" || c["department_id"] != d.support || c["agent"] != nil {
		t.Fatalf("stored while queued %v", c)
	}
	r := f.mustDo("POST", "/api/v1/conversations/"+d.convs[1]+"/transfer", f.tokens["admin"], map[string]any{"to_agent_id": d.sid.id}, 409)
	if code, _ := r.errField(t); code != "conflict" {
		t.Fatalf("API transfer of a queued chat: %s", r.Body)
	}
	d.sueS.send(map[string]any{"type": "chat.end", "id": "e", "conversation_id": d.convs[0]})
	if a, _ := d.vs[1].waitFor("chat.assigned"); agentOf(convOf(a)) != d.sue.id {
		t.Fatalf("visitor assigned from Support's queue: %v", a)
	}
	if a, _ := d.sueS.waitFor("chat.assigned"); convOf(a)["id"] != d.convs[1] || a["transfer"].(map[string]any)["note"] != "" ||
		a["transfer"].(map[string]any)["from_agent"].(map[string]any)["id"] != d.sam.id {
		t.Fatalf("Sue's chat.assigned from the queue %v", a)
	}

	// Through the API (owner): the same checks, then the same hand-over.
	base := "/api/v1/conversations/" + d.convs[2] + "/transfer"
	for _, c := range []struct {
		body  map[string]any
		code  int
		field string
	}{
		{map[string]any{"to_agent_id": d.sid.id, "to_department_id": d.sales}, 400, "to_department_id"},
		{map[string]any{"to_agent_id": d.sid.id, "note": strings.Repeat("x", 1001)}, 400, "note"},
		{map[string]any{"to_agent_id": "nobody"}, 404, "to_agent_id"},
		{map[string]any{"to_agent_id": d.sam.id}, 409, ""},
		{map[string]any{"to_agent_id": d.sue.id}, 409, ""},
	} {
		r := f.mustDo("POST", base, f.tokens["owner"], c.body, c.code)
		if _, field := r.errField(t); field != c.field {
			t.Fatalf("%v: %s", c.body, r.Body)
		}
		f.unchangedWith(t, d.convs[2], d.sam.id, d.sales)
	}
	f.mustDo("POST", base, f.tokens["agentA"], map[string]any{"to_agent_id": d.sid.id}, 403)
	drain(d.samS, d.vs[2])
	body := f.mustDo("POST", base, f.tokens["owner"], map[string]any{"to_agent_id": d.sid.id, "note": "from the boss"}, 200).json(t)
	if to, _ := body["to"].(map[string]any); body["conversation_id"] != d.convs[2] || to["agent_id"] != d.sid.id {
		t.Fatalf("API answer %v", body)
	}
	if m, _ := d.samS.waitFor("chat.transferred"); m["re"] != nil || m["conversation_id"] != d.convs[2] {
		t.Fatalf("Sam told of the API transfer: %v", m)
	}
	handedTo(t, d.sidS, d.vs[2], d.convs[2], d.sid, d.sales, d.sam, "from the boss", "Sid")
}

// The visitor writes on while Sam hands the chat to Sid: no message is lost, none
// reaches Sid twice, and Sam saw only those stored before the step.
func TestTransferWithMessagesInFlight(t *testing.T) {
	f := newFixture(t)
	d := newSalesSupport(t, f, f, f, f, f, 1, 5)
	drain(d.samS, d.sidS, d.sueS, d.vs[0])
	transferUnderLoad(t, d.vs[0], d.samS, d.sidS, d.convs[0], d.sid.id, nil, func() []map[string]any {
		d.samS.send(map[string]any{"type": "chat.transfer", "id": "t", "conversation_id": d.convs[0], "to_agent_id": d.sid.id})
		return nil
	})
	silent(t, d.sueS)
}

// A site without departments transfers to an agent as well (the conversation keeps
// no department) and has no department to transfer to; a transfer to the sender's
// own department goes to someone else there, every tab of the sender is told, and a
// reconnecting visitor and new agent find the conversation where it went.
func TestTransferWithoutDepartmentsAndWithinOne(t *testing.T) {
	f := newFixture(t)
	bea := f.apiAgentOf(f.siteB.ID, "Bea", 5)
	b, _ := f.agentSocket(f.tokens["agentB"])
	vb, _ := f.visitor(f.siteB.ID, nil)
	m := start(vb, "s", "plain site", "")
	conv := convOf(m)["id"].(string)
	if _, has := convOf(m)["department_id"]; has || agentOf(convOf(m)) != f.agentB.ID {
		t.Fatalf("start on a site without departments: %v", m)
	}
	beaS, _ := f.agentSocket(bea.token)
	drain(b, beaS)
	b.send(map[string]any{"type": "chat.transfer", "id": "d", "conversation_id": conv, "to_department_id": "any"})
	if m, _ := b.Reply("d"); m["code"] != "not_found" || m["field"] != "to_department_id" {
		t.Fatalf("a department on a site without any: %v", m)
	}
	silent(t, beaS, vb)
	b.send(map[string]any{"type": "chat.transfer", "id": "a", "conversation_id": conv, "to_agent_id": bea.id})
	if m, _ := b.Reply("a"); m["type"] != "chat.transferred" {
		t.Fatalf("transfer on a site without departments: %v", m)
	}
	from := deskAgent{id: f.agentB.ID, name: f.agentB.Name}
	a := handedTo(t, beaS, vb, conv, bea, "", from, "", "Bea")
	if _, has := convOf(a)["department_id"]; has {
		t.Fatalf("a conversation without a department got one: %v", a)
	}

	d := newSalesSupport(t, f, f, f, f, f, 1, 5)
	tab2, _ := f.agentSocket(d.sam.token)
	drain(d.samS, tab2, d.sidS, d.sueS, d.vs[0])
	m = d.transfer("t", 0, map[string]any{"to_department_id": d.sales})
	if to, _ := m["to"].(map[string]any); to["department_id"] != d.sales || to["agent_id"] != d.sid.id {
		t.Fatalf("to the sender's own department: %v", m)
	}
	if m, _ := tab2.waitFor("chat.transferred"); m["re"] != "t" || m["conversation_id"] != d.convs[0] {
		t.Fatalf("Sam's other tab: %v", m)
	}
	handedTo(t, d.sidS, d.vs[0], d.convs[0], d.sid, d.sales, d.sam, "", "Sales")
	silent(t, d.sueS)
	// Where a reconnect finds it.
	_, w := f.visitor(f.siteA.ID, map[string]any{"visitor_token": d.vtokens[0]})
	wc, _ := w["conversation"].(map[string]any)
	msgs, _ := wc["messages"].([]any)
	if wc["id"] != d.convs[0] || agentOf(wc) != d.sid.id || len(msgs) == 0 || msgs[len(msgs)-1].(map[string]any)["from"] != "system" {
		t.Fatalf("visitor's welcome after the transfer: %v", w)
	}
	_, sw := f.agentSocket(d.sid.token)
	found := false
	for _, x := range sw["conversations"].([]any) {
		found = found || convOf(x.(map[string]any))["id"] == d.convs[0]
	}
	if !found {
		t.Fatalf("Sid's welcome lacks the conversation: %v", sw)
	}
	_, ow := f.agentSocket(d.sam.token)
	if cs, _ := ow["conversations"].([]any); len(cs) != 0 {
		t.Fatalf("Sam's welcome still has %v", cs)
	}
}

// A chat a transfer queued waits from the transfer: missed after the site's
// queue_timeout_seconds counted from then, with its department named.
func TestTransferQueuedWaitsFromTheTransfer(t *testing.T) {
	f := newFixture(t)
	f.mustDo("PATCH", "/api/v1/sites/"+f.siteA.ID, f.tokens["admin"], map[string]any{"queue_timeout_seconds": 60}, 200)
	d := newSalesSupport(t, f, f, f, f, f, 2, 1)
	if m := d.transfer("t0", 0, map[string]any{"to_department_id": d.support}); m["type"] != "chat.transferred" {
		t.Fatalf("first transfer %v", m)
	}
	f.clock.Advance(30 * time.Second)
	if m := d.transfer("t1", 1, map[string]any{"to_department_id": d.support}); m["type"] != "chat.transferred" || m["to"].(map[string]any)["agent_id"] != nil {
		t.Fatalf("second transfer %v", m)
	}
	v := d.vs[1]
	v.waitFor("queue.position")
	f.clock.Advance(59 * time.Second)
	silent(t, v)
	f.clock.Advance(time.Second)
	m := v.expect("chat.offline")
	if m["conversation_id"] != d.convs[1] || m["department_id"] != d.support || m["reason"] != "queue_timeout" {
		t.Fatalf("missed after the transfer: %v", m)
	}
	if c := f.storedConv(d.convs[1]); c["state"] != "missed" || c["department_id"] != d.support {
		t.Fatalf("stored %v", c)
	}
}

// A visitor ends the chat right as Sam transfers it, many times: whichever step
// comes first wins, and every side agrees on which (Sam's answer, Sue's frames, the
// store).
func TestTransferRacesTheVisitorsEnd(t *testing.T) {
	f := newFixture(t)
	sam, sue := f.apiAgent("Sam", 5), f.apiAgent("Sue", 100)
	sales := f.apiDept(f.siteA.ID, map[string]any{"name": "Sales", "agents": []string{sam.id}})
	support := f.apiDept(f.siteA.ID, map[string]any{"name": "Support", "agents": []string{sue.id}})
	socks := f.agentsOnline(sam, sue)
	samS, sueS := socks[0], socks[1]
	won := map[string]int{}
	for round := 0; round < 12; round++ {
		v, _ := f.visitor(f.siteA.ID, nil)
		conv := assignedTo(t, start(v, "s", "hi", sales), sam.id, sales)
		drain(samS, sueS)
		done := make(chan struct{})
		go func() { defer close(done); _ = v.TrySend(map[string]any{"type": "chat.end", "id": "e"}) }()
		samS.send(map[string]any{"type": "chat.transfer", "id": "t", "conversation_id": conv, "to_department_id": support})
		<-done
		m, _ := samS.Reply("t")
		v.WaitMatch(frameWait, "the visitor's chat.ended", func(m map[string]any) bool { return m["re"] == "e" })
		c := f.storedConv(conv)
		of := func(typ string) func(map[string]any) bool {
			return func(m map[string]any) bool {
				return m["type"] == typ && (m["conversation_id"] == conv || convOf(m)["id"] == conv)
			}
		}
		switch {
		case m["type"] == "chat.transferred":
			won["transfer"]++
			// The desk queues Sue's frames after Sam's and the visitor's: wait for them.
			_, before := sueS.WaitMatch(frameWait, "Sue's chat.assigned", of("chat.assigned"))
			_, between := sueS.WaitMatch(frameWait, "Sue's chat.ended", of("chat.ended"))
			if len(before)+len(between) > 0 || agentOf(c) != sue.id {
				t.Fatalf("round %d: transferred, then Sue got %v and %v; stored %v", round, before, between, c)
			}
		case m["code"] == "not_found":
			won["end"]++
			if got := sueS.DrainUntilPong(); len(got) != 0 || agentOf(c) != sam.id {
				t.Fatalf("round %d: ended first, yet Sue got %v; stored %v", round, got, c)
			}
		default:
			t.Fatalf("round %d: Sam's answer %v", round, m)
		}
		if c["state"] != "ended" || c["ended_by"] != "visitor" {
			t.Fatalf("round %d: stored %v", round, c)
		}
		drain(samS)
		v.Conn.CloseNow()
	}
	t.Logf("won: %v", won)
}
