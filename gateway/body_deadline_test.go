package gateway

import (
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/livedesk/gateway/protocol"
)

// A client that announces a 100 kB login body and sends one byte is answered 408
// and disconnected once the body bound has passed, not held; an agent's WebSocket,
// open all along, is not cut by it.
func TestSlowRequestBodyIsCutOff(t *testing.T) {
	const bound = 300 * time.Millisecond
	f := newFixture(t, func(o *Options) { o.BodyReadTimeout = bound })
	agent, _ := f.agentSocket(f.tokens["agentA"])

	conn, err := net.Dial("tcp", f.http.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	if _, err := io.WriteString(conn, "POST /api/v1/login HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"); err != nil {
		t.Fatal(err)
	}
	// The answer must come by itself: the test only bounds its wait.
	if err := conn.SetReadDeadline(start.Add(10 * bound)); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(conn)
	took := time.Since(start)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("still open after %s (got %q)", took, got)
	}
	if !strings.HasPrefix(string(got), "HTTP/1.1 408 ") || !strings.Contains(string(got), "did not arrive in time") {
		t.Fatalf("answer %q (%v)", got, err)
	}
	if took < bound {
		t.Fatalf("cut off after %s, before the bound %s", took, bound)
	}

	// The socket outlived the bound and still answers.
	agent.send(map[string]any{"type": "no.such.frame", "id": "x1"})
	if e, _ := agent.waitFor("error"); e["code"] != protocol.CodeUnknownType {
		t.Fatalf("socket after the bound: %v", e)
	}
	// A body sent at once is read and the request served as before.
	f.mustDo("POST", "/api/v1/login", "", map[string]any{"email": f.agentA.Email, "password": testPassword}, 200)
}
