package hub

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
	"github.com/livedesk/gateway/internal/testkit"
)

// wsServer starts an httptest server whose WebSocket connections are wrapped in
// Clients with o and handed to the test on the returned channel. The server side
// reads with CloseRead, as coder/websocket needs a reader for control frames.
func wsServer(t *testing.T, o ClientOptions) (url string, clients <-chan *Client) {
	t.Helper()
	ch := make(chan *Client, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := websocket.Accept(w, r, nil)
		if err != nil {
			t.Errorf("accept: %v", err)
			return
		}
		conn.CloseRead(context.Background())
		ch <- NewClient(WebSocket(conn), o)
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http"), ch
}

func dial(ctx context.Context, t *testing.T, url string) *websocket.Conn {
	t.Helper()
	conn, _, err := websocket.Dial(ctx, url, nil)
	testkit.NoError(t, err)
	t.Cleanup(func() { conn.CloseNow() })
	return conn
}

func TestWebSocketFramesThenCloseAfter(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	url, clients := wsServer(t, ClientOptions{WriteTimeout: 2 * time.Second})
	conn := dial(ctx, t, url)
	c := testkit.Recv(t, "server client", clients)

	const n = 100
	for i := 0; i < n; i++ {
		c.Send([]byte(fmt.Sprintf(`{"type":"message","seq":%d}`, i)))
	}
	c.CloseAfter(CloseRestart, "server restart")
	for i := 0; i < n; i++ {
		typ, data, err := conn.Read(ctx)
		testkit.NoError(t, err)
		testkit.Equal(t, "type", typ, websocket.MessageText)
		testkit.Equal(t, "frame", string(data), fmt.Sprintf(`{"type":"message","seq":%d}`, i))
	}
	_, _, err := conn.Read(ctx)
	testkit.Equal(t, "close status", websocket.CloseStatus(err), websocket.StatusServiceRestart)
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		testkit.Equal(t, "close reason", ce.Reason, "server restart")
	}
	waitClosed(t, c)
	testkit.Equal(t, "close code", c.CloseCode(), CloseRestart)
}

func TestWebSocketCloseSendsCode(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	url, clients := wsServer(t, ClientOptions{})
	conn := dial(ctx, t, url)
	c := testkit.Recv(t, "server client", clients)
	start := time.Now()
	c.Close(CloseLoggedOut, "logged out")
	if d := time.Since(start); d > time.Second {
		t.Fatalf("Close blocked for %v", d)
	}
	_, _, err := conn.Read(ctx)
	testkit.Equal(t, "close status", websocket.CloseStatus(err), websocket.StatusCode(CloseLoggedOut))
}

// TestWebSocketStalledReader: the browser stops reading. The server keeps sending
// 16 KiB frames; once the socket buffers are full a write overruns its 200 ms
// timeout and the client is closed as a slow consumer.
func TestWebSocketStalledReader(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// A queue large enough not to fill first: the write timeout must be what fires.
	url, clients := wsServer(t, ClientOptions{WriteTimeout: 200 * time.Millisecond, QueueLimit: 1 << 14})
	_ = dial(ctx, t, url) // never read from
	c := testkit.Recv(t, "server client", clients)

	frame := []byte(strings.Repeat("x", 16<<10))
	tick := time.NewTicker(time.Millisecond) // pace: about 16 MB/s
	defer tick.Stop()
	sent := 0
loop:
	for {
		select {
		case <-c.Done():
			break loop
		case <-ctx.Done():
			t.Fatalf("still open after %d frames (%d MiB)", sent, sent>>6)
		case <-tick.C:
			if c.Send(frame) {
				sent++
			}
		}
	}
	testkit.Equal(t, "close code", c.CloseCode(), CloseSlowConsumer)
	testkit.Equal(t, "close reason", c.CloseReason(), ReasonWriteTimeout)
	t.Logf("closed after %d frames (%d MiB) queued", sent, sent>>6)
}

func TestTruncateReason(t *testing.T) {
	testkit.Equal(t, "short", truncateReason("bye"), "bye")
	long := strings.Repeat("é", 100) // 200 bytes
	got := truncateReason(long)
	if len(got) > maxCloseReason || !utf8.ValidString(got) || len(got) < maxCloseReason-1 {
		t.Fatalf("truncateReason: %d bytes, valid %v", len(got), utf8.ValidString(got))
	}
}
