package gateway

import (
	"context"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/livedesk/gateway/widget"
)

// Every answer has nosniff and the referrer policy; the console's files (and its
// 404s) have the CSP and X-Frame-Options; the widget script, the demo page and the
// rest may be framed or embedded anywhere.
func TestSecurityHeadersPerRouteClass(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.Demo, o.DemoSiteID = true, "demo" })
	for _, c := range []struct {
		name, method, path, token string
		code                      int
		console                   bool
	}{
		{"api", "GET", "/api/v1/me", "owner", 200, false},
		{"api without token", "GET", "/api/v1/me", "", 401, false},
		{"api unknown", "GET", "/api/v1/nope", "", 404, false},
		{"api wrong method", "DELETE", "/api/v1/login", "", 405, false},
		{"healthz", "GET", "/healthz", "", 200, false},
		{"metrics", "GET", "/metrics", "", 200, false},
		{"websocket without upgrade", "GET", "/ws/agent", "", 426, false},
		{"widget script", "GET", "/widget.js", "", 200, false},
		{"demo page", "GET", "/", "", 200, false},
		{"unknown page", "GET", "/nope", "", 404, false},
		{"console page", "GET", "/console/", "", 200, true},
		{"console script", "GET", "/console/console.js", "", 200, true},
		{"console style", "GET", "/console/console.css", "", 200, true},
		{"console unknown file", "GET", "/console/nope.js", "", 404, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := f.do(c.method, c.path, f.tokens[c.token], nil)
			if r.Code != c.code {
				t.Fatalf("status %d, want %d", r.Code, c.code)
			}
			if got := r.Hdr.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options %q", got)
			}
			if got := r.Hdr.Get("Referrer-Policy"); got != "strict-origin-when-cross-origin" {
				t.Errorf("Referrer-Policy %q", got)
			}
			csp, xfo := r.Hdr.Get("Content-Security-Policy"), r.Hdr.Get("X-Frame-Options")
			if c.console {
				for _, d := range []string{"script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "default-src 'none'"} {
					if !strings.Contains(csp, d) {
						t.Errorf("CSP %q lacks %s", csp, d)
					}
				}
				if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
					t.Errorf("CSP %q allows inline code", csp)
				}
				if xfo != "DENY" {
					t.Errorf("X-Frame-Options %q", xfo)
				}
			} else if csp != "" || xfo != "" {
				t.Errorf("framing restricted where it must not be: CSP %q, X-Frame-Options %q", csp, xfo)
			}
		})
	}
}

// The console's HTML has nothing its CSP would block: no inline script, no event
// handler attribute, no style element or attribute, no javascript: URL.
func TestConsoleHTMLHasNoInlineCode(t *testing.T) {
	scriptTag := regexp.MustCompile(`(?i)<script\b[^>]*>`)
	inline := regexp.MustCompile(`(?i)<style\b|\sstyle\s*=|\son[a-z]+\s*=|javascript:`)
	files, err := fs.Glob(widget.Console(), "*.html")
	if err != nil || len(files) == 0 {
		t.Fatalf("no console pages: %v", err)
	}
	for _, name := range files {
		b, err := fs.ReadFile(widget.Console(), name)
		if err != nil {
			t.Fatal(err)
		}
		for _, tag := range scriptTag.FindAllString(string(b), -1) {
			if !strings.Contains(tag, "src=") {
				t.Errorf("%s: inline script %s", name, tag)
			}
		}
		if m := inline.FindString(string(b)); m != "" {
			t.Errorf("%s: inline code %q", name, m)
		}
	}
}

// In chromium, a page of another origin may frame the demo page (and so the widget
// in it) but not the console: the browser refuses to load it in the frame.
func TestBrowserConsoleRefusesFramingDemoPageAllowsIt(t *testing.T) {
	ctx := browser(t)
	f := newFixture(t, func(o *Options) { o.Demo, o.DemoSiteID = true, "demo" })
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><title>other origin</title>
<iframe id="console" src="` + f.http.URL + `/console/"></iframe>
<iframe id="demo" src="` + f.http.URL + `/"></iframe>`))
	}))
	defer shop.Close()
	bcRun(t, ctx, "the framing page", chromedp.Navigate(shop.URL))
	// DevTools' frame tree names each child frame's document: the demo page, and for
	// the console the error page of a refused load (its unreachableUrl).
	type frame struct {
		Frame struct {
			URL            string `json:"url"`
			UnreachableURL string `json:"unreachableUrl"`
		} `json:"frame"`
		ChildFrames []frame `json:"childFrames"`
	}
	var demoOK, consoleRefused, consoleLoaded bool
	var seen []string
	deadline := time.Now().Add(15 * time.Second)
	for !(demoOK && (consoleRefused || consoleLoaded)) && time.Now().Before(deadline) {
		var tree struct {
			FrameTree frame `json:"frameTree"`
		}
		bcRun(t, ctx, "frame tree", chromedp.ActionFunc(func(ctx context.Context) error {
			return chromedp.FromContext(ctx).Target.Execute(ctx, "Page.getFrameTree", nil, &tree)
		}))
		seen = seen[:0]
		for _, c := range tree.FrameTree.ChildFrames {
			seen = append(seen, c.Frame.URL+" (unreachable "+c.Frame.UnreachableURL+")")
			switch {
			case c.Frame.URL == f.http.URL+"/":
				demoOK = true
			case c.Frame.URL == f.http.URL+"/console/":
				consoleLoaded = true
			case c.Frame.UnreachableURL == f.http.URL+"/console/":
				consoleRefused = true
			}
		}
		time.Sleep(50 * time.Millisecond) // polling the browser, bounded by the deadline
	}
	if !demoOK || !consoleRefused {
		t.Fatalf("frames %v: demo loaded %v, console refused %v", seen, demoOK, consoleRefused)
	}
}
