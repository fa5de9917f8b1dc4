package gateway

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/livedesk/gateway/gateway/ws"
)

// TestServerPingClosesADeadPeer: every 25 s the server pings each socket; a client
// that answers stays, one that does not (it stopped reading, as a dead peer would)
// is closed.
func TestServerPingClosesADeadPeer(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.PingTimeout = 300 * time.Millisecond })
	// Past the start-up grace first, so no status change comes in the way.
	f.clock.Advance(16 * time.Second)
	alive, _ := f.visitor(f.siteA.ID, nil)

	ctx, cancel := context.WithTimeout(context.Background(), frameWait)
	defer cancel()
	dead, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(f.http.URL, "http")+"/ws/visitor?site="+f.siteA.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer dead.CloseNow()
	if err := dead.Write(ctx, websocket.MessageText, []byte(`{"type":"hello"}`)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := dead.Read(ctx); err != nil { // the welcome; then it never reads again
		t.Fatal(err)
	}
	if n := f.srv.rt.SocketsOpen(); n != 2 {
		t.Fatalf("%d sockets open, want 2", n)
	}
	f.clock.Advance(ws.PingInterval - 16*time.Second - time.Second)
	alive.quiet()
	f.clock.Advance(time.Second)
	deadline := time.Now().Add(frameWait)
	for f.srv.rt.SocketsOpen() != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("the peer that does not answer pings is still connected (%d sockets)", f.srv.rt.SocketsOpen())
		}
		time.Sleep(10 * time.Millisecond)
	}
	alive.quiet()
}
