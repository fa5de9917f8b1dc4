package gateway

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/livedesk/gateway/internal/webhooktest"
	"github.com/livedesk/gateway/notify"
	"github.com/livedesk/gateway/protocol"
	"github.com/livedesk/gateway/store"
)

// Without --webhook-allow-private, a webhook URL whose host is or resolves to a
// non-public address is refused when saved: 400 naming the field, the kind of
// address and the flag; nothing changes.
func TestWebhookURLToAPrivateAddressIsRefusedWhenSaved(t *testing.T) {
	f := newFixture(t)
	tok := f.tokens["admin"]
	path := "/api/v1/sites/" + f.siteA.ID
	before := f.mustDo("GET", path, tok, nil, 200).Body
	for _, c := range []struct{ url, class string }{
		{"http://127.0.0.1:8080/hook", "loopback"},
		{"http://localhost:9000/hook", "loopback"}, // a name: resolved (from /etc/hosts here)
		{"https://[::1]/hook", "loopback"},
		{"http://169.254.169.254/latest/meta-data/", "link-local"},
		{"http://[fe80::1]/hook", "link-local"},
		{"http://10.1.2.3/hook", "private"},
		{"http://172.20.0.1/hook", "private"},
		{"http://192.168.0.10/hook", "private"},
		{"http://[fd00::5]/hook", "private"},
		{"http://100.64.1.1/hook", "shared (CGNAT)"},
		{"http://0.0.0.0/hook", "unspecified"},
	} {
		for _, field := range []string{"notify", "presence_alerts"} {
			r := f.do("PATCH", path, tok, map[string]any{"name": "Renamed", field: map[string]any{"webhook_url": c.url}})
			if r.Code != 400 {
				t.Fatalf("%s %s: status %d, want 400: %s", field, c.url, r.Code, r.Body)
			}
			code, fl := r.errField(t)
			msg := r.json(t)["error"].(map[string]any)["message"].(string)
			if code != protocol.CodeBadRequest || fl != field+".webhook_url" || !strings.Contains(msg, "a "+c.class+" address") || !strings.Contains(msg, "--webhook-allow-private") {
				t.Errorf("%s %s: %s", field, c.url, r.Body)
			}
		}
	}
	if after := f.mustDo("GET", path, tok, nil, 200).Body; string(after) != string(before) {
		t.Fatalf("a refused request changed the site:\nbefore %s\nafter  %s", before, after)
	}
	// Creating a site with one is refused too, and creates nothing.
	r := f.do("POST", "/api/v1/sites", f.tokens["owner"], map[string]any{"name": "Shop", "notify": map[string]any{"webhook_url": "http://127.0.0.1/x"}})
	if _, fl := r.errField(t); r.Code != 400 || fl != "notify.webhook_url" {
		t.Fatalf("create: %d %s", r.Code, r.Body)
	}
	if sites, err := f.store.ListSites(context.Background()); err != nil || len(sites) != 2 {
		t.Fatalf("%d sites after a refused create (%v)", len(sites), err)
	}
	// Public addresses, and names that do not resolve (yet), are accepted.
	f.mustDo("PATCH", path, tok, map[string]any{"notify": map[string]any{"webhook_url": "https://93.184.216.34/hook"}}, 200)
	f.mustDo("PATCH", path, tok, map[string]any{"presence_alerts": map[string]any{"webhook_url": "https://hooks.example/x"}}, 200)
}

// With --webhook-allow-private the same URLs are saved.
func TestWebhookAllowPrivateAcceptsLoopback(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.Notify.WebhookAllowPrivate = true })
	f.mustDo("PATCH", "/api/v1/sites/"+f.siteA.ID, f.tokens["admin"], map[string]any{
		"notify":          map[string]any{"webhook_url": "http://localhost:9000/hook"},
		"presence_alerts": map[string]any{"webhook_url": "http://169.254.169.254/"},
	}, 200)
}

// A URL stored while its name resolved elsewhere (or before the guard) is checked
// again on every delivery, against the address the connection goes to: a name that
// resolves to 127.0.0.1 is not connected to, and the attempt records why.
func TestWebhookToLoopbackIsRefusedAtDeliveryWithoutTheFlag(t *testing.T) {
	r := &notifyRig{fixture: newFixture(t), hook: webhooktest.Start(t)}
	port := r.hook.URL[strings.LastIndex(r.hook.URL, ":"):]
	st, err := r.store.UpdateSite(context.Background(), r.siteA.ID, func(s *store.Site) error {
		s.Notify.WebhookURL, s.Notify.WebhookSecret = "http://localhost"+port, hookSecret
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.srv.rt.Desk().SiteChanged(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	v, _ := r.visitor(r.siteA.ID, nil)
	v.send(map[string]any{"type": "offline.submit", "id": "o1", "email": "ann@example.org", "message": "hello"})
	v.waitFor("offline.received")
	r.advanceUntil(time.Second, 5, "the attempt recorded", func() bool {
		items := r.stored(notify.TypeOfflineMessage)
		return len(items) == 1 && items[0].Attempts == 1
	})
	n := r.stored(notify.TypeOfflineMessage)[0]
	if !strings.Contains(n.LastError, "not sent") || !strings.Contains(n.LastError, "loopback") || !strings.Contains(n.LastError, "--webhook-allow-private") {
		t.Fatalf("last error %q", n.LastError)
	}
	if got := len(r.hook.Requests()); got != 0 {
		t.Fatalf("the loopback receiver got %d requests", got)
	}
}
