package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// wsClient is a real WebSocket client of the test gateway.
type wsClient struct {
	t      *testing.T
	name   string
	conn   *websocket.Conn
	frames chan map[string]any
	closed chan websocket.StatusCode
}

// frameWait bounds every wait for a frame: a failure guard, not a timing assumption.
const frameWait = 10 * time.Second

func (f *fixture) dial(path string, hdr http.Header) (*wsClient, *http.Response, error) {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), frameWait)
	defer cancel()
	url := "ws" + strings.TrimPrefix(f.http.URL, "http") + path
	conn, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: hdr})
	if err != nil {
		return nil, resp, err
	}
	conn.SetReadLimit(1 << 20)
	c := &wsClient{t: f.t, name: path, conn: conn, frames: make(chan map[string]any, 1024), closed: make(chan websocket.StatusCode, 1)}
	go func() {
		for {
			_, data, err := conn.Read(context.Background())
			if err != nil {
				c.closed <- websocket.CloseStatus(err)
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
	f.t.Cleanup(func() { conn.CloseNow() })
	return c, resp, nil
}

func (c *wsClient) send(v any) {
	c.t.Helper()
	if err := c.trySend(v); err != nil {
		c.t.Fatalf("%s: write: %v", c.name, err)
	}
}

// trySend writes a frame and returns the write's error.
func (c *wsClient) trySend(v any) error {
	var data []byte
	switch x := v.(type) {
	case string:
		data = []byte(x)
	default:
		data, _ = json.Marshal(v)
	}
	ctx, cancel := context.WithTimeout(context.Background(), frameWait)
	defer cancel()
	return c.conn.Write(ctx, websocket.MessageText, data)
}

// next returns the next frame, whatever it is.
func (c *wsClient) next() map[string]any {
	c.t.Helper()
	select {
	case m, ok := <-c.frames:
		if !ok {
			c.t.Fatalf("%s: closed while a frame was expected", c.name)
		}
		return m
	case <-time.After(frameWait):
		c.t.Fatalf("%s: no frame within %v", c.name, frameWait)
	}
	return nil
}

// expect returns the next frame and checks its type.
func (c *wsClient) expect(typ string) map[string]any {
	c.t.Helper()
	m := c.next()
	if m["type"] != typ {
		c.t.Fatalf("%s: got %v, want a %q frame", c.name, m, typ)
	}
	return m
}

// waitFor skips frames until one of type typ (the skipped ones are returned too).
func (c *wsClient) waitFor(typ string) (map[string]any, []map[string]any) {
	c.t.Helper()
	var skipped []map[string]any
	for {
		m := c.next()
		if m["type"] == typ {
			return m, skipped
		}
		skipped = append(skipped, m)
	}
}

// quiet asserts no frame is pending: it sends a ping and expects the pong first.
func (c *wsClient) quiet() {
	c.t.Helper()
	c.send(map[string]string{"type": "ping"})
	if m := c.next(); m["type"] != "pong" {
		c.t.Fatalf("%s: unexpected frame %v", c.name, m)
	}
}

// closedWith waits for the socket to close and checks the code.
func (c *wsClient) closedWith(code websocket.StatusCode) {
	c.t.Helper()
	deadline := time.After(frameWait)
	for {
		select {
		case _, ok := <-c.frames:
			if ok {
				continue
			}
			got := <-c.closed
			if got != code {
				c.t.Fatalf("%s: closed with %d, want %d", c.name, got, code)
			}
			return
		case <-deadline:
			c.t.Fatalf("%s: not closed within %v", c.name, frameWait)
		}
	}
}

// visitor connects a visitor to a site and returns it with its welcome.
func (f *fixture) visitor(siteID string, hello map[string]any) (*wsClient, map[string]any) {
	f.t.Helper()
	c, _, err := f.dial("/ws/visitor?site="+siteID, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	if hello == nil {
		hello = map[string]any{}
	}
	hello["type"] = "hello"
	c.send(hello)
	w := c.expect("welcome")
	c.name = fmt.Sprintf("visitor %v", w["visitor_id"])
	return c, w
}

// agentSocket connects an agent's console and returns it with its welcome.
func (f *fixture) agentSocket(token string) (*wsClient, map[string]any) {
	f.t.Helper()
	c, _, err := f.dial("/ws/agent", nil)
	if err != nil {
		f.t.Fatal(err)
	}
	c.send(map[string]any{"type": "hello", "token": token})
	w := c.expect("welcome")
	c.name = fmt.Sprintf("agent %v", w["agent"].(map[string]any)["email"])
	return c, w
}

func status(m map[string]any) map[string]any {
	if s, ok := m["status"].(map[string]any); ok {
		return s
	}
	return nil
}
