package gateway

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// Owners and admins manage agents from the agents table (create, edit, shifts with
// "follow the site's hours"); only owners are offered the owner role. Every agent sets
// its own idle and warning minutes and shifts in "My settings".
func TestBrowserConsoleAgentsAndMySettings(t *testing.T) {
	ctx := bcBrowser(t, "UTC")
	f := newFixture(t)
	create := `[data-testid=agent-create] `
	bcRun(t, ctx, "the owner creates an agent",
		bcLogin(f, f.owner.Email),
		bcClick(`[data-testid=nav-agents]`),
		bcWait(`[data-testid=agent-row][data-agent-id="`+f.agentA.ID+`"]`),
		bcWait(create+`[data-testid=agent-new-role] option[value=owner]`),
		bcSet(create+`[data-testid=agent-new-email]`, "not an address"),
		bcSet(create+`[data-testid=agent-new-name]`, "Carol"),
		bcSet(create+`[data-testid=agent-new-password]`, "a long enough password"),
		bcSet(create+`[data-testid=agent-new-role]`, "admin"),
		bcCheck(create+`[data-testid=agent-site][value="`+f.siteB.ID+`"]`, true),
		bcSet(create+`#na-max`, "3"),
		bcClick(create+`[data-testid=agent-new-submit]`),
		waitJS(bcQ(create+`[data-testid=agent-new-email]`)+`?.nextElementSibling?.dataset.testid === 'field-error'`),
		bcSet(create+`[data-testid=agent-new-email]`, "carol@example.com"),
		bcClick(create+`[data-testid=agent-new-submit]`),
		bcState(`s.admin.agents.agents.some(a => a.email === 'carol@example.com')`),
	)
	var carol map[string]any
	for _, a := range f.mustDo("GET", "/api/v1/agents", f.tokens["owner"], nil, 200).json(t)["agents"].([]any) {
		if a := a.(map[string]any); a["email"] == "carol@example.com" {
			carol = a
		}
	}
	if carol == nil || carol["role"] != "admin" || carol["max_chats"] != 3.0 || fmt.Sprint(carol["sites"]) != "["+f.siteB.ID+"]" {
		t.Fatalf("created agent %v", carol)
	}
	// Edit agentA: more sites, fewer chats, then shifts of its own, then the site's again.
	row := `[data-testid=agent-row][data-agent-id="` + f.agentA.ID + `"] `
	edit := `[data-testid=agent-edit] `
	bcRun(t, ctx, "the owner edits agentA",
		bcClick(row+`[data-testid=agent-edit-open]`),
		bcWait(edit+`[data-testid=agent-save]`),
		bcCheck(edit+`[data-testid=agent-site][value="`+f.siteB.ID+`"]`, true),
		bcSet(edit+`#ea-max`, "2"),
		bcClick(edit+`[data-testid=agent-save]`),
		bcState(`s.admin.agents.agents.some(a => a.id === `+bcJS(f.agentA.ID)+` && a.max_chats === 2)`),
		bcCheck(edit+`[data-testid=schedule-follow]`, false),
		bcSet(edit+`[data-testid=hours-timezone]`, "UTC"),
		bcCheck(edit+`[data-testid=day-toggle-tue]`, true),
		bcSet(edit+`[data-testid=interval-tue-0] input[name=from]`, "22"),
		bcSet(edit+`[data-testid=interval-tue-0] input[name=to]`, "0600"),
		waitJS(bcQ(edit+`[data-testid=interval-tue-0] input[name=from]`)+`?.value === '22:00' && `+bcQ(edit+`[data-testid=interval-tue-0] [data-testid=interval-note]`)+`?.textContent === '(next day)'`),
		bcClick(edit+`[data-testid=agent-schedule-save]`),
		bcState(`s.admin.agents.done === 3`),
	)
	a := f.mustDo("GET", "/api/v1/agents/"+f.agentA.ID, f.tokens["owner"], nil, 200).json(t)
	if a["max_chats"] != 2.0 || len(a["sites"].([]any)) != 2 || a["schedule"] == nil ||
		fmt.Sprint(a["schedule"].(map[string]any)["weekly"].(map[string]any)["tue"]) != "[map[from:22:00 to:06:00]]" {
		t.Fatalf("agentA after the edits %v", a)
	}
	bcRun(t, ctx, "back to the site's hours",
		bcWait(edit+`[data-testid=schedule-follow]`),
		bcCheck(edit+`[data-testid=schedule-follow]`, true),
		bcClick(edit+`[data-testid=agent-schedule-save]`),
		bcState(`s.admin.agents.done === 4`),
	)
	if a := f.mustDo("GET", "/api/v1/agents/"+f.agentA.ID, f.tokens["owner"], nil, 200).json(t); a["schedule"] != nil {
		t.Fatalf("schedule after follow: %v", a["schedule"])
	}
	// Deleting asks for a second click.
	carolRow := `[data-testid=agent-row][data-agent-id="` + carol["id"].(string) + `"] `
	bcRun(t, ctx, "the owner deletes Carol",
		bcClick(carolRow+`[data-testid=agent-delete]`),
		waitJS(bcQ(carolRow+`[data-testid=agent-delete]`)+`?.textContent === 'Really delete?'`),
		bcClick(carolRow+`[data-testid=agent-delete]`),
		waitJS(`!`+bcQ(carolRow)),
	)
	f.mustDo("GET", "/api/v1/agents/"+carol["id"].(string), f.tokens["owner"], nil, 404)
	// An admin is not offered the owner role and cannot act on owners.
	adminTab, cancel := chromedp.NewContext(ctx)
	defer cancel()
	bcRun(t, adminTab, "the admin's view",
		bcEmulate("UTC"),
		bcLogin(f, f.admin.Email),
		bcClick(`[data-testid=nav-agents]`),
		bcWait(`[data-testid=agent-row][data-agent-id="`+f.owner.ID+`"]`),
		waitJS(`!`+bcQ(`[data-testid=agent-create] [data-testid=agent-new-role] option[value=owner]`)+` && `+
			bcQ(`[data-testid=agent-row][data-agent-id="`+f.owner.ID+`"] [data-testid=agent-logout]`)+`?.disabled`),
	)
	// agentB sets its own minutes and shifts.
	meTab, cancel2 := chromedp.NewContext(ctx)
	defer cancel2()
	bcRun(t, meTab, "agentB's settings",
		bcEmulate("UTC"),
		bcLogin(f, f.agentB.Email),
		bcClick(`[data-testid=nav-me]`),
		bcWait(`[data-testid=me-idle]`),
		bcSet(`[data-testid=me-idle]`, "0"),
		bcSet(`[data-testid=me-warn]`, "5"),
		bcClick(`[data-testid=me-save]`),
		bcState(`s.admin.me.saves === 1 && s.agent.shift_warning_minutes === 5`),
		bcCheck(`[data-testid=me-schedule] [data-testid=schedule-follow]`, false),
		bcCheck(`[data-testid=me-schedule] [data-testid=day-toggle-wed]`, true),
		bcSet(`[data-testid=me-schedule] [data-testid=hours-timezone]`, "Nowhere/Atlantis"),
		bcClick(`[data-testid=me-schedule-save]`),
		bcState(`s.admin.me.error && s.admin.me.error.field === 'timezone'`),
		waitJS(bcQ(`[data-testid=me-schedule] [data-testid=hours-timezone]`)+`?.getAttribute('aria-invalid') === 'true'`),
		bcSet(`[data-testid=me-schedule] [data-testid=hours-timezone]`, "Asia/Tokyo"),
		bcClick(`[data-testid=me-schedule-save]`),
		bcState(`s.admin.me.saves === 2`),
	)
	b := f.mustDo("GET", "/api/v1/agents/"+f.agentB.ID, f.tokens["admin"], nil, 200).json(t)
	if b["idle_minutes"] != 0.0 || b["shift_warning_minutes"] != 5.0 || b["schedule"] == nil ||
		b["schedule"].(map[string]any)["timezone"] != "Asia/Tokyo" || fmt.Sprint(b["schedule"].(map[string]any)["weekly"].(map[string]any)["wed"]) != "[map[from:09:00 to:17:00]]" {
		t.Fatalf("agentB after its settings %v", b)
	}
	bcNoErrors(t, ctx)
	bcNoErrors(t, adminTab)
	bcNoErrors(t, meTab)
}
