package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/livedesk/gateway/clock"
	"github.com/livedesk/gateway/gateway"
	"github.com/livedesk/gateway/gateway/api"
	"go.uber.org/zap"
	"golang.org/x/crypto/bcrypt"
)

// The scenarios create and log in agents (the departments one, ten of them): at the
// default bcrypt cost that is seconds of CPU each under -race on a busy box.
func init() { api.BcryptCost = bcrypt.MinCost }

// testGW is one in-process gateway (embedded store) shared by the scenario tests.
// Its clock, and the load generator's wallNow, can be moved ahead of the real clock
// (see aheadToBoundary) so that a schedule boundary, a whole minute, comes a few
// seconds into a test rather than up to a minute later.
var testGW struct {
	base  *url.URL
	token string
	err   error
	clock shiftedClock
}

// testAgentPrefix names the agent made at set-up (<prefix>1@example.com), so the
// boundary test's flipping process only logs it in.
const (
	testAgentPrefix   = "lgagent"
	testAgentPassword = "loadgen-agent-pass"
)

// shiftedClock is the real clock plus a shift that only moves forward.
type shiftedClock struct{ shift *atomic.Int64 }

func (c shiftedClock) Now() time.Time { return time.Now().Add(time.Duration(c.shift.Load())) }
func (c shiftedClock) AfterFunc(d time.Duration, f func()) clock.Timer {
	return time.AfterFunc(d, f)
}

// aheadToBoundary moves the test clock forward so that a whole minute comes lead
// from now, and returns that minute. Only a test that runs alone (not parallel) may
// call it: a jump would upset the time measurements of tests running meanwhile.
func aheadToBoundary(lead time.Duration) time.Time {
	c := testGW.clock
	now := time.Now()
	b := nextWholeMinute(now.Add(time.Duration(c.shift.Load()) + lead))
	c.shift.Store(int64(b.Sub(now.Add(lead))))
	return b
}

func TestMain(m *testing.M) {
	testGW.clock = shiftedClock{shift: new(atomic.Int64)}
	wallNow = testGW.clock.Now
	dir, err := os.MkdirTemp("", "loadgen-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ctx, cancel := context.WithCancel(context.Background())
	testGW.err = startTestGateway(ctx, dir, testGW.clock)
	code := m.Run()
	cancel()
	os.RemoveAll(dir)
	os.Exit(code)
}

func startTestGateway(ctx context.Context, dir string, clk clock.Clock) error {
	cfg := gateway.DefaultConfig()
	cfg.Addr, cfg.DataDir = "127.0.0.1:0", dir
	cfg.OwnerEmail, cfg.OwnerPassword = "owner@example.com", "loadgen-test-pass"
	cfg.Secret = "loadgen-test-secret-0123456789"
	cfg.MaxConnsPerAddr, cfg.MaxSocketsPerAddr = 0, 0 // the load opens thousands of sockets from loopback
	app, err := gateway.Start(ctx, cfg, clk, zap.NewNop(), io.Discard)
	if err != nil {
		return err
	}
	go app.Serve(ctx, time.Second)
	testGW.base, _ = url.Parse("http://" + app.Addr().String())
	var out struct {
		Token string `json:"token"`
	}
	lctx, lcancel := context.WithTimeout(ctx, 60*time.Second)
	defer lcancel()
	if err := apiCall(lctx, httpClientFrom(nil), testGW.base, "POST", "/login", "",
		map[string]string{"email": cfg.OwnerEmail, "password": cfg.OwnerPassword}, &out); err != nil {
		return err
	}
	testGW.token = out.Token
	agent := map[string]any{"email": testAgentPrefix + "1@example.com", "name": "Load agent", "password": testAgentPassword, "max_chats": 5}
	return apiCall(lctx, httpClientFrom(nil), testGW.base, "POST", "/agents", testGW.token, agent, nil)
}

// newTestSite creates a site on the test gateway and returns its id.
func newTestSite(t *testing.T) string {
	t.Helper()
	if testGW.err != nil {
		t.Fatalf("test gateway: %v", testGW.err)
	}
	var out struct {
		ID string `json:"id"`
	}
	if err := apiCall(context.Background(), httpClientFrom(nil), testGW.base, "POST", "/sites", testGW.token,
		map[string]string{"name": t.Name()}, &out); err != nil {
		t.Fatal(err)
	}
	return out.ID
}

// testConfig parses loadgen flags for a run against the test gateway.
func testConfig(t *testing.T, args ...string) *config {
	t.Helper()
	cfg, err := parseFlags(append([]string{"-visitor-urls", testGW.base.String()}, args...))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}
