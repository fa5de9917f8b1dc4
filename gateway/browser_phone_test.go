package gateway

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The demo page with the widget open, and the console's chats, at a 360x740 phone
// (mobile emulation: a page wider than the screen would widen the layout viewport)
// and at desktop size: nothing scrolls sideways, and the chat list, the conversation
// and the send button are on screen and work. With UPDATE_SCREENSHOTS=1 the phone run
// writes docs/screenshots/phone-demo.png (the demo page) and phone-console.png.
func TestBrowserPhoneAndDesktopFit(t *testing.T) {
	for _, size := range []struct {
		name          string
		width, height int64
		phone         bool
	}{{"phone", 360, 740, true}, {"desktop", 1280, 800, false}} {
		t.Run(size.name, func(t *testing.T) {
			f, _, ctx := bwSetup(t)
			view := chromedp.EmulateViewport(size.width, size.height)
			if size.phone {
				view = chromedp.EmulateViewport(size.width, size.height, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch)
			}
			bwRun(t, ctx, "viewport", view)
			// fits: the document is no wider than the screen, and the screen is as wide
			// as the device (a mobile browser zooms out to fit a page wider than it).
			fits := fmt.Sprintf(`document.documentElement.scrollWidth <= window.innerWidth && window.innerWidth === %d`, size.width)
			// onScreen: an element is laid out wholly inside the viewport's width.
			onScreen := func(el string) string {
				return `(() => { const e = ` + el + `; if (!e) return false; const r = e.getBoundingClientRect();
					return r.width > 0 && r.height > 0 && r.left >= 0 && r.right <= window.innerWidth + 0.5 && r.top >= 0 && r.bottom <= window.innerHeight + 0.5 })()`
			}
			width := func(what string) {
				t.Helper()
				var w struct{ Scroll, Inner int64 }
				bwEval(t, ctx, `({Scroll: document.documentElement.scrollWidth, Inner: window.innerWidth})`, &w)
				var ok bool
				bwEval(t, ctx, fits, &ok)
				if !ok {
					var wide []string // what sticks out, to say what to fix
					bwEval(t, ctx, fmt.Sprintf(`[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > %d + 0.5)
						.slice(0, 8).map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))`, size.width), &wide)
					t.Fatalf("%s at %dx%d: scrollWidth %d, innerWidth %d; wider: %v", what, size.width, size.height, w.Scroll, w.Inner, wide)
				}
			}

			bwLoad(t, ctx, f.http.URL+"/demo")
			width("the demo page")
			if size.phone {
				saveScreenshot(t, ctx, filepath.Join("docs", "screenshots", "phone-demo.png"))
			}
			bwOpen(t, ctx)
			width("the demo page with the widget open")
			panel := `document.getElementById('livedesk-widget').shadowRoot.querySelector('[data-testid=panel]')`
			send := `document.getElementById('livedesk-widget').shadowRoot.querySelector('[data-testid=send]')`
			bwWait(t, ctx, "the widget's panel and send button on screen", onScreen(panel)+` && `+onScreen(send))
			if size.phone {
				var full bool
				bwEval(t, ctx, `(() => { const r = `+panel+`.getBoundingClientRect(); return r.left === 0 && r.width === window.innerWidth })()`, &full)
				if !full {
					t.Fatal("the opened widget is not full-screen on the phone")
				}
			}

			// The console: agentA's chat with a visitor on a page with a long URL.
			bwRun(t, ctx, "agentA logs in", bcLogin(f, f.agentA.Email))
			long := "https://shop.example.com/products/outdoor/jackets/waterproof-winter-jacket-with-detachable-hood?colour=navy&size=XL&utm_source=newsletter"
			v, _ := f.visitor(f.siteA.ID, map[string]any{"page": long, "lang": "fr-CA", "timezone": "America/Montreal"})
			v.send(map[string]any{"type": "chat.start", "id": "c1", "text": "Bonjour, is this jacket " + strings.Repeat("really ", 12) + "waterproof?"})
			conv := v.expect("chat.assigned")["conversation"].(map[string]any)["id"].(string)
			tab := bcQ(`[data-testid=chat-tab][data-conversation-id="` + conv + `"]`)
			bcRun(t, ctx, "the chat in the console",
				waitJS(tab+` !== null`),
				chromedp.Evaluate(tab+`.click(), true`, nil),
				waitJS(`[...document.querySelectorAll('[data-testid=chat-message]')].some(e => e.textContent.includes('waterproof?'))`),
			)
			width("the console's chats")
			bcRun(t, ctx, "the chat list, the conversation and send are on screen",
				waitJS(onScreen(tab)),
				waitJS(onScreen(bcQ(`[data-testid=chat-messages]`))),
				waitJS(onScreen(bcQ(`[data-testid=chat-input]`))),
				waitJS(onScreen(bcQ(`[data-testid=chat-send]`))),
				waitJS(onScreen(bcQ(`[data-testid=visitor-page]`))),
			)
			bcRun(t, ctx, "the agent answers",
				bcSet(`[data-testid=chat-input]`, "Oui! It is fully waterproof."),
				bcClick(`[data-testid=chat-send]`),
			)
			for {
				if m, _ := v.waitFor("message"); m["from"] == "agent" {
					if m["text"] != "Oui! It is fully waterproof." {
						t.Fatalf("visitor got %v", m)
					}
					break
				}
			}
			bcRun(t, ctx, "the answer is acknowledged", bcState(`s.pending === 0`))
			width("the console after sending")
			if size.phone {
				saveScreenshot(t, ctx, filepath.Join("docs", "screenshots", "phone-console.png"))
			}
			bcNoErrors(t, ctx)
		})
	}
}
