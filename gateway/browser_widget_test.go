package gateway

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// (a) The site closes while a chat goes on: the widget shows the site offline without
// a reload, keeps the chat, and both sides keep talking.
func TestBrowserWidgetFlipsOfflineLiveDuringAnOpenChat(t *testing.T) {
	f, agent, ctx := bwSetup(t)
	bwRun(t, ctx, "time zone", emulation.SetTimezoneOverride("Europe/Paris"))
	bwLoad(t, ctx, f.http.URL+"/demo")
	if st := bwState(t, ctx); !st.Status.Online || st.View != "chat" {
		t.Fatalf("widget at 10:00 Paris: %+v", st)
	}
	if got := bwText(t, ctx, "[data-testid=status]"); got != "We're online" {
		t.Fatalf("launcher says %q", got)
	}
	convID := bwStartChat(t, ctx, agent, "Hello, is my order shipped?", "Hi, Alice here. Let me look.")
	bwEval(t, ctx, `window.__bwMark = performance.timeOrigin; true`, nil) // a reload would lose it

	f.clock.Set(lunchStart) // 12:00 Paris
	bwWait(t, ctx, "the status flip", `window.LivedeskWidget.state().status.online === false`)
	st := bwState(t, ctx)
	if st.Status.Reason != "outside_hours" || st.View != "chat" || !st.Open || st.Conversation == nil || st.Conversation.ID != convID {
		t.Fatalf("widget after closing: %+v", st)
	}
	if got := bwText(t, ctx, "[data-testid=status]"); got != "Back at 13:00" {
		t.Fatalf("launcher after closing says %q", got)
	}
	if got := bwAttr(t, ctx, "[data-testid=launcher]", "data-state"); got != "offline" {
		t.Fatalf("launcher data-state %q", got)
	}
	var same bool
	bwEval(t, ctx, `window.__bwMark === performance.timeOrigin`, &same)
	if !same {
		t.Fatal("the page was reloaded")
	}
	var shown string
	bwEval(t, ctx, inWidget(`const v = s => !!w.querySelector(s) && w.querySelector(s).checkVisibility();
		return [v('.chat'), v('[data-testid=input]'), v('[data-testid=offline-form]')].join()`), &shown)
	if shown != "true,true,false" {
		t.Fatalf("after closing, chat view, message box, offline form shown: %s", shown)
	}
	bwAgentSays(t, agent, convID, "Shipped this morning, it arrives tomorrow.")
	bwShows(t, ctx, "agent", "Shipped this morning, it arrives tomorrow.")
	bwSay(t, ctx, "Great, thanks!")
	if m := bwVisitorSaid(t, agent, "Great, thanks!"); m["conversation_id"] != convID {
		t.Fatalf("agent got %v", m)
	}
	bwShows(t, ctx, "visitor", "Great, thanks!")
	ms := bwMessages(t, ctx)
	if len(ms) != 4 || ms[0].Seq != "1" || ms[3].Seq != "4" || ms[3].Pending {
		t.Fatalf("transcript %+v", ms)
	}
	if st := bwState(t, ctx); st.Pending != 0 || st.Status.Online {
		t.Fatalf("widget at the end: %+v", st)
	}
}

// (b) A visitor who loaded the page while online starts a chat after closing time,
// before the widget heard of it: routing looks at that instant, so the visitor gets the
// offline form with the text, and what it submits is stored.
func TestBrowserWidgetChatStartedAfterClosingGoesToTheOfflineForm(t *testing.T) {
	f, agent, ctx := bwSetup(t)
	bwLoad(t, ctx, f.http.URL+"/demo")
	bwOpen(t, ctx)
	if st := bwState(t, ctx); !st.Status.Online || st.View != "chat" {
		t.Fatalf("widget at 10:00 Paris: %+v", st)
	}
	// The status frame of the closing is in flight when the visitor sends its text.
	bwEval(t, ctx, `window.__bwHold = true`, nil)
	f.clock.Set(lunchStart.Add(time.Second))
	bwSay(t, ctx, "Can I still return the blue shoes?")
	bwWait(t, ctx, "chat.offline from the server", `window.__bwHeld.some(h => JSON.parse(h.data).type === 'chat.offline')`)
	// In flight: closing_soon (10 minutes before), the status of the closing, the answer.
	var types string
	bwEval(t, ctx, `window.__bwHeld.map(h => JSON.parse(h.data)).map(f => f.type + (f.status ? ':' + f.status.reason : '')).join(',')`, &types)
	if types != "closing_soon,status:outside_hours,chat.offline" {
		t.Fatalf("frames in flight: %s", types)
	}
	bwEval(t, ctx, bwRelease, nil)
	bwWait(t, ctx, "the offline form", inWidget(`return !!w.querySelector('[data-testid=offline-form]') && w.querySelector('[data-testid=offline-form]').checkVisibility()`))
	var pre string
	bwEval(t, ctx, inWidget(`return w.querySelector('[data-testid=offline-message]').value`), &pre)
	if pre != "Can I still return the blue shoes?" {
		t.Fatalf("offline form prefilled with %q", pre)
	}
	if st := bwState(t, ctx); st.View != "offline" || st.Conversation != nil || st.Status.Online || st.Pending != 0 {
		t.Fatalf("widget with the offline form: %+v", st)
	}
	if ms := bwMessages(t, ctx); len(ms) != 0 {
		t.Fatalf("transcript after chat.offline: %+v", ms)
	}
	// Keyboard: the name and e-mail, then Enter in the e-mail field submits.
	field := func(name string) string {
		return `document.getElementById('livedesk-widget').shadowRoot.querySelector('[data-testid=offline-` + name + `]')`
	}
	bwRun(t, ctx, "fill the form",
		chromedp.SendKeys(field("name"), "Dana", chromedp.ByJSPath),
		chromedp.SendKeys(field("email"), "dana@example.com"+kb.Enter, chromedp.ByJSPath))
	bwWait(t, ctx, "the thank-you", inWidget(`return w.querySelector('[data-testid=offline-thanks]').checkVisibility()`))
	if got := bwText(t, ctx, "[data-testid=offline-thanks]"); got != "Thanks, we'll get back to you" {
		t.Fatalf("thank-you says %q", got)
	}
	var focused string
	bwEval(t, ctx, inWidget(`return w.activeElement ? w.activeElement.dataset.testid : ''`), &focused)
	if focused != "offline-thanks" {
		t.Fatalf("focus after sending is on %q", focused)
	}
	if st := bwState(t, ctx); st.View != "thanks" || st.Pending != 0 {
		t.Fatalf("widget after sending: %+v", st)
	}
	var got struct {
		Messages []struct{ Name, Email, Message, Page string }
	}
	if err := json.Unmarshal(f.mustDo("GET", "/api/v1/sites/"+f.siteA.ID+"/offline-messages", f.tokens["admin"], nil, 200).Body, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Messages) != 1 || got.Messages[0].Message != "Can I still return the blue shoes?" || got.Messages[0].Email != "dana@example.com" ||
		got.Messages[0].Name != "Dana" || !strings.HasSuffix(got.Messages[0].Page, "/demo") {
		t.Fatalf("offline messages %+v", got)
	}
	// No conversation was created, and the agent was offered none.
	convs := f.mustDo("GET", "/api/v1/conversations?site="+f.siteA.ID, f.tokens["admin"], nil, 200).json(t)
	if l, _ := convs["conversations"].([]any); len(l) != 0 {
		t.Fatalf("conversations %v", convs)
	}
	for _, m := range bwDrain(agent) {
		if m["type"] == "chat.assigned" {
			t.Fatalf("agent got %v", m)
		}
	}
	// The admin finds it in the console's inbox, in another tab.
	console, cancel := chromedp.NewContext(ctx)
	defer cancel()
	bwRun(t, console, "the console's inbox", bcLogin(f, f.admin.Email), bcClick(`[data-testid=nav-inbox]`),
		waitJS(`[...document.querySelectorAll('[data-testid=inbox] [data-testid=inbox-item]')].some(e => e.textContent.includes('Can I still return the blue shoes?') && e.textContent.includes('dana@example.com'))`))
	bcNoErrors(t, console)
}

// (c) A site that is offline with its offline form disabled shows no widget; it shows
// up, without a reload, when the site comes back, and goes again.
func TestBrowserWidgetHiddenWhenOfflineWithoutForm(t *testing.T) {
	f, _, ctx := bwSetup(t)
	f.mustDo("PATCH", "/api/v1/sites/"+f.siteA.ID, f.tokens["admin"], map[string]any{"mode": "offline", "offline_form": map[string]any{"enabled": false}}, 200)
	hidden := `getComputedStyle(document.getElementById('livedesk-widget')).display === 'none' &&
		document.getElementById('livedesk-widget').shadowRoot.querySelector('[data-testid=launcher]').getClientRects().length === 0`
	bwLoad(t, ctx, f.http.URL+"/demo")
	if st := bwState(t, ctx); st.Status.Online || st.Status.Reason != "paused" {
		t.Fatalf("widget state: %+v", st)
	}
	var ok bool
	bwEval(t, ctx, hidden, &ok)
	if !ok {
		t.Fatal("the widget shows on a paused site without an offline form")
	}
	f.mustDo("PUT", "/api/v1/sites/"+f.siteA.ID+"/mode", f.tokens["admin"], map[string]string{"mode": "auto"}, 200)
	bwWait(t, ctx, "the widget to show", `window.LivedeskWidget.state().status.online === true && !(`+hidden+`)`)
	if got := bwText(t, ctx, "[data-testid=status]"); got != "We're online" {
		t.Fatalf("launcher says %q", got)
	}
	f.mustDo("PUT", "/api/v1/sites/"+f.siteA.ID+"/mode", f.tokens["admin"], map[string]string{"mode": "offline"}, 200)
	bwWait(t, ctx, "the widget to hide", `window.LivedeskWidget.state().status.online === false && `+hidden)
}

// (d) A reload in the middle of a conversation resumes it, and a message the server
// stored but whose ack the reload lost is sent again and kept once.
func TestBrowserWidgetReloadResumesTheConversation(t *testing.T) {
	f, agent, ctx := bwSetup(t)
	bwLoad(t, ctx, f.http.URL+"/demo")
	convID := bwStartChat(t, ctx, agent, "Do you ship to Norway?", "We do, in 3 to 5 days.")

	bwRun(t, ctx, "reload", chromedp.Reload())
	bwWait(t, ctx, "the widget after the reload", `!!window.LivedeskWidget && window.LivedeskWidget.state().connected`)
	st := bwState(t, ctx)
	if st.Conversation == nil || st.Conversation.ID != convID || st.Conversation.State != "open" || st.View != "chat" {
		t.Fatalf("widget after the reload: %+v", st)
	}
	var hello struct {
		VisitorToken string `json:"visitor_token"`
		LastSeq      int    `json:"last_seq"`
		Lang         string `json:"lang"`
	}
	var raw string
	bwEval(t, ctx, `window.__bwSent[0]`, &raw)
	if err := json.Unmarshal([]byte(raw), &hello); err != nil || hello.VisitorToken == "" || hello.LastSeq != 2 || hello.Lang != "en-US" {
		t.Fatalf("hello after the reload: %s", raw)
	}
	bwOpen(t, ctx)
	ms := bwMessages(t, ctx)
	if len(ms) != 2 || ms[0].Text != "Do you ship to Norway?" || ms[1].Text != "We do, in 3 to 5 days." || ms[1].From != "agent" {
		t.Fatalf("transcript after the reload: %+v", ms)
	}
	bwAgentSays(t, agent, convID, "Anything else?")
	bwShows(t, ctx, "agent", "Anything else?")

	// The server stores the next message but its ack never reaches this page.
	bwEval(t, ctx, `window.__bwHold = true`, nil)
	bwSay(t, ctx, "Yes: can I pay by invoice?")
	bwVisitorSaid(t, agent, "Yes: can I pay by invoice?")
	var frameID string
	bwEval(t, ctx, `JSON.parse(window.__bwSent.filter(s => JSON.parse(s).type === 'message').pop()).id`, &frameID)
	if st := bwState(t, ctx); st.Pending != 1 {
		t.Fatalf("widget before the reload: %+v", st)
	}
	bwRun(t, ctx, "reload", chromedp.Reload())
	bwWait(t, ctx, "the resent message's ack", `!!window.LivedeskWidget && window.LivedeskWidget.state().connected && window.LivedeskWidget.state().pending === 0`)
	var resent bool
	bwEval(t, ctx, fmt.Sprintf(`window.__bwSent.some(s => { const f = JSON.parse(s); return f.type === 'message' && f.id === %q })`, frameID), &resent)
	if !resent {
		t.Fatal("the unacknowledged message was not sent again with its id")
	}
	bwShows(t, ctx, "visitor", "Yes: can I pay by invoice?")
	ms = bwMessages(t, ctx)
	if len(ms) != 4 || ms[3].Text != "Yes: can I pay by invoice?" || ms[3].Seq != "4" || ms[3].Pending {
		t.Fatalf("transcript after the second reload: %+v", ms)
	}
	for _, m := range bwDrain(agent) {
		if m["type"] == "message" {
			t.Fatalf("the resend reached the agent twice: %v", m)
		}
	}
	bwAgentSays(t, agent, convID, "Sure.")
	bwShows(t, ctx, "agent", "Sure.")
	if got := bwMessages(t, ctx); len(got) != 5 {
		t.Fatalf("transcript at the end: %+v", got)
	}
}

// (e) "Back at" is in the visitor's own time zone and language: the language comes from
// data-lang, else from the browser's languages, else English. The hello tells the
// gateway the browser's own language (navigator.language), whatever the widget shows.
func TestBrowserWidgetTimeZoneAndLanguage(t *testing.T) {
	ctx := browser(t)
	f := newFixture(t)
	f.deskSetup()
	f.clock.Set(lunchStart) // 12:00 Paris: back at 13:00 Paris = 12:00Z = 07:00 in New York
	bwServe(f)
	bwRun(t, ctx, "hook", bwHook(), emulation.SetTimezoneOverride("America/New_York"))

	type seen struct {
		Status, Label, Lang, Hello, Title, Intro, Submit, Close, Dialog string
	}
	look := func(url string) seen {
		t.Helper()
		bwLoad(t, ctx, url)
		bwOpen(t, ctx)
		bwWait(t, ctx, "the offline form", inWidget(`return !!w.querySelector('[data-testid=offline-form]')`))
		var s seen
		bwEval(t, ctx, inWidget(`const q = s => w.querySelector(s); return {
			Status: q('[data-testid=status]').textContent, Label: q('[data-testid=launcher]').getAttribute('aria-label'),
			Lang: document.getElementById('livedesk-widget').lang, Hello: JSON.parse(window.__bwSent[0]).lang,
			Title: q('header b').textContent, Intro: q('[data-testid=offline-form] p').textContent,
			Submit: q('[data-testid=offline-submit]').textContent, Close: q('header button:last-child').getAttribute('aria-label'),
			Dialog: q('[data-testid=panel]').getAttribute('aria-label')}`), &s)
		return s
	}
	en := look(f.http.URL + "/demo")
	if en.Status != "Back at 07:00" || en.Label != "Close chat: Back at 07:00" || en.Lang != "en" || en.Hello != "en-US" {
		t.Fatalf("English page in New York: %+v", en)
	}
	fr := look(f.http.URL + "/fr")
	want := seen{Status: "De retour à 07:00", Label: "Fermer la discussion: De retour à 07:00", Lang: "fr", Hello: "en-US",
		Title: "Discutez avec nous", Intro: "Nous ne sommes pas disponibles pour le moment. Laissez-nous un message, nous vous répondrons au plus vite.",
		Submit: "Envoyer le message", Close: "Fermer la discussion", Dialog: "Discussion"}
	if fr != want {
		t.Fatalf("French page:\n got %+v\nwant %+v", fr, want)
	}
	// No data-lang: the browser's first language the widget has.
	var ua string
	bwEval(t, ctx, `navigator.userAgent`, &ua)
	bwRun(t, ctx, "languages", emulation.SetUserAgentOverride(ua).WithAcceptLanguage("es-MX,es;q=0.9"))
	if es := look(f.http.URL + "/demo"); es.Status != "Volvemos a las 07:00" || es.Hello != "es-MX" || es.Close != "Cerrar el chat" {
		t.Fatalf("Spanish browser: %+v", es)
	}
	bwRun(t, ctx, "languages", emulation.SetUserAgentOverride(ua).WithAcceptLanguage("nl-NL,nl;q=0.9,de-AT;q=0.8"))
	if de := look(f.http.URL + "/demo"); de.Status != "Ab 07:00 Uhr wieder da" || de.Hello != "nl-NL" || de.Submit != "Nachricht senden" {
		t.Fatalf("Dutch-then-German browser: %+v", de)
	}
	bwRun(t, ctx, "languages", emulation.SetUserAgentOverride(ua).WithAcceptLanguage("it-IT,it;q=0.9"))
	if it := look(f.http.URL + "/demo"); it.Status != "Back at 07:00" || it.Hello != "it-IT" {
		t.Fatalf("Italian browser (falls back to English): %+v", it)
	}
	// data-lang wins over the browser's languages.
	if fr2 := look(f.http.URL + "/fr"); fr2.Status != "De retour à 07:00" || fr2.Hello != "it-IT" {
		t.Fatalf("French page in an Italian browser: %+v", fr2)
	}
	// After 17:00 Paris the next opening is next Monday: the day is named, in French.
	f.clock.Set(time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC))
	bwWait(t, ctx, "the evening status", `window.LivedeskWidget.state().status.opens_at === '2026-11-30T07:00:00Z'`)
	if got := bwText(t, ctx, "[data-testid=status]"); got != "De retour lundi 30 novembre à 02:00" {
		t.Fatalf("French launcher in the evening: %q", got)
	}
}

// (f) Screenshots of the widget for the docs, written only with UPDATE_SCREENSHOTS=1.
func TestBrowserWidgetScreenshots(t *testing.T) {
	f, agent, ctx := bwSetup(t)
	write := os.Getenv("UPDATE_SCREENSHOTS") == "1"
	shot := func(name string) {
		t.Helper()
		var png []byte
		bwRun(t, ctx, "screenshot "+name, chromedp.CaptureScreenshot(&png))
		if len(png) < 1000 {
			t.Fatalf("screenshot %s: %d bytes", name, len(png))
		}
		if write {
			p := filepath.Join("..", "docs", "screenshots", name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	bwRun(t, ctx, "viewport", chromedp.EmulateViewport(1000, 700), emulation.SetTimezoneOverride("Europe/Paris"))
	bwLoad(t, ctx, f.http.URL+"/demo")
	shot("widget-online.png")

	convID := bwStartChat(t, ctx, agent, "Hi! Do you ship to Norway?", "Hello, I'm Alice. Yes, we ship to Norway in 3 to 5 working days.")
	bwSay(t, ctx, "Great. And can I pay by invoice?")
	bwVisitorSaid(t, agent, "Great. And can I pay by invoice?")
	bwShows(t, ctx, "visitor", "Great. And can I pay by invoice?")
	agent.send(map[string]any{"type": "typing", "conversation_id": convID, "state": true})
	bwWait(t, ctx, "the typing line", inWidget(`return w.querySelector('[data-testid=typing]').checkVisibility()`))
	bwEval(t, ctx, `document.activeElement.blur(); true`, nil)
	shot("widget-chat.png")

	agent.send(map[string]any{"type": "chat.end", "id": "end1", "conversation_id": convID})
	bwWait(t, ctx, "the end of the chat", `window.LivedeskWidget.state().conversation === null`)
	f.clock.Set(lunchStart)
	bwWait(t, ctx, "the offline form", inWidget(`return !!w.querySelector('[data-testid=offline-form]') && w.querySelector('[data-testid=offline-form]').checkVisibility()`))
	bwEval(t, ctx, inWidget(`const q = s => w.querySelector(s);
		q('[data-testid=offline-name]').value = 'Dana'; q('[data-testid=offline-email]').value = 'dana@example.com';
		q('[data-testid=offline-message]').value = 'Please send me the invoice terms for a company account.'; return true`), nil)
	bwEval(t, ctx, `document.activeElement.blur(); true`, nil)
	shot("widget-offline-form.png")
}
