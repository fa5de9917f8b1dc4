package gateway

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/livedesk/gateway/widget"
)

// browser starts Debian's headless chromium for a test; without it the test fails in
// CI (CI=true) and is skipped elsewhere.
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is not installed: CI must have it (scripts/test.sh installs it)")
		}
		t.Skip("chromium not installed (not CI): run scripts/test.sh to install it")
	}
	// Not t.TempDir: chromium's helpers may still write to the profile while the test
	// ends, which makes TempDir's cleanup fail; this one is removed on a best-effort basis.
	profile, err := os.MkdirTemp("", "chromium-profile-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(profile) })
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true), chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true), chromedp.UserDataDir(profile),
		chromedp.WindowSize(1100, 800))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelB := chromedp.NewContext(actx)
	ctx, cancelC := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelC(); cancelB(); cancelA() })
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

// inWidget runs JavaScript with `w` bound to the widget's shadow root.
func inWidget(js string) string {
	return `(() => { const w = document.getElementById('livedesk-widget').shadowRoot; ` + js + ` })()`
}

// waitJS polls a JavaScript expression until it is true.
func waitJS(expr string) chromedp.Action {
	var ok bool
	// Interval polling, not requestAnimationFrame: a tab in the background paints nothing.
	return chromedp.Poll(expr, &ok, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(15*time.Second))
}

// TestVisitorAndAgentChatInTwoBrowserTabs drives the demo page's widget and the
// console in two tabs of a real chromium against the real gateway.
func TestVisitorAndAgentChatInTwoBrowserTabs(t *testing.T) {
	ctx := browser(t)
	f := newFixture(t)
	f.mustDo("PATCH", "/api/v1/agents/"+f.agentA.ID, f.tokens["admin"], map[string]any{"name": "Alice"}, 200)
	f.extra = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/demo" {
			return false
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(widget.DemoPage(f.siteA.ID))
		return true
	}
	// Tab 1: the agent logs in to the console.
	err := chromedp.Run(ctx,
		chromedp.Navigate(f.http.URL+"/console/"),
		chromedp.WaitVisible(`[data-testid=login-email]`),
		chromedp.SendKeys(`[data-testid=login-email]`, f.agentA.Email),
		chromedp.SendKeys(`[data-testid=login-password]`, testPassword),
		chromedp.Click(`[data-testid=login-submit]`),
		chromedp.WaitVisible(`[data-testid=presence]`),
	)
	if err != nil {
		t.Fatalf("console login: %v", err)
	}
	// The others' start-up grace runs out: Alice is the one who answers.
	f.clock.Advance(15 * time.Second)
	// Tab 2: a visitor on the demo page.
	visitor, cancel := chromedp.NewContext(ctx)
	defer cancel()
	err = chromedp.Run(visitor,
		chromedp.Navigate(f.http.URL+"/demo"),
		waitJS(`!!document.getElementById('livedesk-widget') && !!window.LivedeskWidget && window.LivedeskWidget.state().connected`),
		waitJS(`window.LivedeskWidget.state().status && window.LivedeskWidget.state().status.online === true`),
		chromedp.Evaluate(inWidget(`w.querySelector('[data-testid=launcher]').click(); return true`), nil),
		waitJS(inWidget(`return !!w.querySelector('[data-testid=input]') && w.querySelector('[data-testid=input]').offsetParent !== null`)),
		chromedp.Evaluate(inWidget(`const i = w.querySelector('[data-testid=input]'); i.value = 'Hello from the shop page'; i.dispatchEvent(new Event('input', {bubbles:true})); w.querySelector('[data-testid=send]').click(); return true`), nil),
	)
	if err != nil {
		t.Fatalf("visitor starts a chat: %v", err)
	}
	// Back in the console: the chat arrives; Alice answers.
	err = chromedp.Run(ctx,
		waitJS(`[...document.querySelectorAll('[data-testid=chat-message]')].some(e => e.textContent.includes('Hello from the shop page'))`),
	)
	if err == nil {
		// The console's tab is in the background now: act through the DOM, which
		// does not wait for the tab to be painted.
		err = chromedp.Run(ctx, chromedp.Evaluate(`(() => {
			const i = document.querySelector('[data-testid=chat-input]');
			i.value = 'Hi! How can I help?'; i.dispatchEvent(new Event('input', {bubbles: true}));
			document.querySelector('[data-testid=chat-send]').click(); return true })()`, nil))
	}
	if err != nil {
		t.Fatalf("agent answers: %v", err)
	}
	var got string
	err = chromedp.Run(visitor,
		waitJS(inWidget(`return [...w.querySelectorAll('[data-testid=message]')].some(e => e.dataset.from === 'agent' && e.textContent.includes('How can I help?'))`)),
		chromedp.Evaluate(inWidget(`return [...w.querySelectorAll('[data-testid=message]')].map(e => e.dataset.from + ': ' + e.textContent).join(' | ')`), &got),
	)
	if err != nil {
		t.Fatalf("visitor sees the answer: %v", err)
	}
	if !strings.Contains(got, "Hello from the shop page") || !strings.Contains(got, "How can I help?") {
		t.Fatalf("widget transcript: %s", got)
	}
	fmt.Fprintln(os.Stderr, "widget transcript:", got)
}
