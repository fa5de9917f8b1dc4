package gateway

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/livedesk/gateway/protocol"
	"github.com/livedesk/gateway/store"
)

// departmentRoleCases are the department endpoints' rows of the authorization
// matrix (roleCases): members read, owners and admins write.
func departmentRoleCases() []roleCase {
	ok, created, none := 200, 201, 204
	siteA := func(f *fixture) string { return "/api/v1/sites/" + f.siteA.ID + "/departments" }
	fresh := func(suffix string) func(*fixture) string {
		return func(f *fixture) string {
			return "/api/v1/departments/" + f.mkDepartment(f.siteA.ID, f.uniq("Dept ")).ID + suffix
		}
	}
	return []roleCase{
		{"list departments", "GET /api/v1/sites/{id}/departments", siteA, nil, codes(ok, ok, ok, 404)},
		{"create department", "POST /api/v1/sites/{id}/departments", siteA, func(f *fixture) any { return map[string]any{"name": f.uniq("New ")} }, codes(created, created, 403, 403)},
		{"patch department", "PATCH /api/v1/departments/{id}", fresh(""), func(*fixture) any { return map[string]any{"position": 3} }, codes(ok, ok, 403, 403)},
		{"put department schedule", "PUT /api/v1/departments/{id}/schedule", fresh("/schedule"), func(*fixture) any { return weekSchedule }, codes(ok, ok, 403, 403)},
		{"delete department", "DELETE /api/v1/departments/{id}", fresh(""), nil, codes(none, none, 403, 403)},
		{"department hours", "GET /api/v1/departments/{id}/hours", fresh("/hours?from=2026-11-23&to=2026-11-29"), nil, codes(ok, ok, ok, 404)},
		{"available agents", "GET /api/v1/sites/{id}/agents/available", func(f *fixture) string {
			return "/api/v1/sites/" + f.siteA.ID + "/agents/available"
		}, nil, codes(ok, ok, ok, 404)},
		{"department status", "GET /api/v1/departments/{id}/status", func(f *fixture) string {
			return "/api/v1/departments/" + f.apiDepartment(f.siteA.ID, f.uniq("Dept ")) + "/status"
		}, nil, codes(ok, ok, ok, 404)},
		// A conversation the desk does not hold (made in the store) is not open: 409
		// for those who may transfer, 403 for the others.
		{"transfer conversation", "POST /api/v1/conversations/{id}/transfer", func(f *fixture) string {
			return "/api/v1/conversations/" + f.mkConversation(f.siteA.ID).ID + "/transfer"
		}, func(*fixture) any { return map[string]any{"to_agent_id": "nobody"} }, codes(409, 409, 403, 403)},
		{"unknown department", "PATCH /api/v1/departments/{id}", fixed("/api/v1/departments/nope"), func(*fixture) any { return map[string]any{"position": 1} }, codes(404, 404, 403, 403)},
	}
}

// mkDepartment stores a department of the site with no agents.
func (f *fixture) mkDepartment(siteID, name string) *store.Department {
	f.t.Helper()
	d := &store.Department{SiteID: siteID, Name: name, Agents: []string{}, CreatedAt: f.clock.Now(), UpdatedAt: f.clock.Now()}
	if err := f.store.CreateDepartment(context.Background(), d); err != nil {
		f.t.Fatal(err)
	}
	return d
}

// apiDepartment creates a department of the site through the API (so the desk
// knows it) and returns its id.
func (f *fixture) apiDepartment(siteID, name string) string {
	f.t.Helper()
	r := f.mustDo("POST", "/api/v1/sites/"+siteID+"/departments", f.tokens["admin"], map[string]any{"name": name}, 201)
	var d store.Department
	if err := json.Unmarshal(r.Body, &d); err != nil {
		f.t.Fatal(err)
	}
	return d.ID
}

// departmentNames lists the names GET /sites/{id}/departments answers, in order.
func departmentNames(t *testing.T, f *fixture, siteID string) []string {
	t.Helper()
	var body struct {
		Departments []store.Department `json:"departments"`
	}
	r := f.mustDo("GET", "/api/v1/sites/"+siteID+"/departments", f.tokens["admin"], nil, 200)
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatal(err)
	}
	names := []string{}
	for _, d := range body.Departments {
		names = append(names, d.Name)
	}
	return names
}

// decodeDepartment decodes a department answer.
func decodeDepartment(t *testing.T, r response) store.Department {
	t.Helper()
	var d store.Department
	if err := json.Unmarshal(r.Body, &d); err != nil {
		t.Fatalf("%v: %s", err, r.Body)
	}
	return d
}

func TestDepartmentValidationNamesTheFieldAndChangesNothing(t *testing.T) {
	f := newFixture(t)
	tok := f.tokens["admin"]
	sales := f.mkDepartment(f.siteA.ID, "Sales")
	f.mkDepartment(f.siteA.ID, "Support")
	create := "/api/v1/sites/" + f.siteA.ID + "/departments"
	patch := "/api/v1/departments/" + sales.ID
	list := "/api/v1/sites/" + f.siteA.ID + "/departments"
	badWeek := map[string]any{"enabled": true, "timezone": "Mars/Olympus", "weekly": map[string]any{"tue": []any{map[string]string{"from": "09:00", "to": "09:00"}}}}
	before := f.mustDo("GET", list, tok, nil, 200).Body
	cases := []struct {
		name, method, path string
		body               any
		status             int
		field              string
		problems           int // error.errors listed (0: not looked at)
	}{
		{"bad JSON", "POST", create, `{"name":`, 400, "", 0},
		{"not an object", "POST", create, `[1]`, 400, "", 0},
		{"no name", "POST", create, map[string]any{"position": 1}, 400, "name", 0},
		{"blank name", "POST", create, map[string]any{"name": "   "}, 400, "name", 0},
		{"long name", "POST", create, map[string]any{"name": strings.Repeat("é", 101)}, 400, "name", 0},
		{"name not a string", "POST", create, map[string]any{"name": 7}, 400, "name", 0},
		{"unknown field", "POST", create, map[string]any{"name": "Billing", "colour": "red"}, 400, "colour", 0},
		{"negative position", "POST", create, map[string]any{"name": "Billing", "position": -1}, 400, "position", 0},
		{"position not a number", "POST", create, map[string]any{"name": "Billing", "position": "1"}, 400, "position", 0},
		{"unknown agent", "POST", create, map[string]any{"name": "Billing", "agents": []string{"nobody"}}, 400, "agents[0]", 0},
		{"agent of another site", "POST", create, map[string]any{"name": "Billing", "agents": []string{f.agentA.ID, f.agentB.ID}}, 400, "agents[1]", 0},
		{"agents not a list", "POST", create, map[string]any{"name": "Billing", "agents": f.agentA.ID}, 400, "agents", 0},
		{"bad e-mail", "POST", create, map[string]any{"name": "Billing", "notify": map[string]any{"emails": []string{"a@b.example", "nope"}}}, 400, "notify.emails[1]", 0},
		{"unknown notify field", "POST", create, map[string]any{"name": "Billing", "notify": map[string]any{"webhook_url": "https://x.example/"}}, 400, "notify.webhook_url", 0},
		{"notify without emails", "POST", create, map[string]any{"name": "Billing", "notify": map[string]any{}}, 400, "notify.emails", 0},
		{"bad schedule", "POST", create, map[string]any{"name": "Billing", "schedule": badWeek}, 400, "schedule.timezone", 2},
		{"taken name", "POST", create, map[string]any{"name": " sALES "}, 409, "name", 0},
		{"unknown site", "POST", "/api/v1/sites/nope/departments", map[string]any{"name": "Billing"}, 404, "", 0},
		{"rename onto a taken name", "PATCH", patch, map[string]any{"name": "SUPPORT"}, 409, "name", 0},
		{"good field then bad field", "PATCH", patch, map[string]any{"name": "Renamed", "position": -5}, 400, "position", 0},
		{"patch unknown field", "PATCH", patch, map[string]any{"site": f.siteB.ID}, 400, "site", 0},
		{"patch bad schedule", "PATCH", patch, map[string]any{"schedule": badWeek}, 400, "schedule.timezone", 2},
		{"put bad schedule", "PUT", patch + "/schedule", badWeek, 400, "timezone", 2},
		{"put schedule not an object", "PUT", patch + "/schedule", `"always"`, 400, "", 0},
		{"put schedule empty", "PUT", patch + "/schedule", ``, 400, "", 0},
		{"hours range", "GET", patch + "/hours?from=2026-11-29&to=2026-11-23", nil, 400, "to", 0},
		{"hours date", "GET", patch + "/hours?from=tomorrow", nil, 400, "from", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := f.do(c.method, c.path, tok, c.body)
			if r.Code != c.status {
				t.Fatalf("status %d, want %d: %s", r.Code, c.status, r.Body)
			}
			code, field := r.errField(t)
			if code != codeOfStatus[c.status] {
				t.Errorf("code %q, want %q", code, codeOfStatus[c.status])
			}
			if field != c.field {
				t.Errorf("field %q, want %q", field, c.field)
			}
			if c.problems > 0 {
				errs, _ := r.json(t)["error"].(map[string]any)["errors"].([]any)
				if len(errs) != c.problems {
					t.Errorf("%d problems listed, want %d: %s", len(errs), c.problems, r.Body)
				}
			}
			if after := f.mustDo("GET", list, tok, nil, 200).Body; string(after) != string(before) {
				t.Fatalf("a refused request changed the departments:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

func TestDepartmentLifecycle(t *testing.T) {
	f := newFixture(t)
	tok := f.tokens["owner"]
	base := "/api/v1/sites/" + f.siteA.ID + "/departments"

	// Defaults: no hours of its own, no agents, no addresses, after the last.
	r := f.mustDo("POST", base, tok, map[string]any{"name": "  Sales  ", "id": "ignored", "created_at": "echoed"}, 201)
	sales := decodeDepartment(t, r)
	if sales.Name != "Sales" || sales.SiteID != f.siteA.ID || sales.Position != 0 || sales.Schedule != nil ||
		len(sales.Agents) != 0 || len(sales.Notify.Emails) != 0 || sales.ID == "ignored" {
		t.Fatalf("created %s", r.Body)
	}
	m := r.json(t)
	if m["schedule"] != nil || m["agents"] == nil || m["notify"].(map[string]any)["emails"] == nil {
		t.Fatalf("lists must be [] and the schedule null: %s", r.Body)
	}
	support := decodeDepartment(t, f.mustDo("POST", base, tok, map[string]any{
		"name": "Support", "agents": []string{f.agentA.ID, f.agentA.ID, f.admin.ID},
		"notify": map[string]any{"emails": []string{"support@shop.example"}}, "schedule": weekSchedule}, 201))
	if support.Position != 1 || !slices.Equal(support.Agents, []string{f.agentA.ID, f.admin.ID}) || support.Schedule == nil {
		t.Fatalf("second department %+v", support)
	}
	first := decodeDepartment(t, f.mustDo("POST", base, tok, map[string]any{"name": "Billing", "position": 0}, 201))
	// Same position as Sales: the older comes first.
	if got := departmentNames(t, f, f.siteA.ID); !slices.Equal(got, []string{"Sales", "Billing", "Support"}) {
		t.Fatalf("order %v", got)
	}
	f.mustDo("PATCH", "/api/v1/departments/"+first.ID, tok, map[string]any{"position": 5, "name": "billing desk"}, 200)
	if got := departmentNames(t, f, f.siteA.ID); !slices.Equal(got, []string{"Sales", "Support", "billing desk"}) {
		t.Fatalf("order after the move %v", got)
	}
	// A name differing only in case from its own is fine.
	f.mustDo("PATCH", "/api/v1/departments/"+first.ID, tok, map[string]any{"name": "Billing Desk"}, 200)
	// Another site may use a name, and has its own list.
	f.mustDo("POST", "/api/v1/sites/"+f.siteB.ID+"/departments", tok, map[string]any{"name": "Sales", "agents": []string{f.agentB.ID}}, 201)
	if got := departmentNames(t, f, f.siteB.ID); !slices.Equal(got, []string{"Sales"}) {
		t.Fatalf("site B %v", got)
	}

	// Hours: the department's own, then the site's once its schedule is null.
	hours := func(id string) map[string]any {
		return f.mustDo("GET", "/api/v1/departments/"+id+"/hours?from=2026-11-23&to=2026-11-23", f.tokens["agentA"], nil, 200).json(t)
	}
	if h := hours(support.ID); h["timezone"] != "Europe/Paris" || len(h["periods"].([]any)) != 2 {
		t.Fatalf("own hours %v", h)
	}
	site := f.mustDo("GET", "/api/v1/sites/"+f.siteA.ID+"/hours?from=2026-11-23&to=2026-11-23", tok, nil, 200).json(t)
	if h := hours(sales.ID); h["timezone"] != site["timezone"] || len(h["periods"].([]any)) != len(site["periods"].([]any)) {
		t.Fatalf("site's hours %v, site %v", h, site)
	}
	r = f.mustDo("PUT", "/api/v1/departments/"+support.ID+"/schedule", tok, `null`, 200)
	if r.json(t)["schedule"] != nil {
		t.Fatalf("schedule after null: %s", r.Body)
	}
	if h := hours(support.ID); h["timezone"] != site["timezone"] {
		t.Fatalf("hours after null %v", h)
	}
	f.mustDo("PUT", "/api/v1/departments/"+support.ID+"/schedule", tok, weekSchedule, 200)
	if h := hours(support.ID); h["timezone"] != "Europe/Paris" {
		t.Fatalf("hours after a PUT %v", h)
	}

	// Delete, then it is gone.
	f.mustDo("DELETE", "/api/v1/departments/"+sales.ID, tok, nil, 204)
	f.mustDo("DELETE", "/api/v1/departments/"+sales.ID, tok, nil, 404)
	f.mustDo("GET", "/api/v1/departments/"+sales.ID+"/hours", tok, nil, 404)
	if got := departmentNames(t, f, f.siteA.ID); !slices.Equal(got, []string{"Support", "Billing Desk"}) {
		t.Fatalf("after the delete %v", got)
	}
	// Deleting the site deletes its departments.
	f.mustDo("DELETE", "/api/v1/sites/"+f.siteA.ID, tok, nil, 204)
	f.mustDo("PATCH", "/api/v1/departments/"+support.ID, tok, map[string]any{"position": 1}, 404)
}

func TestDepartmentDeleteWithConversationsInFlight(t *testing.T) {
	f := newFixture(t)
	tok := f.tokens["admin"]
	d := f.mkDepartment(f.siteA.ID, "Sales")
	other := f.mkDepartment(f.siteA.ID, "Support")
	conv := func(dept, state string) *store.Conversation {
		c := &store.Conversation{SiteID: f.siteA.ID, DepartmentID: dept, VisitorID: f.uniq("v"), State: state, CreatedAt: f.clock.Now()}
		if err := f.store.CreateConversation(context.Background(), c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	setState := func(c *store.Conversation, state string) {
		if _, err := f.store.UpdateConversation(context.Background(), c.ID, func(c *store.Conversation) error { c.State = state; return nil }); err != nil {
			t.Fatal(err)
		}
	}
	conv(d.ID, store.StateEnded)
	conv(other.ID, store.StateOpen) // another department's chats do not matter
	queued := conv(d.ID, store.StateQueued)
	for _, state := range []string{store.StateQueued, store.StateOpen} {
		setState(queued, state)
		r := f.mustDo("DELETE", "/api/v1/departments/"+d.ID, tok, nil, 409)
		if code, _ := r.errField(t); code != protocol.CodeConflict || !strings.Contains(string(r.Body), state) {
			t.Fatalf("%s: %s", state, r.Body)
		}
		if got := departmentNames(t, f, f.siteA.ID); !slices.Equal(got, []string{"Sales", "Support"}) {
			t.Fatalf("a refused delete removed a department: %v", got)
		}
	}
	setState(queued, store.StateMissed)
	f.mustDo("DELETE", "/api/v1/departments/"+d.ID, tok, nil, 204)
}

func TestAgentChangesReachDepartments(t *testing.T) {
	f := newFixture(t)
	tok := f.tokens["owner"]
	both := f.mkAgent(store.RoleAgent, []string{f.siteA.ID, f.siteB.ID})
	gone := f.mkAgent(store.RoleAgent, []string{f.siteA.ID})
	body := map[string]any{"agents": []string{both.ID, gone.ID, f.agentA.ID}}
	a := decodeDepartment(t, f.mustDo("POST", "/api/v1/sites/"+f.siteA.ID+"/departments", tok, merge(body, "name", "A"), 201))
	b := decodeDepartment(t, f.mustDo("POST", "/api/v1/sites/"+f.siteB.ID+"/departments", tok, map[string]any{"name": "B", "agents": []string{both.ID}}, 201))
	agentsOf := func(id string) []string {
		d, err := f.store.GetDepartment(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		return d.Agents
	}

	f.mustDo("DELETE", "/api/v1/agents/"+gone.ID, tok, nil, 204)
	if got := agentsOf(a.ID); !slices.Equal(got, []string{both.ID, f.agentA.ID}) {
		t.Fatalf("after the delete %v", got)
	}
	// No longer serving site A: out of A's departments, still in B's.
	f.mustDo("PATCH", "/api/v1/agents/"+both.ID, tok, map[string]any{"sites": []string{f.siteB.ID}}, 200)
	if got := agentsOf(a.ID); !slices.Equal(got, []string{f.agentA.ID}) {
		t.Fatalf("A after the sites change %v", got)
	}
	if got := agentsOf(b.ID); !slices.Equal(got, []string{both.ID}) {
		t.Fatalf("B after the sites change %v", got)
	}
	// An empty list serves every site: nothing to take out.
	f.mustDo("PATCH", "/api/v1/agents/"+f.agentA.ID, tok, map[string]any{"sites": []string{}}, 200)
	if got := agentsOf(a.ID); !slices.Equal(got, []string{f.agentA.ID}) {
		t.Fatalf("A after serving all sites %v", got)
	}
}

// merge is m with k set to v (a copy).
func merge(m map[string]any, k string, v any) map[string]any {
	out := map[string]any{k: v}
	for mk, mv := range m {
		out[mk] = mv
	}
	return out
}

func TestSiteShiftEnd(t *testing.T) {
	f := newFixture(t)
	tok := f.tokens["admin"]
	path := "/api/v1/sites/" + f.siteA.ID
	if got := f.mustDo("GET", path, tok, nil, 200).json(t)["shift_end"]; got != "keep" {
		t.Fatalf("default shift_end %v", got)
	}
	before := f.mustDo("GET", path, tok, nil, 200).Body
	for _, bad := range []any{"later", "", 1, nil} {
		r := f.mustDo("PATCH", path, tok, map[string]any{"shift_end": bad}, 400)
		if _, field := r.errField(t); field != "shift_end" {
			t.Fatalf("%v: field %q", bad, field)
		}
	}
	if after := f.mustDo("GET", path, tok, nil, 200).Body; string(after) != string(before) {
		t.Fatalf("a refused shift_end changed the site")
	}
	f.mustDo("POST", "/api/v1/sites", tok, map[string]any{"name": "X", "shift_end": "sometimes"}, 400)
	if got := f.mustDo("PATCH", path, tok, map[string]any{"shift_end": "handover"}, 200).json(t)["shift_end"]; got != "handover" {
		t.Fatalf("after PATCH %v", got)
	}
	st, err := f.store.GetSite(context.Background(), f.siteA.ID)
	if err != nil || st.ShiftEnd != store.ShiftEndHandover {
		t.Fatalf("stored %v %v", st, err)
	}
	r := f.mustDo("POST", "/api/v1/sites", tok, map[string]any{"name": "Y", "shift_end": "handover"}, 201)
	if r.json(t)["shift_end"] != "handover" {
		t.Fatalf("created %s", r.Body)
	}
}

// The department API over the Redis store (one node of a cluster): the same
// answers, the name rule included.
func TestDepartmentsOverRedis(t *testing.T) {
	tc := newTestCluster(t, 1)
	f := tc.nodes[0]
	tok := f.tokens["admin"]
	base := "/api/v1/sites/" + f.siteA.ID + "/departments"
	d := decodeDepartment(t, f.mustDo("POST", base, tok, map[string]any{"name": "Sales", "agents": []string{f.agentA.ID}, "schedule": weekSchedule}, 201))
	f.mustDo("POST", base, tok, map[string]any{"name": "SALES"}, 409)
	f.mustDo("POST", base, tok, map[string]any{"name": "Support", "position": 0}, 201)
	if got := departmentNames(t, f, f.siteA.ID); !slices.Equal(got, []string{"Sales", "Support"}) {
		t.Fatalf("order %v", got)
	}
	f.mustDo("PATCH", "/api/v1/departments/"+d.ID, tok, map[string]any{"position": 9}, 200)
	if got := departmentNames(t, f, f.siteA.ID); !slices.Equal(got, []string{"Support", "Sales"}) {
		t.Fatalf("order after the move %v", got)
	}
	if h := f.mustDo("GET", "/api/v1/departments/"+d.ID+"/hours?from=2026-11-23&to=2026-11-23", tok, nil, 200).json(t); h["timezone"] != "Europe/Paris" {
		t.Fatalf("hours %v", h)
	}
	c := &store.Conversation{SiteID: f.siteA.ID, DepartmentID: d.ID, VisitorID: "v", State: store.StateOpen, CreatedAt: tc.clock.Now()}
	if err := f.store.CreateConversation(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	f.mustDo("DELETE", "/api/v1/departments/"+d.ID, tok, nil, 409)
	f.mustDo("DELETE", "/api/v1/agents/"+f.agentA.ID, tok, nil, 204)
	got, err := f.store.GetDepartment(context.Background(), d.ID)
	if err != nil || len(got.Agents) != 0 {
		t.Fatalf("after the agent's delete %+v %v", got, err)
	}
}
