package gateway

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// The console's offline inbox follows the agent socket: a message a visitor leaves
// while the console is open shows without a reload (and without the old 30 s poll:
// no request needed), the badge in the navigation counts the new ones, opening a
// message marks it read, "Done" marks it done, the filters show each state, and a
// change made elsewhere (another agent, through the API) shows live too. At desktop
// size and on a 360x740 phone.
func TestBrowserConsoleInboxIsLive(t *testing.T) {
	for _, size := range []struct {
		name string
		w, h int64
	}{{"desktop", 1100, 800}, {"phone", 360, 740}} {
		t.Run(size.name, func(t *testing.T) {
			ctx := bcBrowser(t, "Europe/Paris")
			f := newFixture(t)
			old := f.mkOffline(f.siteA.ID, "An older question")
			f.mkOffline(f.siteB.ID, "Not for agent A") // another site: neither listed nor counted
			badge := bcQ(`[data-testid=nav-inbox-count]`) + `.textContent`
			item := func(id string) string { return `[data-testid=inbox-item][data-message-id="` + id + `"] ` }
			bcRun(t, ctx, "agent A opens the inbox",
				chromedp.EmulateViewport(size.w, size.h),
				bcLogin(f, f.agentA.Email),
				waitJS(badge+` === '1'`),
				bcClick(`[data-testid=nav-inbox]`),
				bcState(`s.admin.inbox.loaded && s.admin.inbox.site_id === `+bcJS(f.siteA.ID)),
				waitJS(`document.querySelectorAll('[data-testid=inbox-item]').length === 1`),
				chromedp.Evaluate(`window.__noReload = true`, nil),
			)

			v, _ := f.visitor(f.siteA.ID, nil)
			mid := submitOffline(t, v, "o1", "Do you ship to Canada?")
			bcRun(t, ctx, "the new message shows at once, on top, and is counted",
				waitJS(`document.querySelectorAll('[data-testid=inbox-item]').length === 2`),
				waitJS(bcQ(`[data-testid=inbox-item]:first-child`)+`.dataset.messageId === `+bcJS(mid)),
				waitJS(bcQ(item(mid))+`.dataset.state === 'new'`),
				waitJS(badge+` === '2'`),
				waitJS(bcQ(`[data-testid=inbox-filter-new] .count`)+`.textContent === '2'`),
				waitJS(`window.__noReload === true`),
			)

			bcRun(t, ctx, "opening it marks it read",
				bcClick(item(mid)+`[data-testid=inbox-open]`),
				waitJS(bcQ(item(mid)+`[data-testid=inbox-open]`)+`.getAttribute('aria-expanded') === 'true'`),
				waitJS(`!`+bcQ(item(mid)+`.msg-body`)+`.hidden`),
				waitJS(bcQ(item(mid))+`.dataset.state === 'read'`),
				waitJS(badge+` === '1'`),
				bcState(`s.admin.inbox.saving === 0`),
			)
			if got := offlineStateOf(t, f, mid); got != "read" {
				t.Fatalf("state after opening: %q", got)
			}
			bcRun(t, ctx, "done",
				bcClick(item(mid)+`[data-testid=inbox-done]`),
				waitJS(bcQ(item(mid))+`.dataset.state === 'done'`),
				waitJS(bcQ(item(mid)+`[data-testid=inbox-undone]`)+` !== null`),
				bcState(`s.admin.inbox.saving === 0`),
			)
			if got := offlineStateOf(t, f, mid); got != "done" {
				t.Fatalf("state after done: %q", got)
			}

			ids := `[...document.querySelectorAll('[data-testid=inbox-item]')].map(e => e.dataset.messageId).join(',')`
			bcRun(t, ctx, "filters",
				bcClick(`[data-testid=inbox-filter-new]`),
				waitJS(ids+` === `+bcJS(old.ID)),
				waitJS(bcQ(`[data-testid=inbox-filter-new]`)+`.getAttribute('aria-pressed') === 'true'`),
				bcClick(`[data-testid=inbox-filter-done]`),
				waitJS(ids+` === `+bcJS(mid)),
				bcClick(`[data-testid=inbox-filter-read]`),
				waitJS(ids+` === ''`),
				waitJS(bcQ(`[data-testid=inbox-count]`)+`.textContent === 'No read messages.'`),
				bcClick(`[data-testid=inbox-filter-all]`),
				waitJS(ids+` === `+bcJS(mid+","+old.ID)),
			)

			// Another agent marks the older one done: the console follows.
			f.mustDo("PATCH", "/api/v1/sites/"+f.siteA.ID+"/offline-messages/"+old.ID, f.tokens["owner"], map[string]any{"state": "done"}, 200)
			bcRun(t, ctx, "a change made elsewhere shows live",
				waitJS(bcQ(item(old.ID))+`.dataset.state === 'done'`),
				waitJS(badge+` === ''`),
				waitJS(bcQ(`[data-testid=inbox-filter-done] .count`)+`.textContent === '2'`),
				waitJS(`window.__noReload === true`),
			)
			bcNoErrors(t, ctx)
		})
	}
}

// offlineStateOf reads a site A message's state through the API.
func offlineStateOf(t *testing.T, f *fixture, id string) string {
	t.Helper()
	ids, states := inboxIDs(t, f.mustDo("GET", "/api/v1/sites/"+f.siteA.ID+"/offline-messages", f.tokens["admin"], nil, 200))
	for i := range ids {
		if ids[i] == id {
			return states[i]
		}
	}
	t.Fatalf("message %s not listed", id)
	return ""
}

// A visitor who leaves no name is told apart in the inbox by its number on the site
// ("Visitor 1"), as in the chat list, never by an id.
func TestBrowserInboxNamesAVisitorByNumber(t *testing.T) {
	ctx := bcBrowser(t, "Europe/Paris")
	f := newFixture(t)
	v, _ := f.visitor(f.siteA.ID, nil)
	v.send(map[string]any{"type": "offline.submit", "id": "o1", "email": "anon@example.com", "message": "No name given"})
	v.waitFor("offline.received")
	bcRun(t, ctx, "the inbox names the visitor by its number",
		bcLogin(f, f.agentA.Email),
		bcClick(`[data-testid=nav-inbox]`),
		waitJS(bcQ(`[data-testid=inbox] [data-testid=inbox-name]`)+`?.textContent === 'Visitor 1'`),
	)
	bcNoErrors(t, ctx)
}
