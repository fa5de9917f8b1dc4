package gateway

// The chromedp helpers the console's browser tests share (bc*).

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// Browser tests of the agent console's sections (hours editor and preview, mode,
// site settings, agents, offline messages, shifts) against the real gateway. Every
// action goes through the DOM (a tab in the background paints nothing), every wait
// polls with a bound, and time boundaries come from the fake clock.

// bcBrowser starts chromium; its first tab has tz as the agent's own time zone.
func bcBrowser(t *testing.T, tz string) context.Context {
	t.Helper()
	ctx := browser(t)
	bcRun(t, ctx, "emulation", bcEmulate(tz))
	return ctx
}

// bcEmulate sets a tab's time zone, and a 24-hour English locale (time inputs then
// read as the API writes times). Raw DevTools commands: no cdproto import needed.
func bcEmulate(tz string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		t := chromedp.FromContext(ctx).Target
		if err := t.Execute(ctx, "Emulation.setTimezoneOverride", map[string]any{"timezoneId": tz}, nil); err != nil {
			return err
		}
		return t.Execute(ctx, "Emulation.setLocaleOverride", map[string]any{"locale": "en-GB"}, nil)
	})
}

// bcJS quotes a Go value as a JavaScript literal.
func bcJS(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func bcQ(sel string) string { return "document.querySelector(" + bcJS(sel) + ")" }

// bcRun runs actions in a tab and fails the test with what.
func bcRun(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action) {
	t.Helper()
	if err := chromedp.Run(ctx, actions...); err != nil {
		var dump string
		_ = chromedp.Run(ctx, chromedp.Evaluate(`JSON.stringify(window.LivedeskConsole && window.LivedeskConsole.state())`, &dump))
		t.Fatalf("%s: %v\nconsole state: %s", what, err, dump)
	}
}

// bcWait waits for an element to exist.
func bcWait(sel string) chromedp.Action { return waitJS("!!" + bcQ(sel)) }

// bcClick waits for an element and clicks it through the DOM.
func bcClick(sel string) chromedp.Action {
	return chromedp.Tasks{bcWait(sel), chromedp.Evaluate(bcQ(sel)+".click(), true", nil)}
}

// bcSet sets an input's or select's value as a person would: value, then input and change.
func bcSet(sel, value string) chromedp.Action {
	return chromedp.Tasks{bcWait(sel), chromedp.Evaluate(fmt.Sprintf(`(() => { const e = %s; e.value = %s;
		e.dispatchEvent(new Event('input', {bubbles: true})); e.dispatchEvent(new Event('change', {bubbles: true})); return true })()`,
		bcQ(sel), bcJS(value)), nil)}
}

// bcCheck ticks or unticks a checkbox (a click, so its change handler runs).
func bcCheck(sel string, on bool) chromedp.Action {
	return chromedp.Tasks{bcWait(sel), chromedp.Evaluate(fmt.Sprintf(`(() => { const e = %s; if (e.checked !== %v) e.click(); return true })()`, bcQ(sel), on), nil)}
}

// bcState waits until a JavaScript condition on the console's state `s` holds.
func bcState(cond string) chromedp.Action {
	return waitJS(`(() => { const s = window.LivedeskConsole.state(); return !!(` + cond + `) })()`)
}

// bcText reads an element's text content.
func bcText(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	var s string
	bcRun(t, ctx, "reading "+sel, bcWait(sel), chromedp.Evaluate(bcQ(sel)+".textContent", &s))
	return s
}

// bcLogin opens the console in the tab and logs in.
func bcLogin(f *fixture, email string) chromedp.Action {
	return chromedp.Tasks{
		chromedp.Navigate(f.http.URL + "/console/"),
		bcWait(`[data-testid=login-email]`),
		bcSet(`[data-testid=login-email]`, email),
		bcSet(`[data-testid=login-password]`, testPassword),
		bcClick(`[data-testid=login-submit]`),
		bcState(`s.connected && s.agent && s.agent.email === ` + bcJS(email)),
	}
}

// bcNoErrors fails when the console recorded an uncaught JavaScript error.
func bcNoErrors(t *testing.T, ctx context.Context) {
	t.Helper()
	var errs []string
	bcRun(t, ctx, "reading errors", chromedp.Evaluate(`window.LivedeskConsole.state().errors`, &errs))
	if len(errs) > 0 {
		t.Fatalf("JavaScript errors in the console: %v", errs)
	}
}

// bcStatus reads the visitor's frames until a status matching ok.
func bcStatus(v *wsClient, ok func(st map[string]any) bool) map[string]any {
	v.T.Helper()
	for {
		m, _ := v.waitFor("status")
		if st := status(m); ok(st) {
			return st
		}
	}
}

// bcScreenshot writes docs/screenshots/console-NAME.png when UPDATE_SCREENSHOTS=1.
func bcScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	saveScreenshot(t, ctx, filepath.Join("docs", "screenshots", "console-"+name+".png"))
}

// saveScreenshot writes the tab's viewport as a PNG to path (relative to the
// repository's root) with UPDATE_SCREENSHOTS=1, and does nothing otherwise.
func saveScreenshot(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	if os.Getenv("UPDATE_SCREENSHOTS") != "1" {
		return
	}
	var png []byte
	bcRun(t, ctx, "screenshot", chromedp.CaptureScreenshot(&png))
	path = filepath.Join("..", path)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s", path)
}

func bcSite(f *fixture, id string) map[string]any {
	f.t.Helper()
	return f.mustDo("GET", "/api/v1/sites/"+id, f.tokens["admin"], nil, 200).json(f.t)
}

// bcEachSize runs a console test at desktop size (1280x800) and on a 360x740 phone,
// as subtests named desktop and phone.
func bcEachSize(t *testing.T, test func(t *testing.T, w, h int64)) {
	for _, size := range []struct {
		name string
		w, h int64
	}{{"desktop", 1280, 800}, {"phone", 360, 740}} {
		t.Run(size.name, func(t *testing.T) { test(t, size.w, size.h) })
	}
}

// bcDailyHours is a schedule (a body for PUT .../schedule) open from-to UTC every day.
func bcDailyHours(from, to string) map[string]any {
	daily := map[string]any{}
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		daily[d] = []any{map[string]string{"from": from, "to": to}}
	}
	return map[string]any{"enabled": true, "timezone": "UTC", "weekly": daily}
}
