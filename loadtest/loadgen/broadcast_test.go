package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// floorServer is the floor server's protocol in miniature (../shared/floor): hello
// -> welcome, and POST /broadcast writes one status frame to every socket.
func floorServer(t *testing.T) *httptest.Server {
	var mu sync.Mutex
	conns := map[*websocket.Conn]bool{}
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("/ws/visitor", func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		mu.Lock()
		conns[c] = true
		mu.Unlock()
		defer func() { mu.Lock(); delete(conns, c); mu.Unlock() }()
		for {
			if _, _, err := c.Read(context.Background()); err != nil {
				return
			}
			_ = c.Write(context.Background(), websocket.MessageText, []byte(`{"type":"welcome"}`))
		}
	})
	mux.HandleFunc("POST /broadcast", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		for c := range conns {
			_ = c.Write(r.Context(), websocket.MessageText, []byte(`{"type":"status","status":{"online":false,"reason":"paused"}}`))
		}
		w.WriteHeader(http.StatusNoContent)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// -flip broadcast needs no token, site set-up or agent: it posts /broadcast at the
// instant, and every visitor's status frame is timed against it.
func TestFanoutBroadcastAgainstFloor(t *testing.T) {
	t.Parallel()
	srv := floorServer(t)
	at := strconv.FormatInt(wallNow().Add(2*time.Second).UnixMilli(), 10)
	cfg := testConfig(t, "-scenario", "fanout", "-flip", "broadcast", "-flipper", "-site", "floor", "-visitor-urls", srv.URL,
		"-visitors", "20", "-connect-rate", "0", "-src", "127.12.0.0/24", "-at", at, "-wait", "5s")
	s, err := runFanout(testCtx(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if s.Measured != 20 || s.Received != 20 || s.Missing != 0 || s.Early.Count != 0 || s.Flippers != 1 || s.Agents != 0 {
		t.Fatalf("measured %d received %d missing %d early %d flippers %d agents %d", s.Measured, s.Received, s.Missing, s.Early.Count, s.Flippers, s.Agents)
	}
	if s.Reasons["paused"] != 20 || s.Delay.Min < 0 || s.FlipSentLagMs > 50 {
		t.Fatalf("reasons %v delay %+v flip lag %.3f ms", s.Reasons, s.Delay, s.FlipSentLagMs)
	}
}
