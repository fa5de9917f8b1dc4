package redistest_test

import (
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/livedesk/gateway/internal/redistest"
)

func TestStartStopRestartKeepsData(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	ctx := t.Context()
	c := srv.Client()
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatalf("SET: %v", err)
	}
	opt, err := redis.ParseURL(srv.URL())
	if err != nil || opt.Addr != srv.Addr() {
		t.Fatalf("URL %q parses to %+v, %v; want addr %s", srv.URL(), opt, err, srv.Addr())
	}

	srv.Stop()
	start := time.Now()
	if err := c.Ping(ctx).Err(); err == nil {
		t.Fatal("PING answered while the server is stopped")
	}
	t.Logf("PING to a stopped server failed after %v", time.Since(start))
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("PING to a stopped server took %v", d)
	}
	srv.Stop() // harmless

	srv.Restart()
	got, err := c.Get(ctx, "k").Result()
	if err != nil || got != "v" {
		t.Fatalf("GET after a SIGKILL and restart: %q, %v", got, err)
	}
}

func TestParallelServers(t *testing.T) {
	for range 4 {
		t.Run("", func(t *testing.T) {
			t.Parallel()
			srv := redistest.Start(t)
			if err := srv.Client().Ping(t.Context()).Err(); err != nil {
				t.Fatal(err)
			}
		})
	}
}
