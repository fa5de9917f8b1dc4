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

	"github.com/chromedp/chromedp"
)

// socketCutter stands in front of one of the gateway's socket paths: it can cut the live
// sockets from the server's side (TCP closed, no close frame) and refuse upgrades
// (503) until opened again, counting the refused attempts.
type socketCutter struct {
	mu      sync.Mutex
	conns   []net.Conn
	closed  bool          // refusing upgrades
	refused int           // upgrades refused so far
	changed chan struct{} // closed and replaced on each refusal
}

// cutSockets puts a socketCutter in front of f's path (/ws/visitor or /ws/agent),
// keeping the fixture's other extra pages.
func cutSockets(f *fixture, path string) *socketCutter {
	c := &socketCutter{changed: make(chan struct{})}
	pages := f.extra
	f.extra = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != path {
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
	cutter := cutSockets(f, "/ws/visitor")
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

// The same client in the console: the server cuts the agent's socket mid-chat and
// refuses the next attempts; the reply the agent sends meanwhile waits in the
// outbox, and once let in the console is welcomed again with the visitor's message
// written meanwhile and sends the reply, which the visitor gets once.
func TestBrowserConsoleReconnectsAfterADropAndSendsItsOutbox(t *testing.T) {
	ctx := bcBrowser(t, "UTC")
	f := newFixture(t)
	cutter := cutSockets(f, "/ws/agent")
	bcRun(t, ctx, "agentA logs in", bcLogin(f, f.agentA.Email))
	f.clock.Advance(15 * time.Second) // the others' start-up grace runs out: agentA answers
	v, _ := f.visitor(f.siteA.ID, nil)
	v.send(map[string]any{"type": "chat.start", "id": "s1", "text": "Hello?"})
	v.waitFor("chat.assigned")
	bcRun(t, ctx, "the chat in the console", bcState(`s.chats.length === 1 && s.active`))

	cutter.cut()
	bcRun(t, ctx, "the console sees the drop", bcState(`!s.connected`))
	cutter.waitRefused(t, 2)
	v.send(map[string]any{"type": "message", "id": "v1", "text": "Still there?"})
	v.waitFor("message.ack")
	bcRun(t, ctx, "a reply while cut off",
		chromedp.Evaluate(`(() => { const i = document.querySelector('[data-testid=chat-input]');
			i.value = 'Yes, sorry!'; i.dispatchEvent(new Event('input', {bubbles: true}));
			document.querySelector('[data-testid=chat-send]').click(); return true })()`, nil),
		bcState(`!s.connected && s.pending === 1`))
	cutter.open()

	bcRun(t, ctx, "the reconnect",
		bcState(`s.connected && s.pending === 0`),
		waitJS(`[...document.querySelectorAll('[data-testid=chat-message]')].some(e => e.textContent.includes('Still there?'))`))
	for {
		m, _ := v.waitFor("message")
		if m["from"] == "agent" {
			if m["text"] != "Yes, sorry!" {
				t.Fatalf("visitor got %v", m)
			}
			break
		}
	}
	for _, m := range bwDrain(v) {
		if m["type"] == "message" {
			t.Fatalf("the reply reached the visitor twice: %v", m)
		}
	}
	bcNoErrors(t, ctx)
}
