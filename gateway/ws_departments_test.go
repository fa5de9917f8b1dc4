package gateway

import (
	"context"
	"strings"
	"testing"
	"time"
)

// The department tests run on site A with departments made through the API, so the
// desk (on any node of a cluster) knows them. The site's own hours are its default,
// always open; each department has its own.
var (
	// salesHours: Monday 08:00-17:00 Paris, 07:00-16:00 UTC on the fixture's Monday.
	salesHours = map[string]any{"enabled": true, "timezone": "Europe/Paris",
		"weekly": map[string]any{"mon": []any{map[string]string{"from": "08:00", "to": "17:00"}}}}
	salesClose = time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC)
	alwaysOpen = map[string]any{"enabled": false}
	// nightHours: Monday 22:00-23:00 Paris, closed while the tests run.
	nightHours = map[string]any{"enabled": true, "timezone": "Europe/Paris",
		"weekly": map[string]any{"mon": []any{map[string]string{"from": "22:00", "to": "23:00"}}}}
)

// deskAgent is an agent made through the API, with its token.
type deskAgent struct{ id, name, token string }

// apiAgent creates an agent serving site A through the API (the desk is told, on
// any node), never idle, with maxChats.
func (f *fixture) apiAgent(name string, maxChats int) deskAgent {
	f.t.Helper()
	return f.apiAgentOf(f.siteA.ID, name, maxChats)
}

// apiAgentOf is apiAgent for an agent serving siteID.
func (f *fixture) apiAgentOf(siteID, name string, maxChats int) deskAgent {
	f.t.Helper()
	r := f.mustDo("POST", "/api/v1/agents", f.tokens["admin"], map[string]any{"email": strings.ToLower(f.uniq(name)) + "@example.com",
		"name": name, "password": testPassword, "sites": []string{siteID}, "max_chats": maxChats, "idle_minutes": 0}, 201)
	id, _ := r.json(f.t)["id"].(string)
	a, err := f.store.GetAgent(context.Background(), id)
	if err != nil {
		f.t.Fatal(err)
	}
	return deskAgent{id: id, name: name, token: f.token(a)}
}

// dailyShift gives the agent its own shift, from-to UTC every day.
func (f *fixture) dailyShift(a deskAgent, from, to string) {
	f.t.Helper()
	daily := map[string]any{}
	for _, day := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		daily[day] = []any{map[string]string{"from": from, "to": to}}
	}
	f.mustDo("PUT", "/api/v1/agents/"+a.id+"/schedule", f.tokens["admin"], map[string]any{"enabled": true, "timezone": "UTC", "weekly": daily}, 200)
}

// apiDept creates a department of the site through the API and returns its id.
func (f *fixture) apiDept(siteID string, body map[string]any) string {
	f.t.Helper()
	return decodeDepartment(f.t, f.mustDo("POST", "/api/v1/sites/"+siteID+"/departments", f.tokens["admin"], body, 201)).ID
}

// agentsOnline connects each agent's console, lets the start-up grace of the others
// run out and drains what the sockets got so far (single node: the pong comes after
// every frame queued before it).
func (f *fixture) agentsOnline(agents ...deskAgent) []*wsClient {
	f.t.Helper()
	var socks []*wsClient
	for _, a := range agents {
		s, _ := f.agentSocket(a.token)
		socks = append(socks, s)
	}
	f.clock.Advance(15 * time.Second)
	drain(socks...)
	return socks
}

// drain takes every frame the sockets hold now.
func drain(socks ...*wsClient) {
	for _, s := range socks {
		s.DrainUntilPong()
	}
}

// silent fails the test if any of the sockets holds a frame now.
func silent(t *testing.T, socks ...*wsClient) {
	t.Helper()
	for _, s := range socks {
		if got := s.DrainUntilPong(); len(got) > 0 {
			t.Fatalf("%s got %v, want nothing", s.Name, got)
		}
	}
}

// convOf is the conversation object of a frame.
func convOf(m map[string]any) map[string]any {
	c, _ := m["conversation"].(map[string]any)
	return c
}

// agentOf is the id of the agent of a conversation object ("" for none).
func agentOf(c map[string]any) string {
	a, _ := c["agent"].(map[string]any)
	id, _ := a["id"].(string)
	return id
}

// start sends chat.start (dept "" for none) and returns the answer.
func start(v *wsClient, id, text, dept string) map[string]any {
	v.T.Helper()
	f := map[string]any{"type": "chat.start", "id": id, "text": text}
	if dept != "" {
		f["department_id"] = dept
	}
	v.send(f)
	m, _ := v.Reply(id)
	return m
}

// assignedTo fails unless m is a chat.assigned to agent in department dept, and
// returns the conversation's id.
func assignedTo(t *testing.T, m map[string]any, agent, dept string) string {
	t.Helper()
	c := convOf(m)
	if m["type"] != "chat.assigned" || agentOf(c) != agent || c["department_id"] != dept {
		t.Fatalf("want chat.assigned to %s in %s, got %v", agent, dept, m)
	}
	return c["id"].(string)
}

// storedConv is the conversation as GET /conversations/{id} answers it.
func (f *fixture) storedConv(id string) map[string]any {
	f.t.Helper()
	return f.mustDo("GET", "/api/v1/conversations/"+id, f.tokens["admin"], nil, 200).json(f.t)
}

func (f *fixture) countConvs(siteID string) int {
	f.t.Helper()
	return len(f.mustDo("GET", "/api/v1/conversations?site="+siteID, f.tokens["admin"], nil, 200).json(f.t)["conversations"].([]any))
}

// Sales closes at 17:00 Paris on its own hours while Support stays open: a start at
// 16:59:59 is routed in Sales, one at 17:00 is offline with Sales's reason while
// Support still routes; visitors are told at the instant and the site stays online.
func TestDepartmentRoutingAtTheBoundary(t *testing.T) {
	f := newFixture(t)
	sam, sue := f.apiAgent("Sam", 5), f.apiAgent("Sue", 5)
	sales := f.apiDept(f.siteA.ID, map[string]any{"name": "Sales", "schedule": salesHours, "agents": []string{sam.id}})
	support := f.apiDept(f.siteA.ID, map[string]any{"name": "Support", "schedule": alwaysOpen, "agents": []string{sue.id}})
	elsewhere := f.apiDept(f.siteB.ID, map[string]any{"name": "Sales", "agents": []string{f.agentB.ID}})
	socks := f.agentsOnline(sam, sue)
	samS, sueS := socks[0], socks[1]

	v1, w := f.visitor(f.siteA.ID, nil)
	v2, _ := f.visitor(f.siteA.ID, nil)
	watcher, _ := f.visitor(f.siteA.ID, nil)
	depts, _ := w["departments"].([]any)
	if len(depts) != 2 {
		t.Fatalf("welcome departments %v", w["departments"])
	}
	for i, want := range []string{"Sales", "Support"} {
		d := depts[i].(map[string]any)
		if d["name"] != want || status(d)["online"] != true {
			t.Fatalf("welcome department %d: %v", i, d)
		}
	}

	f.clock.Set(salesClose.Add(-time.Second))
	silent(t, v1, v2, watcher)
	assignedTo(t, start(v1, "s1", "price?", sales), sam.id, sales)
	// No department chosen: the first online one in position order, Sales.
	assignedTo(t, start(v2, "s2", "hello", ""), sam.id, sales)
	for i := 0; i < 2; i++ {
		if m, _ := samS.waitFor("chat.assigned"); convOf(m)["department_id"] != sales {
			t.Fatalf("Sam's chat.assigned %v", m)
		}
	}
	silent(t, sueS)

	f.clock.Set(salesClose)
	for _, c := range []*wsClient{v1, v2, watcher, samS, sueS} {
		m := c.expect("department.status")
		if st := status(m); m["department_id"] != sales || st["online"] != false || st["reason"] != "outside_hours" || st["opens_at"] != "2026-11-30T07:00:00Z" {
			t.Fatalf("%s at 17:00: %v", c.Name, m)
		}
	}
	silent(t, v1, v2, watcher, samS, sueS) // no status, no site.status: the site stays online
	if st := f.mustDo("GET", "/api/v1/sites/"+f.siteA.ID+"/status", f.tokens["admin"], nil, 200).json(t); st["online"] != true || st["reason"] != "open" {
		t.Fatalf("site status at 17:00: %v", st)
	}

	off := start(watcher, "s3", "still open?", sales)
	if off["type"] != "chat.offline" || off["department_id"] != sales || off["reason"] != "outside_hours" ||
		off["prefill"].(map[string]any)["text"] != "still open?" || off["offline_form"] == nil {
		t.Fatalf("start in Sales at 17:00: %v", off)
	}
	assignedTo(t, start(watcher, "s4", "support then", support), sue.id, support)
	v3, _ := f.visitor(f.siteA.ID, nil)
	assignedTo(t, start(v3, "s5", "anyone", ""), sue.id, support) // Sales is offline now
	for i := 0; i < 2; i++ {
		sueS.waitFor("chat.assigned")
	}
	// A department of another site, or none at all: not_found, nothing stored.
	before := f.countConvs(f.siteA.ID)
	v4, _ := f.visitor(f.siteA.ID, nil)
	for _, id := range []string{elsewhere, "nope"} {
		if m := start(v4, "bad-"+id, "hi", id); m["type"] != "error" || m["code"] != "not_found" || m["field"] != "department_id" {
			t.Fatalf("department %s: %v", id, m)
		}
	}
	if n := f.countConvs(f.siteA.ID); n != before || before != 4 {
		t.Fatalf("%d conversations after the refused starts, %d before, want 4", n, before)
	}
	silent(t, samS, sueS)
}

// Each department queues on its own, FIFO: a full Sales queues while Support, free,
// assigns; queue frames name the department; the capacity Sales frees goes to Sales's
// head, never to Support's free agent.
func TestDepartmentQueuesAreFIFOAndIndependent(t *testing.T) {
	f := newFixture(t)
	f.mustDo("PATCH", "/api/v1/sites/"+f.siteA.ID, f.tokens["admin"], map[string]any{"queue_timeout_seconds": 86400}, 200)
	sam, sue := f.apiAgent("Sam", 1), f.apiAgent("Sue", 3)
	sales := f.apiDept(f.siteA.ID, map[string]any{"name": "Sales", "agents": []string{sam.id}})
	support := f.apiDept(f.siteA.ID, map[string]any{"name": "Support", "agents": []string{sue.id}})
	socks := f.agentsOnline(sam, sue)
	samS, sueS := socks[0], socks[1]
	vs := make([]*wsClient, 5)
	for i := range vs {
		vs[i], _ = f.visitor(f.siteA.ID, nil)
	}
	first := assignedTo(t, start(vs[0], "a", "first", sales), sam.id, sales)
	samS.waitFor("chat.assigned")
	queued := func(v *wsClient, id, dept string, pos float64) {
		t.Helper()
		m := start(v, id, id, dept)
		if m["type"] != "chat.queued" || m["position"] != pos || convOf(m)["department_id"] != sales {
			t.Fatalf("%s: want queued in Sales at %v, got %v", id, pos, m)
		}
		for _, s := range []*wsClient{samS, sueS} {
			if q, _ := s.waitFor("queue"); q["site_id"] != f.siteA.ID || q["department_id"] != sales || q["length"] != pos {
				t.Fatalf("%s: queue frame %v", s.Name, q)
			}
		}
	}
	queued(vs[1], "b", sales, 1)
	queued(vs[2], "c", sales, 2)
	// Support is free: assigned at once.
	assignedTo(t, start(vs[3], "d", "support", support), sue.id, support)
	sueS.waitFor("chat.assigned")
	// A full Sales is still online: a start without a department queues there.
	queued(vs[4], "e", "", 3)
	silent(t, samS, sueS)

	samS.send(map[string]any{"type": "chat.end", "id": "end", "conversation_id": first})
	head, _ := vs[1].waitFor("chat.assigned")
	if c := convOf(head); agentOf(c) != sam.id || len(c["messages"].([]any)) != 1 {
		t.Fatalf("Sales's head %v", head)
	}
	for i, v := range vs[2:3] {
		if m := v.expect("queue.position"); m["position"] != float64(i+1) {
			t.Fatalf("queue.position %v", m)
		}
	}
	if m := vs[4].expect("queue.position"); m["position"] != 2.0 {
		t.Fatalf("queue.position %v", m)
	}
	m, _ := samS.waitFor("chat.assigned")
	if convOf(m)["messages"].([]any)[0].(map[string]any)["text"] != "b" {
		t.Fatalf("Sam got %v, want the head", m)
	}
	for _, s := range []*wsClient{samS, sueS} {
		got := s.DrainUntilPong()
		for _, g := range got {
			switch g["type"] {
			case "queue":
				if g["department_id"] != sales || g["length"] != 2.0 {
					t.Fatalf("%s: queue frame %v", s.Name, g)
				}
			case "chat.assigned":
				t.Fatalf("%s got a second chat.assigned %v", s.Name, g)
			}
		}
	}
	// A console connecting now sees each department's queue and the site's total.
	_, w := f.agentSocket(sue.token)
	for _, x := range w["sites"].([]any) {
		if s := x.(map[string]any); s["id"] == f.siteA.ID {
			ds, _ := s["departments"].([]any)
			if s["queue"] != 2.0 || len(ds) != 2 || ds[0].(map[string]any)["queue"] != 2.0 || ds[1].(map[string]any)["queue"] != 0.0 {
				t.Fatalf("agent's welcome for site A: %v", s)
			}
		}
	}
	// A site without departments knows none: not_found.
	vb, _ := f.visitor(f.siteB.ID, nil)
	if m := start(vb, "x", "hi", sales); m["type"] != "error" || m["code"] != "not_found" || m["field"] != "department_id" {
		t.Fatalf("a department on a site without any: %v", m)
	}
}

// A department with a chat in flight is not deleted (409, nothing changed); once its
// chats are over it is (204), and the ended chats keep its id.
func TestDepartmentDeletedWithChatsInFlight(t *testing.T) {
	f := newFixture(t)
	sam := f.apiAgent("Sam", 1)
	sales := f.apiDept(f.siteA.ID, map[string]any{"name": "Sales", "agents": []string{sam.id}})
	f.apiDept(f.siteA.ID, map[string]any{"name": "Support", "agents": []string{sam.id}})
	samS := f.agentsOnline(sam)[0]
	v1, _ := f.visitor(f.siteA.ID, nil)
	v2, _ := f.visitor(f.siteA.ID, nil)
	open := assignedTo(t, start(v1, "a", "open one", sales), sam.id, sales)
	q := start(v2, "b", "queued one", sales)
	if q["type"] != "chat.queued" {
		t.Fatalf("second start %v", q)
	}
	drain(samS)
	refused := func() {
		t.Helper()
		r := f.mustDo("DELETE", "/api/v1/departments/"+sales, f.tokens["admin"], nil, 409)
		if code, _ := r.errField(t); code != "conflict" {
			t.Fatalf("delete in flight: %s", r.Body)
		}
		if got := departmentNames(t, f, f.siteA.ID); len(got) != 2 || got[0] != "Sales" {
			t.Fatalf("a refused delete changed the departments: %v", got)
		}
		if c := f.storedConv(open); c["state"] != "open" || agentOf(c) != sam.id || c["department_id"] != sales {
			t.Fatalf("the open chat after a refused delete: %v", c)
		}
	}
	refused()
	v2.send(map[string]any{"type": "chat.end", "id": "e2"})
	v2.waitFor("chat.ended")
	refused() // the open one is still there
	samS.send(map[string]any{"type": "message", "id": "m1", "conversation_id": open, "text": "still here"})
	if m, _ := samS.Reply("m1"); m["type"] != "message.ack" {
		t.Fatalf("the agent's message after a refused delete: %v", m)
	}
	samS.send(map[string]any{"type": "chat.end", "id": "e1", "conversation_id": open})
	samS.Reply("e1")
	v1.waitFor("chat.ended")
	f.mustDo("DELETE", "/api/v1/departments/"+sales, f.tokens["admin"], nil, 204)
	if got := departmentNames(t, f, f.siteA.ID); len(got) != 1 || got[0] != "Support" {
		t.Fatalf("after the delete %v", got)
	}
	if c := f.storedConv(open); c["state"] != "ended" || c["department_id"] != sales {
		t.Fatalf("the ended chat of the deleted department: %v", c)
	}
}

// With shift_end handover, Sam's open chats move at his shift's end to the
// least-loaded available agent of their department, oldest assignment first, each
// counting the loads the previous ones left; the one no one else can take (Support
// has only Sam) stays with him. shift.ending listed them all at the warning.
func TestHandoverAtShiftEnd(t *testing.T) {
	f := newFixture(t)
	f.mustDo("PATCH", "/api/v1/sites/"+f.siteA.ID, f.tokens["admin"], map[string]any{"shift_end": "handover"}, 200)
	sam, xav, yan := f.apiAgent("Sam", 5), f.apiAgent("Xav", 5), f.apiAgent("Yan", 5)
	f.dailyShift(sam, "09:00", "11:00")
	sales := f.apiDept(f.siteA.ID, map[string]any{"name": "Sales", "agents": []string{sam.id, xav.id, yan.id}})
	support := f.apiDept(f.siteA.ID, map[string]any{"name": "Support", "agents": []string{sam.id}})
	samS := f.agentsOnline(sam)[0]
	startAs := func(name, dept string) (*wsClient, string, map[string]any) {
		t.Helper()
		f.clock.Advance(time.Second) // each assignment at its own instant
		v, _ := f.visitor(f.siteA.ID, nil)
		v.send(map[string]any{"type": "chat.start", "id": "s", "text": "hello", "name": name, "department_id": dept})
		m, _ := v.Reply("s")
		c := convOf(m)
		if m["type"] != "chat.assigned" {
			t.Fatalf("start of %s: %v", name, m)
		}
		return v, c["id"].(string), m
	}
	v1, c1, _ := startAs("Ann", sales)
	_, c2, _ := startAs("Bob", support)
	v3, c3, _ := startAs("", sales)
	socks := f.agentsOnline(xav, yan)
	// Xav and Yan: the one that gets the first chat gets the third too (least
	// recently assigned of two with one each): busy has 2, light 1.
	byID := map[string]*wsClient{xav.id: socks[0], yan.id: socks[1]}
	names := map[string]string{xav.id: "Xav", yan.id: "Yan"}
	_, _, m4 := startAs("", sales)
	busy := agentOf(convOf(m4))
	_, _, m5 := startAs("", sales)
	light := agentOf(convOf(m5))
	if _, _, m6 := startAs("", sales); agentOf(convOf(m6)) != busy || busy == light || byID[busy] == nil || byID[light] == nil {
		t.Fatalf("set-up: %s took the 4th, %s the 5th, %v the 6th", busy, light, m6)
	}
	drain(samS, socks[0], socks[1])

	f.clock.Set(time.Date(2026, 11, 23, 10, 50, 0, 0, time.UTC))
	m, _ := samS.waitFor("shift.ending")
	list, _ := m["conversations"].([]any)
	if m["ends_at"] != "2026-11-23T11:00:00Z" || len(list) != 3 {
		t.Fatalf("shift.ending %v", m)
	}
	for i, want := range []struct{ id, name string }{{c1, "Ann"}, {c2, "Bob"}, {c3, ""}} {
		if c := list[i].(map[string]any); c["id"] != want.id || c["visitor_name"] != want.name || c["visitor_number"] == nil {
			t.Fatalf("shift.ending conversation %d: %v, want %v", i, c, want)
		}
	}
	silent(t, socks[0], socks[1])

	f.clock.Set(time.Date(2026, 11, 23, 11, 0, 0, 0, time.UTC))
	// c1, the oldest, goes to light (1 < 2); then both have 2 and c3 goes to busy,
	// who was assigned longer ago.
	moved := map[string]string{}
	ended := false
	for len(moved) < 2 {
		m, skipped := samS.waitFor("chat.transferred")
		for _, s := range skipped {
			ended = ended || s["type"] == "shift.ended"
		}
		to, _ := m["to"].(map[string]any)
		if m["re"] != nil {
			t.Fatalf("a hand-over answers nothing: %v", m)
		}
		moved[m["conversation_id"].(string)], _ = to["agent_id"].(string)
	}
	if moved[c1] != light || moved[c3] != busy {
		t.Fatalf("handed over %v, want %s to %s and %s to %s", moved, c1, light, c3, busy)
	}
	for conv, v := range map[string]*wsClient{c1: v1, c3: v3} {
		to := deskAgent{id: moved[conv], name: names[moved[conv]]}
		handedTo(t, byID[moved[conv]], v, conv, to, sales, sam, "", to.name)
	}
	if !ended {
		t.Fatal("no shift.ended before the hand-over")
	}
	if c := f.storedConv(c2); c["state"] != "open" || agentOf(c) != sam.id {
		t.Fatalf("the chat no one could take: %v", c)
	}
	samS.send(map[string]any{"type": "message", "id": "m", "conversation_id": c2, "text": "still with you"})
	if m, _ := samS.Reply("m"); m["type"] != "message.ack" {
		t.Fatalf("Sam's message in the chat he kept: %v", m)
	}
}

// A department's status follows its agents and the site's mode, and the site's
// follows them: Support without its one agent is no_agents while the site stays
// online; with Sales's gone too the site is offline with Sales's reason, told after
// the department.status that changed it; a pause turns every department paused.
func TestDepartmentStatusFollowsAgentsAndMode(t *testing.T) {
	f := newFixture(t)
	sam, sue := f.apiAgent("Sam", 5), f.apiAgent("Sue", 5)
	sales := f.apiDept(f.siteA.ID, map[string]any{"name": "Sales", "agents": []string{sam.id}})
	support := f.apiDept(f.siteA.ID, map[string]any{"name": "Support", "agents": []string{sue.id}})
	socks := f.agentsOnline(sam, sue)
	v, _ := f.visitor(f.siteA.ID, nil)
	deptStatus := func(c *wsClient, dept, reason string) {
		t.Helper()
		if m := c.expect("department.status"); m["department_id"] != dept || status(m)["reason"] != reason {
			t.Fatalf("%s: %v, want %s %s", c.Name, m, dept, reason)
		}
	}
	away := func(s *wsClient) {
		t.Helper()
		s.send(map[string]any{"type": "presence.set", "id": "p", "status": "away"})
		s.Reply("p")
	}
	away(socks[1])
	deptStatus(v, support, "no_agents")
	silent(t, v)
	away(socks[0])
	deptStatus(v, sales, "no_agents")
	if st := status(v.expect("status")); st["online"] != false || st["reason"] != "no_agents" {
		t.Fatalf("site status with nobody: %v", st)
	}
	m, _ := socks[1].waitFor("site.status")
	if ds, _ := m["departments"].([]any); status(m)["reason"] != "no_agents" || len(ds) != 2 || status(ds[0].(map[string]any))["reason"] != "no_agents" {
		t.Fatalf("agent's site.status %v", m)
	}
	for _, s := range socks {
		s.send(map[string]any{"type": "presence.set", "id": "p", "status": "online"})
		s.Reply("p")
	}
	drain(v)
	f.mustDo("PUT", "/api/v1/sites/"+f.siteA.ID+"/mode", f.tokens["admin"], map[string]string{"mode": "offline"}, 200)
	deptStatus(v, sales, "paused")
	deptStatus(v, support, "paused")
	if st := status(v.expect("status")); st["reason"] != "paused" {
		t.Fatalf("site status when paused: %v", st)
	}
	// A department's own hours edited: its status at once.
	f.mustDo("PUT", "/api/v1/sites/"+f.siteA.ID+"/mode", f.tokens["admin"], map[string]string{"mode": "auto"}, 200)
	drain(v)
	f.mustDo("PUT", "/api/v1/departments/"+support+"/schedule", f.tokens["admin"], nightHours, 200)
	deptStatus(v, support, "outside_hours")
	silent(t, v)
}
