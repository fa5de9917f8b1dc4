package main

import (
	"strings"
	"syscall"
	"testing"

	"github.com/livedesk/gateway/internal/testkit"
)

// siteStatus is the reason and available_agents of the site's status as the API
// gives it.
func siteStatus(t *testing.T, p *gatewayProc, token, site string) (string, float64) {
	t.Helper()
	code, st := testkit.DoJSON(t, "GET", p.url+"/api/v1/sites/"+site+"/status", token, nil)
	if code != 200 {
		t.Fatalf("status: %d %v", code, st)
	}
	return st["reason"].(string), st["available_agents"].(float64)
}

// TestRestartGraceOnlyForAgentsThatHadASocket runs the built gateway: at first
// start nobody is connected, so the demo site is no_agents (not open with the owner
// counted); after the owner's console connects and the gateway restarts, the owner
// (whose socket the stop closed) is held available for the grace, and an agent of
// the site who never connected is not.
func TestRestartGraceOnlyForAgentsThatHadASocket(t *testing.T) {
	dir := t.TempDir()
	args := []string{"--demo", "--addr", "127.0.0.1:0", "--data-dir", dir, "--disconnect-grace", "10m"}
	p := startGateway(t, args...)
	pw := ownerRE.FindStringSubmatch(p.banner)[2]
	_, login := testkit.DoJSON(t, "POST", p.url+"/api/v1/login", "", map[string]string{"email": "owner@example.com", "password": pw})
	token := login["token"].(string)
	_, sites := testkit.DoJSON(t, "GET", p.url+"/api/v1/sites", token, nil)
	site := sites["sites"].([]any)[0].(map[string]any)["id"].(string)
	if code, a := testkit.DoJSON(t, "POST", p.url+"/api/v1/agents", token, map[string]any{
		"email": "never@example.com", "name": "Never", "password": "a long password", "role": "agent", "sites": []string{site}}); code != 201 {
		t.Fatalf("create agent: %d %v", code, a)
	}
	if reason, n := siteStatus(t, p, token, site); reason != "no_agents" || n != 0 {
		t.Fatalf("first start: %s with %v available, want no_agents with 0", reason, n)
	}

	agent, _, err := testkit.Dial(t, "ws"+strings.TrimPrefix(p.url, "http")+"/ws/agent", "owner", nil)
	if err != nil {
		t.Fatal(err)
	}
	agent.Send(map[string]string{"type": "hello", "token": token})
	agent.Expect("welcome")
	if reason, n := siteStatus(t, p, token, site); reason != "open" || n != 1 {
		t.Fatalf("owner connected: %s with %v available, want open with 1", reason, n)
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t); code != 0 {
		t.Fatalf("exit %d after SIGTERM; stderr:\n%s", code, p.stderr)
	}

	p = startGateway(t, args...)
	if reason, n := siteStatus(t, p, token, site); reason != "open" || n != 1 {
		t.Fatalf("after the restart: %s with %v available, want open with 1 (the owner, in its grace; not the agent who never connected)", reason, n)
	}
}
