package gateway

// The chromedp helpers the widget's browser tests share (bw*).

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/livedesk/gateway/widget"
)

// The visitor widget in headless chromium against the real gateway. The agent's side is
// a real agent websocket client (the console has its own browser tests). The server's
// fake clock drives every time boundary; the browser only polls the DOM, within bounds.

// bwHookJS runs before each document of a test page. The page keeps the computer's own
// clock: the widget takes the server's (fake) clock from the welcome's now.
//   - window.__bwSent records the frames the widget sends; window.__bwWS is its latest
//     socket (__bwWS.onmessage({data}) hands the widget a frame as if the server sent it);
//   - while window.__bwHold is true, frames from the server are held in window.__bwHeld
//     (each {data, run}) instead of reaching the widget: a frame "in flight".
const bwHookJS = `(() => {
  window.__bwHold = false; window.__bwHeld = []; window.__bwSent = [];
  const WS = window.WebSocket;
  window.WebSocket = class extends WS {
    constructor(...a) { super(...a); window.__bwWS = this; }
    send(d) { window.__bwSent.push(String(d)); return super.send(d); }
    get onmessage() { return super.onmessage; }
    set onmessage(fn) {
      super.onmessage = ev => {
        if (window.__bwHold) window.__bwHeld.push({ data: String(ev.data), run: () => fn.call(this, ev) });
        else fn.call(this, ev);
      };
    }
  };
})()`

// bwRelease delivers the held frames in order and stops holding.
const bwRelease = `(() => { window.__bwHold = false; window.__bwHeld.splice(0).forEach(h => h.run()); return true })()`

// bwInput is the JS path of the widget's message box, for real key presses.
const bwInput = `document.getElementById('livedesk-widget').shadowRoot.querySelector('[data-testid=input]')`

// bwFrenchPage is a page of the site in French, with the widget told so by data-lang.
const bwFrenchPage = `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Boutique</title></head>
<body><h1>Boutique de démonstration</h1><script src="/widget.js" data-site="%s" data-lang="fr" async></script></body></html>`

// bwSize is a browser window a widget test runs in.
type bwSize struct {
	name          string
	width, height int64
	phone         bool // mobile emulation: touch, and a device scale of 2
}

// bwSizes are the desktop and the phone sizes the widget's layout is checked at.
var bwSizes = []bwSize{{"desktop", 1280, 800, false}, {"phone", 360, 740, true}}

// bwViewport emulates the size.
func bwViewport(s bwSize) chromedp.Action {
	if s.phone {
		return chromedp.EmulateViewport(s.width, s.height, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	return chromedp.EmulateViewport(s.width, s.height)
}

type bwWidgetState struct {
	Connected bool `json:"connected"`
	Status    *struct {
		Online  bool    `json:"online"`
		Reason  string  `json:"reason"`
		OpensAt *string `json:"opens_at"`
	} `json:"status"`
	Conversation *struct {
		ID    string `json:"id"`
		State string `json:"state"`
	} `json:"conversation"`
	Pending int    `json:"pending"`
	Open    bool   `json:"open"`
	View    string `json:"view"`
}

type bwMsg struct {
	From    string `json:"from"`
	Text    string `json:"text"`
	Pending bool   `json:"pending"`
	Seq     string `json:"seq"`
}

// bwSetup starts a fixture whose site A has the Monday hours of ws_hours_test.go and
// agentA ("Alice") connected through a real websocket, serves the demo page (/demo)
// and a French page (/fr), and starts chromium with the hook installed.
func bwSetup(t *testing.T) (*fixture, *wsClient, context.Context) {
	t.Helper()
	ctx := browser(t)
	f := newFixture(t)
	f.mustDo("PATCH", "/api/v1/agents/"+f.agentA.ID, f.tokens["admin"], map[string]any{"name": "Alice"}, 200)
	agent := f.deskSetup()
	bwServe(f)
	bwRun(t, ctx, "hook", bwHook())
	return f, agent, ctx
}

func bwServe(f *fixture) {
	f.extra = func(w http.ResponseWriter, r *http.Request) bool {
		var body []byte
		switch r.URL.Path {
		case "/demo":
			body = widget.DemoPage(f.siteA.ID)
		case "/fr":
			body = []byte(fmt.Sprintf(bwFrenchPage, f.siteA.ID))
		default:
			return false
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(body)
		return true
	}
}

func bwHook() chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		_, err := page.AddScriptToEvaluateOnNewDocument(bwHookJS).Do(ctx)
		return err
	})
}

func bwRun(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action) {
	t.Helper()
	if err := chromedp.Run(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// bwEval evaluates JavaScript in the page into out (nil: ignore the result).
func bwEval(t *testing.T, ctx context.Context, js string, out any) {
	t.Helper()
	bwRun(t, ctx, "evaluate "+js, chromedp.Evaluate(js, out))
}

func bwState(t *testing.T, ctx context.Context) bwWidgetState {
	t.Helper()
	var st bwWidgetState
	bwEval(t, ctx, `window.LivedeskWidget.state()`, &st)
	return st
}

// bwWait polls a JavaScript condition (waitJS: 50 ms interval, 15 s at most).
func bwWait(t *testing.T, ctx context.Context, what, cond string) {
	t.Helper()
	if err := chromedp.Run(ctx, waitJS(cond)); err != nil {
		var dump string
		_ = chromedp.Run(ctx, chromedp.Evaluate(`JSON.stringify({state: window.LivedeskWidget && window.LivedeskWidget.state(), `+
			`launcher: (document.getElementById('livedesk-widget')||{}).shadowRoot && document.getElementById('livedesk-widget').shadowRoot.querySelector('[data-testid=launcher]').textContent})`, &dump))
		t.Fatalf("waiting for %s: %v (widget: %s)", what, err, dump)
	}
}

// bwLoad opens a page and waits for the widget's welcome.
func bwLoad(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	bwRun(t, ctx, "load "+url, chromedp.Navigate(url))
	bwWait(t, ctx, "the widget's welcome", `!!window.LivedeskWidget && window.LivedeskWidget.state().connected && !!window.LivedeskWidget.state().status`)
}

// bwOpen clicks the launcher and waits for the panel.
func bwOpen(t *testing.T, ctx context.Context) {
	t.Helper()
	bwEval(t, ctx, inWidget(`w.querySelector('[data-testid=launcher]').click(); return true`), nil)
	bwWait(t, ctx, "the panel", inWidget(`return w.querySelector('[data-testid=panel]').checkVisibility()`))
}

// bwSay types a message into the widget with real key presses and sends it with Enter.
func bwSay(t *testing.T, ctx context.Context, text string) {
	t.Helper()
	bwWait(t, ctx, "the message box", inWidget(`return w.querySelector('[data-testid=input]').checkVisibility()`))
	bwRun(t, ctx, "type "+text, chromedp.SendKeys(bwInput, text+kb.Enter, chromedp.ByJSPath))
}

// bwMessages is the widget's transcript as shown.
func bwMessages(t *testing.T, ctx context.Context) []bwMsg {
	t.Helper()
	var ms []bwMsg
	bwEval(t, ctx, inWidget(`return [...w.querySelectorAll('[data-testid=message]')].map(e => ({from: e.dataset.from,
		text: e.querySelector('div:not(.who)').textContent, pending: e.hasAttribute('data-pending'), seq: e.dataset.seq || ''}))`), &ms)
	return ms
}

// bwShows waits until the transcript has a settled (acknowledged or pushed) message.
func bwShows(t *testing.T, ctx context.Context, from, text string) {
	t.Helper()
	js, _ := json.Marshal(text)
	bwWait(t, ctx, from+" message "+text, inWidget(fmt.Sprintf(`return [...w.querySelectorAll('[data-testid=message]')].some(e =>
		e.dataset.from === %q && !e.hasAttribute('data-pending') && e.querySelector('div:not(.who)').textContent === %s)`, from, js)))
}

func bwText(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	var s string
	bwEval(t, ctx, inWidget(fmt.Sprintf(`return w.querySelector(%q).textContent`, sel)), &s)
	return s
}

func bwAttr(t *testing.T, ctx context.Context, sel, attr string) string {
	t.Helper()
	var s string
	bwEval(t, ctx, inWidget(fmt.Sprintf(`return w.querySelector(%q).getAttribute(%q) || ''`, sel, attr)), &s)
	return s
}

// bwVisitorSaid waits for the agent to receive the visitor's message with text.
func bwVisitorSaid(t *testing.T, agent *wsClient, text string) map[string]any {
	t.Helper()
	for {
		m, _ := agent.waitFor("message")
		if m["text"] == text {
			if m["from"] != "visitor" {
				t.Fatalf("agent got %v", m)
			}
			return m
		}
	}
}

// bwAgentSays sends an agent message and waits for its ack.
func bwAgentSays(t *testing.T, agent *wsClient, convID, text string) {
	t.Helper()
	id := fmt.Sprintf("a%d", time.Now().UnixNano())
	agent.send(map[string]any{"type": "message", "id": id, "conversation_id": convID, "text": text})
	if ack, _ := agent.waitFor("message.ack"); ack["re"] != id {
		t.Fatalf("agent's ack %v", ack)
	}
}

// bwDrain returns the frames the client has pending (a ping's pong closes them).
func bwDrain(c *wsClient) []map[string]any {
	c.T.Helper()
	c.send(map[string]string{"type": "ping"})
	_, skipped := c.waitFor("pong")
	return skipped
}

// bwStartChat opens the widget, starts a chat that agentA gets and answers, and
// returns the conversation id.
func bwStartChat(t *testing.T, ctx context.Context, agent *wsClient, first, reply string) string {
	t.Helper()
	bwOpen(t, ctx)
	bwSay(t, ctx, first)
	m, _ := agent.waitFor("chat.assigned")
	conv := m["conversation"].(map[string]any)
	convID := conv["id"].(string)
	if msgs := conv["messages"].([]any); len(msgs) != 1 || msgs[0].(map[string]any)["text"] != first {
		t.Fatalf("agent's chat.assigned %v", m)
	}
	bwShows(t, ctx, "visitor", first)
	bwAgentSays(t, agent, convID, reply)
	bwShows(t, ctx, "agent", reply)
	if st := bwState(t, ctx); st.Conversation == nil || st.Conversation.ID != convID || st.Conversation.State != "open" {
		t.Fatalf("widget state after the start: %+v", st)
	}
	return convID
}
