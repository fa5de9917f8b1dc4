package hub

import (
	"context"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/livedesk/gateway/internal/redistest"
	"github.com/livedesk/gateway/internal/testkit"
	"github.com/redis/go-redis/v9"
)

// testRedis is a real redis-server (internal/redistest) whose Client method makes
// a separate client per call, one per simulated node, with options.
type testRedis struct {
	*redistest.Server
	tb testing.TB
}

// startRedis starts redis-server for tb (skipped without it, failed in CI).
func startRedis(tb testing.TB) *testRedis {
	tb.Helper()
	return &testRedis{Server: redistest.Start(tb), tb: tb}
}

// Client returns a go-redis client for the server, closed in Cleanup.
func (r *testRedis) Client(opts ...func(*redis.Options)) *redis.Client {
	o := &redis.Options{Addr: r.Addr()}
	for _, f := range opts {
		f(o)
	}
	c := redis.NewClient(o)
	r.tb.Cleanup(func() { _ = c.Close() })
	return c
}

// commandCalls returns how many times the server ran cmd (INFO commandstats).
func commandCalls(tb testing.TB, c *redis.Client, cmd string) int {
	tb.Helper()
	info, err := c.Info(context.Background(), "commandstats").Result()
	testkit.NoError(tb, err)
	prefix := "cmdstat_" + cmd + ":calls="
	for line := range strings.SplitSeq(info, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), prefix); ok {
			n, err := strconv.Atoi(rest[:strings.IndexByte(rest, ',')])
			testkit.NoError(tb, err)
			return n
		}
	}
	return 0
}

// freezer dials connections that it can later freeze: a frozen connection stays
// open but carries nothing either way (writes vanish, arriving bytes are
// discarded, read deadlines still fire), like a silently dead network path.
type freezer struct {
	mu    sync.Mutex
	conns []*frozenConn
}

func (f *freezer) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	fc := &frozenConn{Conn: c}
	f.mu.Lock()
	f.conns = append(f.conns, fc)
	f.mu.Unlock()
	return fc, nil
}

// freezeAll freezes every connection dialed so far; later ones work.
func (f *freezer) freezeAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.conns {
		c.frozen.Store(true)
	}
}

type frozenConn struct {
	net.Conn
	frozen atomic.Bool
}

func (c *frozenConn) Read(p []byte) (int, error) {
	for {
		n, err := c.Conn.Read(p)
		if err != nil || !c.frozen.Load() {
			return n, err
		}
	}
}

func (c *frozenConn) Write(p []byte) (int, error) {
	if c.frozen.Load() {
		return len(p), nil
	}
	return c.Conn.Write(p)
}
