package gateway

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"github.com/livedesk/gateway/internal/clientaddr"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/livedesk/gateway/protocol"
)

// capRefusals is gateway_addr_cap_refused_total{kind}.
func capRefusals(s *Server, kind string) float64 {
	return testutil.ToFloat64(s.caps.refused.WithLabelValues(kind))
}

// dialRefused dials a socket that must be refused over its address's cap: 429
// rate_limited with Retry-After, before any upgrade.
func (f *fixture) dialRefused(path string, hdr http.Header) {
	f.t.Helper()
	c, resp, err := f.dial(path, hdr)
	if err == nil {
		c.Conn.CloseNow()
		f.t.Fatalf("%s %v: upgraded over the socket cap", path, hdr)
	}
	if resp == nil || resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		f.t.Fatalf("%s %v: %v %v, want 429 with Retry-After", path, hdr, err, resp)
	}
	body, _ := io.ReadAll(resp.Body)
	r := response{Code: resp.StatusCode, Body: body, Hdr: resp.Header}
	if code, _ := r.errField(f.t); code != protocol.CodeRateLimited {
		f.t.Fatalf("refused socket: code %q", code)
	}
}

// held is how many addr holds now.
func (c *addrCounter) held(addr string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[addr]
}

// waitSockets waits until the server counts n open sockets (closing is
// asynchronous on the server).
func (f *fixture) waitSockets(n int64) {
	f.t.Helper()
	deadline := time.Now().Add(frameWait)
	for f.srv.rt.SocketsOpen() != n {
		if time.Now().After(deadline) {
			f.t.Fatalf("%d sockets open, want %d", f.srv.rt.SocketsOpen(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// An address holds at most --max-sockets-per-addr WebSockets, visitors and agents
// together: the next upgrade gets 429 and is counted; closing one lets a new one in.
func TestSocketCapPerAddress(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.MaxSocketsPerAddr = 3 })
	v1, _ := f.visitor(f.siteA.ID, nil)
	f.visitor(f.siteA.ID, nil)
	f.agentSocket(f.tokens["agentA"])
	f.dialRefused("/ws/visitor?site="+f.siteA.ID, nil)
	f.dialRefused("/ws/agent", nil)
	if n := capRefusals(f.srv, "socket"); n != 2 {
		t.Fatalf("gateway_addr_cap_refused_total{kind=socket} = %v, want 2", n)
	}
	if !strings.Contains(string(f.mustDo("GET", "/metrics", "", nil, 200).Body), `gateway_addr_cap_refused_total{kind="socket"} 2`) {
		t.Fatal("/metrics does not show the refused sockets")
	}
	// Plain requests are not sockets: they still go through.
	f.mustDo("GET", "/api/v1/me", f.tokens["owner"], nil, 200)
	v1.Conn.Close(websocket.StatusNormalClosure, "")
	f.waitSockets(2)
	f.visitor(f.siteA.ID, nil)
	f.dialRefused("/ws/visitor?site="+f.siteA.ID, nil)
}

// Behind a trusted proxy the socket cap counts on the client X-Forwarded-For names
// (its rightmost entry that is not a trusted proxy); from an untrusted peer
// X-Forwarded-For is ignored.
func TestSocketCapBehindATrustedProxy(t *testing.T) {
	loopback, _ := clientaddr.ParseTrustedProxies("127.0.0.1")
	xff := func(v string) http.Header { return http.Header{"X-Forwarded-For": {v}} }
	visitorPath := func(f *fixture) string { return "/ws/visitor?site=" + f.siteA.ID }

	t.Run("trusted", func(t *testing.T) {
		f := newFixture(t, func(o *Options) { o.MaxSocketsPerAddr = 2; o.TrustedProxies = loopback })
		for i := 0; i < 2; i++ {
			if _, _, err := f.dial(visitorPath(f), xff("203.0.113.7")); err != nil {
				t.Fatal(err)
			}
		}
		f.dialRefused(visitorPath(f), xff("203.0.113.7"))
		f.dialRefused(visitorPath(f), xff("198.51.100.1, 203.0.113.7")) // a forged left entry proves nothing
		if _, _, err := f.dial(visitorPath(f), xff("203.0.113.8")); err != nil {
			t.Fatalf("another client behind the proxy: %v", err)
		}
	})
	t.Run("untrusted", func(t *testing.T) {
		f := newFixture(t, func(o *Options) { o.MaxSocketsPerAddr = 2 })
		for i := 0; i < 2; i++ {
			if _, _, err := f.dial(visitorPath(f), xff(fmt.Sprintf("203.0.113.%d", i))); err != nil {
				t.Fatal(err)
			}
		}
		f.dialRefused(visitorPath(f), xff("203.0.113.9"))
	})
}

// A started gateway (the App, as main runs it) with --max-conns-per-addr 2: the
// third connection from one address gets 429 and is closed, and is counted; closing
// one lets a new one in.
func TestConnCapOnAStartedApp(t *testing.T) {
	app := startApp(t, func(c *Config) { c.MaxConnsPerAddr = 2 })
	addr := app.Addr().String()
	get := func(c net.Conn, br *bufio.Reader, path string) *http.Response {
		t.Helper()
		if _, err := fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: gw\r\n\r\n", path); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		return resp
	}
	open := func() (net.Conn, *bufio.Reader) {
		t.Helper()
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c, bufio.NewReader(c)
	}
	c1, br1 := open()
	c2, br2 := open()
	for _, c := range []struct {
		c  net.Conn
		br *bufio.Reader
	}{{c1, br1}, {c2, br2}} {
		resp := get(c.c, c.br, "/healthz")
		if resp.StatusCode != 200 {
			t.Fatalf("a connection under the cap: %d", resp.StatusCode)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
	}
	c3, br3 := open()
	resp := get(c3, br3, "/healthz")
	var body struct {
		Error struct{ Code, Message string }
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != http.StatusTooManyRequests || body.Error.Code != protocol.CodeRateLimited || resp.Header.Get("Retry-After") == "" || !resp.Close {
		t.Fatalf("third connection: %d %+v %v, want 429 rate_limited, Retry-After, Connection: close", resp.StatusCode, body, resp.Header)
	}
	if _, err := br3.ReadByte(); err != io.EOF {
		t.Fatalf("the connection over the cap stays open: %v", err)
	}
	if n := capRefusals(app.Server(), "conn"); n != 1 {
		t.Fatalf("gateway_addr_cap_refused_total{kind=conn} = %v, want 1", n)
	}
	c1.Close()
	peer := netip.MustParseAddrPort(c2.LocalAddr().String()).Addr().String()
	waitHeld := func(n int, what string) {
		t.Helper()
		deadline := time.Now().Add(frameWait)
		for app.Server().caps.conns.held(peer) != n {
			if time.Now().After(deadline) {
				t.Fatalf("%s: %d connections held, want %d", what, app.Server().caps.conns.held(peer), n)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitHeld(1, "closing a connection did not give its place back")
	// A WebSocket is a connection too, and gives its place back when it closes
	// (after net/http handed it over).
	ctx, cancel := context.WithTimeout(context.Background(), frameWait)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws://"+addr+"/ws/agent", nil)
	if err != nil {
		t.Fatalf("a socket under the cap: %v", err)
	}
	waitHeld(2, "an open socket")
	ws.Close(websocket.StatusNormalClosure, "")
	waitHeld(1, "a closed socket")
	c4, br4 := open()
	if resp := get(c4, br4, "/healthz"); resp.StatusCode != 200 {
		t.Fatalf("a connection after one closed: %d", resp.StatusCode)
	}
}
