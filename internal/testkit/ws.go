package testkit

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// WS is a real WebSocket client of a gateway for tests: a goroutine reads its frames
// (JSON objects; one that is not JSON arrives as {"type": "!not json", "raw": ...})
// into a buffer, and the methods take them in order. Methods that wait fail the test
// after Guard, so a test never hangs.
type WS struct {
	T    testing.TB
	Name string          // in failure messages
	Conn *websocket.Conn // for closing it, or writing what Send cannot
	// frames is closed when the socket is; readErr, set before, is how.
	frames  chan map[string]any
	readErr error
}

// Dial connects to url (ws:// or wss://) with the extra request headers hdr (may be
// nil). The socket is closed when the test ends. The answer to the upgrade is
// returned, also on failure (when there was one).
func Dial(tb testing.TB, url, name string, hdr http.Header) (*WS, *http.Response, error) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Guard)
	defer cancel()
	conn, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: hdr})
	if err != nil {
		return nil, resp, err
	}
	conn.SetReadLimit(1 << 20)
	c := &WS{T: tb, Name: name, Conn: conn, frames: make(chan map[string]any, 1024)}
	go func() {
		for {
			_, data, err := conn.Read(context.Background())
			if err != nil {
				c.readErr = err
				close(c.frames)
				return
			}
			var m map[string]any
			if err := json.Unmarshal(data, &m); err != nil {
				m = map[string]any{"type": "!not json", "raw": string(data)}
			}
			c.frames <- m
		}
	}()
	tb.Cleanup(func() { conn.CloseNow() })
	return c, resp, nil
}

// Send writes a frame: a string as it is, anything else as JSON. A failed write
// fails the test.
func (c *WS) Send(v any) {
	c.T.Helper()
	if err := c.TrySend(v); err != nil {
		c.T.Fatalf("%s: write: %v", c.Name, err)
	}
}

// TrySend is Send returning the write's error.
func (c *WS) TrySend(v any) error {
	var data []byte
	switch x := v.(type) {
	case string:
		data = []byte(x)
	default:
		data, _ = json.Marshal(v)
	}
	ctx, cancel := context.WithTimeout(context.Background(), Guard)
	defer cancel()
	return c.Conn.Write(ctx, websocket.MessageText, data)
}

// NextWithin returns the next frame within d. ok is false when none came in time
// (err nil) or the socket closed (err is how).
func (c *WS) NextWithin(d time.Duration) (m map[string]any, ok bool, err error) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case m, ok := <-c.frames:
		if !ok {
			return nil, false, c.readErr
		}
		return m, true, nil
	case <-t.C:
		return nil, false, nil
	}
}

// Next returns the next frame, whatever it is; none within Guard, or a close, fails
// the test.
func (c *WS) Next() map[string]any {
	c.T.Helper()
	m, ok, err := c.NextWithin(Guard)
	if !ok {
		if err != nil {
			c.T.Fatalf("%s: closed (%v) while a frame was expected", c.Name, err)
		}
		c.T.Fatalf("%s: no frame within %v", c.Name, Guard)
	}
	return m
}

// Expect returns the next frame and fails the test unless it is of type typ.
func (c *WS) Expect(typ string) map[string]any {
	c.T.Helper()
	m := c.Next()
	if m["type"] != typ {
		c.T.Fatalf("%s: got %v, want a %q frame", c.Name, m, typ)
	}
	return m
}

// WaitFor skips frames until one of type typ and returns it with the skipped ones;
// each frame is waited for at most Guard.
func (c *WS) WaitFor(typ string) (map[string]any, []map[string]any) {
	c.T.Helper()
	var skipped []map[string]any
	for {
		m := c.Next()
		if m["type"] == typ {
			return m, skipped
		}
		skipped = append(skipped, m)
	}
}

// WaitMatch skips frames until one matches, within d in all, and returns it with the
// skipped ones; what names it in the failure.
func (c *WS) WaitMatch(d time.Duration, what string, match func(map[string]any) bool) (map[string]any, []map[string]any) {
	c.T.Helper()
	deadline := time.Now().Add(d)
	var skipped []map[string]any
	for {
		left := time.Until(deadline)
		if left <= 0 {
			c.T.Fatalf("%s: no %s within %v; skipped %v", c.Name, what, d, skipped)
		}
		m, ok, err := c.NextWithin(left)
		if !ok {
			if err != nil {
				c.T.Fatalf("%s: closed (%v) while waiting for %s; skipped %v", c.Name, err, what, skipped)
			}
			continue
		}
		if match(m) {
			return m, skipped
		}
		skipped = append(skipped, m)
	}
}

// Reply waits (Guard) for the answer to the frame with id re, whatever its type.
func (c *WS) Reply(re string) (map[string]any, []map[string]any) {
	c.T.Helper()
	return c.WaitMatch(Guard, "reply to "+re, func(m map[string]any) bool { return m["re"] == re })
}

// DrainUntilPong sends a ping and returns every frame that came before the pong.
func (c *WS) DrainUntilPong() []map[string]any {
	c.T.Helper()
	c.Send(map[string]string{"type": "ping"})
	_, before := c.WaitMatch(Guard, "pong", func(m map[string]any) bool { return m["type"] == "pong" })
	return before
}

// Quiet fails the test if a frame is pending: it sends a ping and expects the pong
// first.
func (c *WS) Quiet() {
	c.T.Helper()
	c.Send(map[string]string{"type": "ping"})
	if m := c.Next(); m["type"] != "pong" {
		c.T.Fatalf("%s: unexpected frame %v", c.Name, m)
	}
}

// ClosedWith waits (Guard) for the socket to close, skipping frames, and fails the
// test unless the close code is code.
func (c *WS) ClosedWith(code websocket.StatusCode) {
	c.T.Helper()
	deadline := time.Now().Add(Guard)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			c.T.Fatalf("%s: not closed within %v", c.Name, Guard)
		}
		_, ok, err := c.NextWithin(left)
		if ok || err == nil {
			continue
		}
		if got := websocket.CloseStatus(err); got != code {
			c.T.Fatalf("%s: closed with %d, want %d", c.Name, got, code)
		}
		return
	}
}
