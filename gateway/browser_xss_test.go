package gateway

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The two payloads every untrusted field carries: markup that runs script when it is
// parsed as HTML, and a URL that runs script when it becomes a link and is clicked.
const (
	xssHTML = `<img src=x onerror=window.__xss=1>`
	xssURL  = `javascript:window.__xss=1`
)

// xssClean is true in a page (and the widget's shadow root, when there is one) where
// neither payload took effect: no script ran, no element came from the markup, no
// link would run script when clicked, and the markup shows as text.
const xssClean = `(() => {
	const roots = [document], host = document.getElementById('livedesk-widget');
	if (host && host.shadowRoot) roots.push(host.shadowRoot);
	const all = s => roots.flatMap(r => [...r.querySelectorAll(s)]);
	const bad = [];
	if (window.__xss !== undefined) bad.push('window.__xss = ' + window.__xss);
	all('img').forEach(e => bad.push('an <img> element: ' + e.outerHTML));
	all('[onerror], [onclick], [onload]').forEach(e => bad.push('an inline handler: ' + e.outerHTML));
	all('[href], [src], [action], [formaction]').forEach(e => {
		const v = e.getAttribute('href') || e.getAttribute('src') || e.getAttribute('action') || e.getAttribute('formaction') || '';
		if (/^\s*javascript:/i.test(v)) bad.push('a javascript: URL: ' + e.outerHTML);
	});
	return bad;
})()`

// xssCheck fails the test when the payloads took effect in the tab.
func xssCheck(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	var bad []string
	bwEval(t, ctx, xssClean, &bad)
	if len(bad) > 0 {
		t.Fatalf("%s: %v", where, bad)
	}
}

// xssShows waits until the tab (widget included) shows text as text, count times at least.
func xssShows(t *testing.T, ctx context.Context, where, text string, count int) {
	t.Helper()
	bwWait(t, ctx, where+" shows "+text, `(() => { const host = document.getElementById('livedesk-widget');
		const s = document.body.innerText + ' ' + (host && host.shadowRoot ? [...host.shadowRoot.children].map(e => e.innerText || '').join(' ') : '');
		return s.split(`+bcJS(text)+`).length - 1 >= `+bcJS(count)+` })()`)
}

// Untrusted text is rendered as text everywhere: both payloads go through every field
// a visitor, an agent or an admin can fill (visitor names, messages both ways, the
// offline form and its custom fields, page URLs, field labels, site and agent names),
// and neither the widget nor the console (chats and offline inbox) runs them or makes
// them a link.
func TestBrowserUntrustedTextStaysText(t *testing.T) {
	f, _, ctx := bwSetup(t) // ctx: the visitor's tab with the widget
	admin := f.tokens["admin"]
	f.mustDo("PATCH", "/api/v1/agents/"+f.agentA.ID, admin, map[string]any{"name": xssHTML}, 200)
	f.mustDo("PATCH", "/api/v1/sites/"+f.siteA.ID, admin, map[string]any{"name": xssHTML + " shop", "mode": "offline",
		"offline_form": map[string]any{"fields": []any{
			map[string]any{"name": "ref", "label": xssHTML, "labels": map[string]string{"en": xssHTML + " ref"}},
			map[string]any{"name": "site", "label": xssURL},
		}}}, 200)

	// The visitor leaves an offline message with both payloads in every field.
	bwLoad(t, ctx, f.http.URL+"/demo?q="+xssHTML)
	bwOpen(t, ctx)
	bwWait(t, ctx, "the offline form", inWidget(`return !!w.querySelector('[data-testid=offline-field-ref]')`))
	bwEval(t, ctx, inWidget(`const set = (id, v) => { const e = w.querySelector('[data-testid=' + id + ']'); e.value = v; e.dispatchEvent(new Event('input', {bubbles: true})) };
		set('offline-name', `+bcJS(xssHTML)+`); set('offline-email', 'x@example.com'); set('offline-message', `+bcJS(xssHTML+" "+xssURL)+`);
		set('offline-field-ref', `+bcJS(xssURL)+`); set('offline-field-site', `+bcJS(xssHTML)+`);
		w.querySelector('[data-testid=offline-submit]').click(); return true`), nil)
	bwWait(t, ctx, "the thank-you", inWidget(`return w.querySelector('[data-testid=offline-thanks]').checkVisibility()`))
	xssCheck(t, ctx, "the widget after the offline form")

	// The site opens; agentA has the console open. The visitor chats (under the name it
	// gave in the form), and two more visitors come with the payloads as page and name.
	console, cancel := chromedp.NewContext(ctx)
	defer cancel()
	bwRun(t, console, "agentA logs in", bcEmulate("UTC"), bcLogin(f, f.agentA.Email))
	f.mustDo("PUT", "/api/v1/sites/"+f.siteA.ID+"/mode", admin, map[string]string{"mode": "auto"}, 200)
	bwWait(t, ctx, "the site online", `window.LivedeskWidget.state().status.online === true`)
	bwEval(t, ctx, inWidget(`w.querySelector('[data-testid=launcher]').click(); w.querySelector('[data-testid=launcher]').click(); return true`), nil)
	bwEval(t, ctx, inWidget(`const i = w.querySelector('[data-testid=input]'); i.value = `+bcJS(xssHTML)+`;
		w.querySelector('[data-testid=send]').click(); return true`), nil)
	bwWait(t, ctx, "the chat", `!!window.LivedeskWidget.state().conversation && window.LivedeskWidget.state().pending === 0`)
	conv := bwConversationID(t, ctx)
	v2, _ := f.visitor(f.siteA.ID, map[string]any{"page": xssHTML})
	v2.send(map[string]any{"type": "chat.start", "id": "c2", "text": xssURL, "name": xssURL})
	conv2 := v2.expect("chat.assigned")["conversation"].(map[string]any)["id"].(string)
	v3, _ := f.visitor(f.siteA.ID, map[string]any{"page": xssURL})
	v3.send(map[string]any{"type": "chat.start", "id": "c3", "text": xssHTML, "name": xssHTML})
	conv3 := v3.expect("chat.assigned")["conversation"].(map[string]any)["id"].(string)

	// The console shows each chat (list and pane); agentA answers the widget's visitor
	// with both payloads.
	for _, id := range []string{conv2, conv3, conv} {
		bcRun(t, console, "open chat "+id, bcClick(`[data-testid=chat-tab][data-conversation-id="`+id+`"]`),
			bcWait(`[data-testid=chat][data-conversation-id="`+id+`"] [data-testid=chat-message]`))
	}
	for _, text := range []string{xssHTML, xssURL} {
		bcRun(t, console, "agentA answers", bcSet(`[data-testid=chat-input]`, text), bcClick(`[data-testid=chat-send]`),
			bcState(`s.pending === 0`))
	}
	xssShows(t, console, "the console", xssHTML, 5) // names, a page, texts, the site's name
	xssShows(t, console, "the console", xssURL, 3)  // a name, a page, the answer
	xssCheck(t, console, "the console's chats")

	// The widget shows the agent's answers and name as text.
	bwWait(t, ctx, "the answers", inWidget(`return [...w.querySelectorAll('[data-testid=message][data-from=agent]')].length === 2`))
	xssShows(t, ctx, "the widget", xssURL, 1)
	xssShows(t, ctx, "the widget", xssHTML, 3) // the visitor's text, the answer, the agent's name
	xssCheck(t, ctx, "the widget after the chat")

	// An admin reads the offline message in the console's inbox.
	inbox, cancel2 := chromedp.NewContext(ctx)
	defer cancel2()
	bwRun(t, inbox, "the admin's inbox", bcEmulate("UTC"), bcLogin(f, f.admin.Email), bcClick(`[data-testid=nav-inbox]`),
		bcState(`s.admin.inbox.loaded`), bcWait(`[data-testid=inbox] [data-testid=inbox-item]`),
		bcClick(`[data-testid=inbox] [data-testid=inbox-open]`), // a message's details show once opened
		bcWait(`[data-testid=inbox] [data-testid=inbox-item].open [data-testid=inbox-page]`))
	xssShows(t, inbox, "the inbox", xssHTML, 3) // name, message, a field (and the site's name)
	xssShows(t, inbox, "the inbox", xssURL, 2)
	xssCheck(t, inbox, "the console's inbox")
	var page string
	bwEval(t, inbox, `document.querySelector('[data-testid=inbox-page]').getAttribute('href') || ''`, &page)
	if !strings.HasPrefix(page, f.http.URL+"/demo?q=") {
		t.Fatalf("inbox page link %q", page)
	}
	bcNoErrors(t, console)
	bcNoErrors(t, inbox)
}

// bwConversationID is the widget's conversation id.
func bwConversationID(t *testing.T, ctx context.Context) string {
	t.Helper()
	var id string
	bwEval(t, ctx, `window.LivedeskWidget.state().conversation.id`, &id)
	return id
}
