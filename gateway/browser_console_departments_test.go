package gateway

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The owner manages site A's departments on their page: creates Billing (a taken
// name is refused at the name's input), gives it agentA and an address (its hours
// are then covered), its own hours, then the site's again; creates Sales and moves it first; deleting Billing
// while one of its chats is open shows the server's 409 and deletes nothing. At
// desktop size and on a 360x740 phone (docs/protocol.md#department-api).
func TestBrowserConsoleDepartmentsAdmin(t *testing.T) {
	bcEachSize(t, consoleDepartmentsAdmin)
}

// consoleDepartmentsAdmin is TestBrowserConsoleDepartmentsAdmin at one viewport.
func consoleDepartmentsAdmin(t *testing.T, w, h int64) {
	ctx := bcBrowser(t, "UTC")
	f := newFixture(t)
	f.apiDepartment(f.siteA.ID, "Support")
	page := `#view-departments `
	create := page + `[data-testid=dept-create] `
	edit := page + `[data-testid=dept-edit] `
	bcRun(t, ctx, "the owner opens the departments of site A",
		chromedp.EmulateViewport(w, h),
		bcLogin(f, f.owner.Email),
		bcClick(`[data-testid=nav-departments]`),
		bcWait(page+`[data-testid=site-select] option[value="`+f.siteA.ID+`"]`),
		bcSet(page+`[data-testid=site-select]`, f.siteA.ID),
		bcState(`s.view === 'departments' && s.admin.departments.departments.length === 1`),
		bcSet(create+`[data-testid=dept-new-name]`, "support"),
		bcClick(create+`[data-testid=dept-new-submit]`),
		waitJS(bcQ(create+`[data-testid=dept-new-name]`)+`?.getAttribute('aria-invalid') === 'true'`),
		bcSet(create+`[data-testid=dept-new-name]`, "Billing"),
		bcClick(create+`[data-testid=dept-new-submit]`),
		bcState(`s.admin.departments.departments.length === 2 && s.admin.departments.editing`),
		bcCheck(edit+`[data-testid=dept-agent][value="`+f.agentA.ID+`"]`, true),
		bcSet(edit+`[data-testid=dept-emails]`, "billing@shop.example"),
		bcClick(edit+`[data-testid=dept-save]`),
		bcState(`s.admin.departments.done === 2 && s.admin.departments.departments[1].agents.length === 1`),
		// agentA, always on shift, covers the site's hours (always open).
		bcWait(edit+`[data-testid=coverage]:not([hidden]) [data-testid=coverage-ok]`),
	)
	var list []map[string]any
	depts := func() []map[string]any {
		list = nil
		for _, d := range f.mustDo("GET", "/api/v1/sites/"+f.siteA.ID+"/departments", f.tokens["admin"], nil, 200).json(t)["departments"].([]any) {
			list = append(list, d.(map[string]any))
		}
		return list
	}
	billing := depts()[1]
	if billing["name"] != "Billing" || fmt.Sprint(billing["agents"]) != "["+f.agentA.ID+"]" ||
		fmt.Sprint(billing["notify"].(map[string]any)["emails"]) != "[billing@shop.example]" || billing["schedule"] != nil {
		t.Fatalf("Billing as saved: %v", billing)
	}
	id := billing["id"].(string)
	bcRun(t, ctx, "Billing gets hours of its own, then the site's again",
		bcCheck(edit+`[data-testid=schedule-follow]`, false),
		bcSet(edit+`[data-testid=hours-timezone]`, "Europe/Berlin"),
		bcCheck(edit+`[data-testid=day-toggle-mon]`, true),
		bcClick(edit+`[data-testid=dept-schedule-save]`),
		bcState(`s.admin.departments.done === 3 && s.admin.departments.departments[1].schedule`),
	)
	if sch, _ := depts()[1]["schedule"].(map[string]any); sch == nil || sch["timezone"] != "Europe/Berlin" ||
		fmt.Sprint(sch["weekly"].(map[string]any)["mon"]) != "[map[from:09:00 to:17:00]]" {
		t.Fatalf("Billing's hours: %v", depts()[1])
	}
	bcRun(t, ctx, "back to the site's hours",
		bcCheck(edit+`[data-testid=schedule-follow]`, true),
		bcClick(edit+`[data-testid=dept-schedule-save]`),
		bcState(`s.admin.departments.done === 4 && !s.admin.departments.departments[1].schedule`),
	)
	if depts()[1]["schedule"] != nil {
		t.Fatalf("Billing still has hours of its own: %v", list[1])
	}
	bcRun(t, ctx, "Sales is created and moved first",
		bcSet(create+`[data-testid=dept-new-name]`, "Sales"),
		bcClick(create+`[data-testid=dept-new-submit]`),
		bcState(`s.admin.departments.departments.length === 3`),
		bcClick(page+`[data-testid=dept-row]:nth-child(3) [data-testid=dept-up]`),
		bcState(`s.admin.departments.departments[1].name === 'Sales'`),
		bcClick(page+`[data-testid=dept-row]:nth-child(2) [data-testid=dept-up]`),
		bcState(`s.admin.departments.departments[0].name === 'Sales'`),
	)
	var names []string
	for _, d := range depts() {
		names = append(names, d["name"].(string))
	}
	if !slices.Equal(names, []string{"Sales", "Support", "Billing"}) {
		t.Fatalf("order %v", names)
	}
	// A chat open in Billing (agentA answers for it): its delete is refused.
	f.agentSocket(f.tokens["agentA"])
	v, _ := f.visitor(f.siteA.ID, nil)
	v.send(map[string]any{"type": "chat.start", "id": "s1", "text": "about my invoice", "department_id": id})
	if m, _ := v.waitFor("chat.assigned"); m["conversation"].(map[string]any)["department_id"] != id {
		t.Fatalf("the chat %v", m)
	}
	row := page + `[data-testid=dept-row][data-department-id="` + id + `"] `
	bcRun(t, ctx, "deleting Billing is refused",
		bcClick(row+`[data-testid=dept-delete]`),
		waitJS(bcQ(row+`[data-testid=dept-delete]`)+`?.textContent === 'Really delete?'`),
		bcClick(row+`[data-testid=dept-delete]`),
		bcState(`s.admin.departments.error && s.admin.departments.error.code === 'conflict'`),
	)
	if msg := bcText(t, ctx, page+`[data-testid=departments-error]`); !strings.HasPrefix(msg, "Not deleted: ") || !strings.Contains(msg, "open") {
		t.Fatalf("the refusal reads %q", msg)
	}
	if len(depts()) != 3 {
		t.Fatalf("a refused delete deleted: %v", list)
	}
	if w > 1000 {
		bcScreenshot(t, ctx, "departments")
	}
	bcNoErrors(t, ctx)
}
