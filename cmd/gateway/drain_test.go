package main

import (
	"strings"
	"syscall"
	"testing"

	"github.com/livedesk/gateway/internal/testkit"
)

// TestSIGTERMDrainsSocketsWith1012 connects a visitor of the demo site, sends the
// gateway SIGTERM, and expects the socket closed with 1012 (reconnect elsewhere) and
// the process to exit 0.
func TestSIGTERMDrainsSocketsWith1012(t *testing.T) {
	p := startGateway(t, "--demo", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir())
	code, login := testkit.DoJSON(t, "POST", p.url+"/api/v1/login", "", map[string]string{"email": "owner@example.com", "password": ownerRE.FindStringSubmatch(p.banner)[2]})
	if code != 200 {
		t.Fatalf("login %d", code)
	}
	_, sites := testkit.DoJSON(t, "GET", p.url+"/api/v1/sites", login["token"].(string), nil)
	site := sites["sites"].([]any)[0].(map[string]any)["id"].(string)
	v, _, err := testkit.Dial(t, "ws"+strings.TrimPrefix(p.url, "http")+"/ws/visitor?site="+site, "visitor", nil)
	if err != nil {
		t.Fatal(err)
	}
	v.Send(map[string]string{"type": "hello"})
	v.Expect("welcome")
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	v.ClosedWith(1012)
	if code := p.wait(t); code != 0 {
		t.Fatalf("exit %d after SIGTERM; stderr:\n%s", code, p.stderr)
	}
}
