package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// wsServer is a coder/websocket server running handle for every connection.
func wsServer(t *testing.T, handle func(ctx context.Context, c *websocket.Conn)) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		c.SetReadLimit(1 << 20)
		handle(r.Context(), c)
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/ws/visitor?site=s"
}

func TestWSClientEchoSizesPingAndClose(t *testing.T) {
	var pongs atomic.Int64
	u := wsServer(t, func(ctx context.Context, c *websocket.Conn) {
		for _, n := range []int{5, 300, 70000} { // 7-bit, 16-bit and 64-bit lengths
			_, b, err := c.Read(ctx)
			if err != nil || len(b) != n {
				return
			}
			if err := c.Write(ctx, websocket.MessageText, b); err != nil {
				return
			}
		}
		// Pings are answered while the client reads.
		go func() {
			for range 3 {
				pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
				if c.Ping(pctx) == nil {
					pongs.Add(1)
				}
				cancel()
			}
			c.Close(4003, "enough")
		}()
		c.Read(ctx) // runs the control frames until the close
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := dialWS(ctx, u, net.IPv4(127, 8, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.nc.LocalAddr().(*net.TCPAddr).IP.String(); got != "127.8.0.1" {
		t.Fatalf("left from %s", got)
	}
	c.setDeadline(time.Now().Add(10 * time.Second))
	for _, n := range []int{5, 300, 70000} {
		msg := bytes.Repeat([]byte("x"), n)
		if err := c.writeText(msg); err != nil {
			t.Fatal(err)
		}
		got, err := c.readMessage()
		if err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("echo of %d bytes: %d bytes, %v", n, len(got), err)
		}
	}
	_, err = c.readMessage()
	if closeCode(err) != 4003 || pongs.Load() != 3 {
		t.Fatalf("end: %v (close %d), pongs %d", err, closeCode(err), pongs.Load())
	}
}

func TestWSClientRefusedUpgrade(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	_, err := dialWS(context.Background(), "ws"+strings.TrimPrefix(srv.URL, "http")+"/ws/visitor", nil)
	if failReason(err) != "http 404" {
		t.Fatalf("%v -> %q", err, failReason(err))
	}
}

// Frames written by hand: a fragmented message with a ping in between, and a
// masked frame (servers do not mask, but reading one is harmless).
func TestWSClientFragmentsAndMaskedFrames(t *testing.T) {
	client, server := net.Pipe()
	defer client.Close()
	defer server.Close()
	c := &wsConn{nc: client, br: bufio.NewReader(client), rng: rand.NewPCG(1, 2)}
	go func() {
		server.Write([]byte{opText, 3, 'a', 'b', 'c'})       // FIN=0
		server.Write([]byte{0x80 | opPing, 2, 'h', 'i'})     // control frame in between
		server.Write([]byte{0x80 | opContinue, 2, 'd', 'e'}) // FIN=1
		mask := []byte{1, 2, 3, 4}
		p := []byte("zz")
		server.Write([]byte{0x80 | opText, 0x80 | 2, 1, 2, 3, 4, p[0] ^ mask[0], p[1] ^ mask[1]})
	}()
	pong := make(chan []byte, 1)
	go func() { // the pong the client writes, unmasked
		var h [2]byte
		io.ReadFull(server, h[:])
		var m [4]byte
		io.ReadFull(server, m[:])
		b := make([]byte, h[1]&0x7F)
		io.ReadFull(server, b)
		for i := range b {
			b[i] ^= m[i%4]
		}
		if h[0] != 0x80|opPong || h[1]&0x80 == 0 {
			b = nil
		}
		pong <- b
	}()
	got, err := c.readMessage()
	if err != nil || string(got) != "abcde" {
		t.Fatalf("%q %v", got, err)
	}
	if p := <-pong; string(p) != "hi" {
		t.Fatalf("pong %q", p)
	}
	got, err = c.readMessage()
	if err != nil || string(got) != "zz" {
		t.Fatalf("masked: %q %v", got, err)
	}
	server.Close()
	if _, err := c.readMessage(); failReason(err) != "connection closed (EOF)" {
		t.Fatalf("after close: %v %q", err, failReason(err))
	}
}

func TestWSClientFrameLengthEncoding(t *testing.T) {
	client, server := net.Pipe()
	defer client.Close()
	defer server.Close()
	c := &wsConn{nc: client, br: bufio.NewReader(client), rng: rand.NewPCG(1, 2)}
	for _, n := range []int{0, 125, 126, 65535, 65536} {
		go c.writeText(bytes.Repeat([]byte{'q'}, n))
		br := bufio.NewReader(server)
		var h [2]byte
		io.ReadFull(br, h[:])
		l := int(h[1] & 0x7F)
		switch l {
		case 126:
			var e [2]byte
			io.ReadFull(br, e[:])
			l = int(binary.BigEndian.Uint16(e[:]))
		case 127:
			var e [8]byte
			io.ReadFull(br, e[:])
			l = int(binary.BigEndian.Uint64(e[:]))
		}
		var m [4]byte
		io.ReadFull(br, m[:])
		b := make([]byte, l)
		io.ReadFull(br, b)
		for i := range b {
			b[i] ^= m[i%4]
		}
		if h[0] != 0x80|opText || h[1]&0x80 == 0 || l != n || !bytes.Equal(b, bytes.Repeat([]byte{'q'}, n)) {
			t.Fatalf("%d bytes: header %x length %d", n, h, l)
		}
	}
}

// An idle fleet answers the server's pings: a server that closes a socket whose
// ping goes unanswered (as the gateway does) keeps every one of them.
func TestIdleFleetAnswersPings(t *testing.T) {
	var answered, unanswered atomic.Int64
	u := wsServer(t, func(ctx context.Context, c *websocket.Conn) {
		if _, _, err := c.Read(ctx); err != nil { // hello
			return
		}
		c.Write(ctx, websocket.MessageText, []byte(`{"type":"welcome","visitor_id":"v","visitor_token":"t","status":{"online":true,"reason":"open"}}`))
		ctx = c.CloseRead(ctx)
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
			pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			err := c.Ping(pctx)
			timedOut := errors.Is(pctx.Err(), context.DeadlineExceeded)
			cancel()
			if err != nil {
				// A ping cut short by the client's close at the end is no failure.
				if timedOut && ctx.Err() == nil {
					unanswered.Add(1)
					c.Close(websocket.StatusGoingAway, "ping timeout")
				}
				return
			}
			answered.Add(1)
		}
	})
	base := "http" + strings.TrimPrefix(strings.TrimSuffix(u, "/ws/visitor?site=s"), "ws")
	cfg, err := parseFlags([]string{"-scenario", "idle", "-site", "s", "-visitor-urls", base, "-visitors", "20", "-connect-rate", "0",
		"-duration", "800ms", "-src", "127.9.0.0/24"})
	if err != nil {
		t.Fatal(err)
	}
	s, err := runIdle(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if s.Held != 20 || len(s.VisitorCloses) != 0 || unanswered.Load() != 0 || answered.Load() < 20*4 {
		t.Fatalf("held %d closes %v; pings answered %d, unanswered %d", s.Held, s.VisitorCloses, answered.Load(), unanswered.Load())
	}
	if s.Nodes[0].Error == "" {
		t.Fatalf("a node without /metrics has no error: %+v", s.Nodes[0])
	}
}
