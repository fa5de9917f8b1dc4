package gateway

import "testing"

// A site without departments sends the frames it sent before departments existed:
// no department_id, no departments list (but the visitor welcome's []), and no
// department.status.
func TestSiteWithoutDepartmentsSendsTheOldFrames(t *testing.T) {
	f := newFixture(t)
	f.mustDo("PATCH", "/api/v1/agents/"+f.agentA.ID, f.tokens["admin"], map[string]any{"max_chats": 1}, 200)
	agent := f.deskSetup()
	_, aw := f.agentSocket(f.tokens["agentA"])
	v1, w := f.visitor(f.siteA.ID, nil)
	v2, _ := f.visitor(f.siteA.ID, nil)
	if ds, ok := w["departments"].([]any); !ok || len(ds) != 0 {
		t.Fatalf("visitor welcome departments %v", w["departments"])
	}
	for _, x := range aw["sites"].([]any) {
		if _, has := x.(map[string]any)["departments"]; has {
			t.Fatalf("agent welcome site %v", x)
		}
	}
	without := func(what string, m map[string]any, keys ...string) {
		t.Helper()
		for _, k := range keys {
			if _, has := m[k]; has {
				t.Fatalf("%s has %s: %v", what, k, m)
			}
		}
	}
	without("chat.assigned", convOf(start(v1, "a", "one", "")), "department_id")
	without("chat.queued", convOf(start(v2, "b", "two", "")), "department_id")
	q, _ := agent.waitFor("queue")
	if len(q) != 3 || q["site_id"] != f.siteA.ID || q["length"] != 1.0 {
		t.Fatalf("queue frame %v", q)
	}
	f.clock.Set(lunchStart)
	off, skipped := v2.waitFor("chat.offline")
	without("missed chat.offline", off, "department_id")
	s, before := agent.waitFor("site.status")
	without("site.status", s, "departments")
	for _, m := range append(append(skipped, before...), append(v1.DrainUntilPong(), agent.DrainUntilPong()...)...) {
		if m["type"] == "department.status" {
			t.Fatalf("department.status on a site without departments: %v", m)
		}
	}
}
