package main

import (
	"context"
	"encoding/json"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// TestSIGTERMDrainsSocketsWith1012 connects a visitor of the demo site, sends the
// gateway SIGTERM, and expects the socket closed with 1012 (reconnect elsewhere) and
// the process to exit 0.
func TestSIGTERMDrainsSocketsWith1012(t *testing.T) {
	p := startGateway(t, "--demo", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir())
	code, login := httpJSON(t, "POST", p.url+"/api/v1/login", "", map[string]string{"email": "owner@example.com", "password": ownerRE.FindStringSubmatch(p.banner)[2]})
	if code != 200 {
		t.Fatalf("login %d", code)
	}
	_, sites := httpJSON(t, "GET", p.url+"/api/v1/sites", login["token"].(string), nil)
	site := sites["sites"].([]any)[0].(map[string]any)["id"].(string)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(p.url, "http")+"/ws/visitor?site="+site, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	hello, _ := json.Marshal(map[string]string{"type": "hello"})
	if err := conn.Write(ctx, websocket.MessageText, hello); err != nil {
		t.Fatal(err)
	}
	if _, data, err := conn.Read(ctx); err != nil || !strings.Contains(string(data), `"welcome"`) {
		t.Fatalf("welcome: %s %v", data, err)
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for {
		_, _, err := conn.Read(ctx)
		if err != nil {
			if got := websocket.CloseStatus(err); got != 1012 {
				t.Fatalf("closed with %d (%v), want 1012", got, err)
			}
			break
		}
	}
	if code := p.wait(t); code != 0 {
		t.Fatalf("exit %d after SIGTERM; stderr:\n%s", code, p.stderr)
	}
}
