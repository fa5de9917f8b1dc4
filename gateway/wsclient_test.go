package gateway

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/coder/websocket"
	"github.com/livedesk/gateway/internal/testkit"
)

// wsClient is a real WebSocket client of the test gateway: testkit.WS under the
// names this package's tests use.
type wsClient struct{ *testkit.WS }

// frameWait bounds every wait for a frame: a failure guard, not a timing assumption.
const frameWait = testkit.Guard

func (f *fixture) dial(path string, hdr http.Header) (*wsClient, *http.Response, error) {
	f.t.Helper()
	c, resp, err := testkit.Dial(f.t, "ws"+strings.TrimPrefix(f.http.URL, "http")+path, path, hdr)
	if err != nil {
		return nil, resp, err
	}
	return &wsClient{c}, resp, nil
}

func (c *wsClient) send(v any)                       { c.T.Helper(); c.Send(v) }
func (c *wsClient) trySend(v any) error              { return c.TrySend(v) }
func (c *wsClient) next() map[string]any             { c.T.Helper(); return c.Next() }
func (c *wsClient) expect(typ string) map[string]any { c.T.Helper(); return c.Expect(typ) }
func (c *wsClient) quiet()                           { c.T.Helper(); c.Quiet() }

func (c *wsClient) waitFor(typ string) (map[string]any, []map[string]any) {
	c.T.Helper()
	return c.WaitFor(typ)
}

func (c *wsClient) closedWith(code websocket.StatusCode) { c.T.Helper(); c.ClosedWith(code) }

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
	c.Name = fmt.Sprintf("visitor %v", w["visitor_id"])
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
	c.Name = fmt.Sprintf("agent %v", w["agent"].(map[string]any)["email"])
	return c, w
}

func status(m map[string]any) map[string]any {
	if s, ok := m["status"].(map[string]any); ok {
		return s
	}
	return nil
}
