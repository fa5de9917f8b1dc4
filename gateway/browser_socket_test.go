package gateway

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"
)

// socketCutter stands in front of the gateway's /ws/visitor: it can cut the live
// sockets from the server's side (TCP closed, no close frame) and refuse upgrades
// (503) until opened again, counting the refused attempts.
type socketCutter struct {
	mu      sync.Mutex
	conns   []net.Conn
	closed  bool          // refusing upgrades
	refused int           // upgrades refused so far
	changed chan struct{} // closed and replaced on each refusal
}

// cutVisitorSockets puts a socketCutter in front of f's /ws/visitor, keeping the
// fixture's other extra pages.
func cutVisitorSockets(f *fixture) *socketCutter {
	c := &socketCutter{changed: make(chan struct{})}
	pages := f.extra
	f.extra = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/ws/visitor" {
			return pages != nil && pages(w, r)
		}
		c.mu.Lock()
		if c.closed {
			c.refused++
			close(c.changed)
			c.changed = make(chan struct{})
			c.mu.Unlock()
			http.Error(w, "down", http.StatusServiceUnavailable)
			return true
		}
		c.mu.Unlock()
		f.srv.Handler().ServeHTTP(hijackRecorder{w, c.keep}, r)
		return true
	}
	return c
}

func (c *socketCutter) keep(conn net.Conn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.conns = append(c.conns, conn)
}

// cut closes every socket so far and refuses the next upgrades.
func (c *socketCutter) cut() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	for _, conn := range c.conns {
		_ = conn.Close()
	}
	c.conns = nil
}

// waitRefused blocks until n upgrades were refused; the client's backoff makes
// them come within a few seconds (frameWait for each is a failure bound).
func (c *socketCutter) waitRefused(t *testing.T, n int) {
	t.Helper()
	for {
		c.mu.Lock()
		got, ch := c.refused, c.changed
		c.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-ch:
		case <-time.After(frameWait):
			t.Fatalf("%d upgrades refused within %v of the last, want %d: the client does not retry", got, frameWait, n)
		}
	}
}

// open lets the next upgrades through.
func (c *socketCutter) open() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = false
}

// hijackRecorder hands the gateway's hijacked connection to got.
type hijackRecorder struct {
	http.ResponseWriter
	got func(net.Conn)
}

func (h hijackRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(h.ResponseWriter).Hijack()
	if err == nil {
		h.got(conn)
	}
	return conn, rw, err
}

// The shared socket client (socket.js) in the widget: the server cuts the socket
// mid-conversation and refuses the next attempts; the client keeps retrying with
// backoff, and once let in it resumes with last_seq and shows the message the agent
// wrote meanwhile, once. A message the visitor typed while cut off is sent on the
// welcome.
func TestBrowserWidgetReconnectsAndResumesAfterADrop(t *testing.T) {
	f, agent, ctx := bwSetup(t)
	cutter := cutVisitorSockets(f)
	bwLoad(t, ctx, f.http.URL+"/demo")
	convID := bwStartChat(t, ctx, agent, "Is the shop open on Sunday?", "Let me check.")

	cutter.cut()
	bwWait(t, ctx, "the widget to see the drop", `!window.LivedeskWidget.state().connected`)
	cutter.waitRefused(t, 2) // it retries while the gateway refuses
	bwAgentSays(t, agent, convID, "Yes, from 10 to 16.")
	bwSay(t, ctx, "Thanks!")
	if st := bwState(t, ctx); st.Connected || st.Pending != 1 {
		t.Fatalf("widget while cut off: %+v", st)
	}
	bwEval(t, ctx, `window.__bwSent.length = 0`, nil)
	cutter.open()

	bwWait(t, ctx, "the reconnect", `window.LivedeskWidget.state().connected && window.LivedeskWidget.state().pending === 0`)
	var sent []string
	bwEval(t, ctx, `window.__bwSent`, &sent)
	var hello struct {
		Type     string `json:"type"`
		LastSeq  int    `json:"last_seq"`
		Token    string `json:"visitor_token"`
		Timezone string `json:"timezone"`
	}
	if len(sent) < 2 || json.Unmarshal([]byte(sent[0]), &hello) != nil || hello.Type != "hello" || hello.LastSeq != 2 || hello.Token == "" {
		t.Fatalf("frames after the reconnect: %v", sent)
	}
	bwShows(t, ctx, "agent", "Yes, from 10 to 16.")
	bwVisitorSaid(t, agent, "Thanks!")
	bwShows(t, ctx, "visitor", "Thanks!")
	ms := bwMessages(t, ctx)
	want := []string{"Is the shop open on Sunday?", "Let me check.", "Yes, from 10 to 16.", "Thanks!"}
	if len(ms) != len(want) {
		t.Fatalf("transcript after the reconnect: %+v", ms)
	}
	for i, m := range ms {
		if m.Text != want[i] || m.Pending || m.Seq != fmt.Sprint(i+1) {
			t.Fatalf("transcript after the reconnect: %+v", ms)
		}
	}
}
