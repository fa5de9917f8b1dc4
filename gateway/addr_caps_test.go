package gateway

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/livedesk/gateway/gateway/api"
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
	loopback, _ := api.ParseTrustedProxies("127.0.0.1")
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

func TestClientAddr(t *testing.T) {
	proxies, err := api.ParseTrustedProxies("10.0.0.0/8, 192.168.1.7,::1")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		proxies api.TrustedProxies
		remote  string
		xff     []string
		want    string
	}{
		{"no proxy trusted: the peer", nil, "203.0.113.7:4000", []string{"198.51.100.1"}, "203.0.113.7"},
		{"an untrusted peer's header is ignored", proxies, "203.0.113.7:4000", []string{"198.51.100.1"}, "203.0.113.7"},
		{"a trusted peer: the client it names", proxies, "10.1.2.3:4000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"a chain of trusted proxies", proxies, "10.1.2.3:4000", []string{"198.51.100.1, 192.168.1.7, 10.9.9.9"}, "198.51.100.1"},
		{"entries left of the client are the client's", proxies, "10.1.2.3:4000", []string{"1.1.1.1, 198.51.100.1"}, "198.51.100.1"},
		{"several headers read as one list", proxies, "10.1.2.3:4000", []string{"1.1.1.1", "198.51.100.1"}, "198.51.100.1"},
		{"an entry with a port", proxies, "10.1.2.3:4000", []string{"198.51.100.1:5555"}, "198.51.100.1"},
		{"a malformed client entry: the last trusted hop", proxies, "10.1.2.3:4000", []string{"unknown"}, "10.1.2.3"},
		{"a malformed entry behind two proxies", proxies, "10.1.2.3:4000", []string{"junk, 192.168.1.7"}, "192.168.1.7"},
		{"no header from a trusted peer", proxies, "10.1.2.3:4000", nil, "10.1.2.3"},
		{"IPv6 peer and client", proxies, "[::1]:4000", []string{"2001:db8::1"}, "2001:db8::1"},
		{"an IPv4-mapped client", proxies, "10.1.2.3:4000", []string{"::ffff:198.51.100.1"}, "198.51.100.1"},
		{"an IPv4 peer in an IPv6 range of IPv4-mapped addresses", mustProxies(t, "::ffff:0:0/95"), "10.1.2.3:4000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"a zoned peer", mustProxies(t, "fe80::/10"), "[fe80::1%eth0]:4000", []string{"198.51.100.1"}, "198.51.100.1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &http.Request{RemoteAddr: c.remote, Header: http.Header{}}
			for _, v := range c.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := c.proxies.ClientAddr(r); got != c.want {
				t.Errorf("clientAddr = %q, want %q", got, c.want)
			}
		})
	}
}

func mustProxies(t *testing.T, s string) api.TrustedProxies {
	t.Helper()
	p, err := api.ParseTrustedProxies(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestParseTrustedProxies(t *testing.T) {
	for _, c := range []struct {
		in      string
		want    []string
		wantErr string
	}{
		{"", nil, ""},
		{" , ", nil, ""},
		{"10.0.0.0/8", []string{"10.0.0.0/8"}, ""},
		{"10.1.2.3/8, 127.0.0.1 ,::1", []string{"10.0.0.0/8", "127.0.0.1/32", "::1/128"}, ""},
		{"::ffff:127.0.0.1", []string{"127.0.0.1/32"}, ""},
		{"::ffff:10.1.0.0/112, fe80::1%eth0", []string{"10.1.0.0/16", "fe80::1/128"}, ""},
		{"10.0.0.0/33", nil, `"10.0.0.0/33" is not a CIDR range`},
		{"proxy.example.com", nil, `"proxy.example.com" is not an IP address`},
		{"127.0.0.1;10.0.0.1", nil, "is not an IP address"},
	} {
		got, err := api.ParseTrustedProxies(c.in)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%q: error %v, want %q", c.in, err, c.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		var s []string
		for _, p := range got {
			s = append(s, p.String())
		}
		if strings.Join(s, " ") != strings.Join(c.want, " ") {
			t.Errorf("%q: %v, want %v", c.in, s, c.want)
		}
	}
}

// FuzzParseTrustedProxies: any input is a list of valid masked ranges or an error
// naming the bad entry, and a parsed list trusts the first address of each range.
func FuzzParseTrustedProxies(f *testing.F) {
	for _, s := range []string{"", "10.0.0.0/8", "127.0.0.1, ::1", "::ffff:1.2.3.4/104", "1.2.3.4/", ",,", "fe80::1%eth0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := api.ParseTrustedProxies(s)
		if err != nil {
			if !strings.Contains(err.Error(), "is not") {
				t.Fatalf("%q: unclear error %v", s, err)
			}
			return
		}
		for _, p := range got {
			if !p.IsValid() || p != p.Masked() {
				t.Fatalf("%q: range %v not valid and masked", s, p)
			}
			if a := p.Addr(); !got.Trusts(a.String()) {
				t.Fatalf("%q: %v not trusted", s, a)
			}
		}
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
