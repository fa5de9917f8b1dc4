package main

import (
	"strings"
	"testing"

	"github.com/livedesk/gateway/internal/testkit"
)

// The built gateway refuses a loopback webhook URL by default and saves it with
// --webhook-allow-private (given as a flag, or in the environment).
func TestWebhookAllowPrivateFlag(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		want int
	}{
		{"default", nil, 400},
		{"allowed", []string{"--webhook-allow-private"}, 200},
	} {
		args := append([]string{"--demo", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir(), "--owner-password", "correct horse battery"}, c.args...)
		p := startGateway(t, args...)
		code, login := testkit.DoJSON(t, "POST", p.url+"/api/v1/login", "", map[string]string{"email": "owner@example.com", "password": "correct horse battery"})
		if code != 200 {
			t.Fatalf("%s: login %d %v", c.name, code, login)
		}
		tok := login["token"].(string)
		_, sites := testkit.DoJSON(t, "GET", p.url+"/api/v1/sites", tok, nil)
		id := sites["sites"].([]any)[0].(map[string]any)["id"].(string)
		code, body := testkit.DoJSON(t, "PATCH", p.url+"/api/v1/sites/"+id, tok, map[string]any{"notify": map[string]any{"webhook_url": "http://127.0.0.1:9/hook"}})
		if code != c.want {
			t.Fatalf("%s: PATCH a loopback webhook: %d %v, want %d", c.name, code, body, c.want)
		}
		if c.want == 400 && !strings.Contains(body["error"].(map[string]any)["message"].(string), "--webhook-allow-private") {
			t.Fatalf("%s: refusal %v does not name the flag", c.name, body)
		}
	}
}

func TestWebhookAllowPrivateFromTheEnvironment(t *testing.T) {
	for env, want := range map[string]bool{"": false, "true": true} {
		lookup := func(k string) (string, bool) {
			if k == "GATEWAY_WEBHOOK_ALLOW_PRIVATE" && env != "" {
				return env, true
			}
			return "", false
		}
		cfg, err := parseFlags(nil, lookup, nil)
		if err != nil || cfg.WebhookAllowPrivate != want {
			t.Fatalf("GATEWAY_WEBHOOK_ALLOW_PRIVATE=%q: %v %v", env, cfg.WebhookAllowPrivate, err)
		}
	}
}
