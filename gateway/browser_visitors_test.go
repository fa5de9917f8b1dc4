package gateway

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The console tells visitors apart: a visitor without a name reads "Visitor N" (its
// number on the site), one with a name by it; beside it, in the chat list and the
// chat's header, the page it is on (as text), its language and its local time; on a
// phone as on a desktop.
func TestBrowserConsoleVisitorNumbers(t *testing.T) {
	for _, size := range [][2]int64{{360, 740}, {1280, 800}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) { testConsoleVisitorNumbers(t, size[0], size[1]) })
	}
}

func testConsoleVisitorNumbers(t *testing.T, width, height int64) {
	ctx := bcBrowser(t, "Europe/Paris")
	f := newFixture(t)
	bcRun(t, ctx, "agentA logs in", chromedp.EmulateViewport(width, height), bcLogin(f, f.agentA.Email))
	f.clock.Advance(15 * time.Second) // the others' start-up grace runs out: agentA answers
	start := func(hello map[string]any, chat map[string]any) string {
		t.Helper()
		v, _ := f.visitor(f.siteA.ID, hello)
		v.send(chat)
		return v.expect("chat.assigned")["conversation"].(map[string]any)["id"].(string)
	}
	first := start(map[string]any{"page": "https://shop.example.com/cart?step=2", "lang": "de-AT", "timezone": "Asia/Tokyo"},
		map[string]any{"type": "chat.start", "id": "c1", "text": "Hallo"})
	second := start(map[string]any{"page": "https://shop.example.com/returns"},
		map[string]any{"type": "chat.start", "id": "c2", "text": "Hi"})
	named := start(nil, map[string]any{"type": "chat.start", "id": "c3", "text": "Hey", "name": "Ann Lee"})
	tab := func(id string) string { return `[data-testid=chat-tab][data-conversation-id="` + id + `"] ` }
	bcRun(t, ctx, "the chat list",
		bcState(`s.chats.length === 3`),
		waitJS(bcQ(tab(first)+`[data-testid=chat-tab-name]`)+`?.textContent === 'Visitor 1'`),
		waitJS(bcQ(tab(second)+`[data-testid=chat-tab-name]`)+`?.textContent === 'Visitor 2'`),
		waitJS(bcQ(tab(named)+`[data-testid=chat-tab-name]`)+`?.textContent === 'Ann Lee'`),
		waitJS(bcQ(tab(first)+`[data-testid=chat-tab-page]`)+`?.textContent === 'https://shop.example.com/cart?step=2'`),
		waitJS(bcQ(tab(second)+`[data-testid=chat-tab-page]`)+`?.textContent === 'https://shop.example.com/returns'`),
		// 09:00:15 UTC (the fake clock) is 18:00 in Tokyo.
		waitJS(bcQ(tab(first)+`[data-testid=chat-tab-locale]`)+`?.textContent === 'Austrian German · 18:00 their time (Asia/Tokyo)'`),
		// No id prefix anywhere in the list.
		waitJS(`![...document.querySelectorAll('[data-testid=chat-tab]')].some(e => /Visitor [0-9a-f]{6}/.test(e.textContent) && !/Visitor [0-9]+$/.test(e.querySelector('[data-testid=chat-tab-name]').textContent))`),
	)
	var head struct{ Name, Page, Locale string }
	var links int
	bcRun(t, ctx, "the chat's header",
		bcClick(tab(first)),
		waitJS(bcQ(`[data-testid=chat][data-conversation-id="`+first+`"]`)+` !== null`),
		chromedp.Evaluate(`(() => { const q = s => document.querySelector('[data-testid=visitor-info] ' + s).textContent;
			return {Name: q('[data-testid=visitor-name]'), Page: q('[data-testid=visitor-page]'), Locale: q('[data-testid=visitor-locale]')} })()`, &head),
		chromedp.Evaluate(`document.querySelectorAll('[data-testid=visitor-info] a[href^=http]').length`, &links),
	)
	if head.Name != "Visitor 1" || head.Page != "https://shop.example.com/cart?step=2" || head.Locale != "Austrian German · 18:00 their time (Asia/Tokyo)" || links != 0 {
		t.Fatalf("header %+v, %d page links", head, links)
	}
	bcNoErrors(t, ctx)
}
