package gateway

import (
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/livedesk/gateway/widget"
)

func TestWidgetScriptIsGzippedAndRevalidated(t *testing.T) {
	f := newFixture(t)
	req, _ := http.NewRequest("GET", f.http.URL+"/widget.js", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("ETag") == "" || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("headers %v", resp.Header)
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if string(plain) != string(widget.Script()) {
		t.Fatal("gzipped body is not widget.js")
	}
	req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
	again, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	again.Body.Close()
	if again.StatusCode != http.StatusNotModified {
		t.Fatalf("revalidation: %d", again.StatusCode)
	}
}

// The console and the demo page link to the favicon, which is served as SVG.
func TestFaviconServedAndLinked(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.Demo = true; o.DemoSiteID = "demo-site" })
	resp, err := http.Get(f.http.URL + "/favicon.svg")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/svg+xml" || string(body) != string(widget.Favicon()) ||
		!strings.HasPrefix(string(body), "<svg ") {
		t.Fatalf("favicon: %d %v %.40q", resp.StatusCode, resp.Header, body)
	}
	for _, page := range []string{"/", "/console/"} {
		resp, err := http.Get(f.http.URL + page)
		if err != nil {
			t.Fatal(err)
		}
		html, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(html), `<link rel="icon" href="/favicon.svg" type="image/svg+xml">`) {
			t.Fatalf("%s (%d) does not link the favicon", page, resp.StatusCode)
		}
	}
}
