package gateway

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/livedesk/gateway/clock"
	"go.uber.org/zap"
)

// startApp starts a gateway as main does (Start, then Serve), on loopback over an
// embedded store in a temporary directory, with the default configuration as mod
// changes it; it is drained when the test ends.
func startApp(t *testing.T, mod func(*Config)) *App {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = filepath.Join(t.TempDir(), "data")
	cfg.OwnerPassword = testPassword
	if mod != nil {
		mod(&cfg)
	}
	app, err := Start(context.Background(), cfg, clock.NewFake(testStart), zap.NewNop(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- app.Serve(ctx, 5*time.Second) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return app
}

// get is a GET of url that must answer; it returns the status and the body.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// With --metrics-addr, /metrics is served there, counting the main listener's
// requests, and the main listener answers 404 for it.
func TestMetricsOnTheirOwnListener(t *testing.T) {
	app := startApp(t, func(c *Config) { c.MetricsAddr = "127.0.0.1:0" })
	main, metrics := "http://"+app.Addr().String(), "http://"+app.MetricsAddr().String()
	if code, _ := get(t, main+"/healthz"); code != 200 {
		t.Fatalf("/healthz: %d", code)
	}
	if code, body := get(t, main+"/metrics"); code != 404 || strings.Contains(body, "gateway_") {
		t.Fatalf("/metrics on the main listener with --metrics-addr: %d %.200s", code, body)
	}
	code, body := get(t, metrics+"/metrics")
	if code != 200 || !strings.Contains(body, `gateway_http_requests_total{code="200",method="GET",route="GET /healthz"} 1`) ||
		!strings.Contains(body, "gateway_addr_cap_refused_total") {
		t.Fatalf("/metrics on --metrics-addr: %d\n%s", code, body)
	}
	if code, _ := get(t, metrics+"/api/v1/me"); code != 404 {
		t.Fatalf("the metrics listener serves the API: %d", code)
	}

	plain := startApp(t, nil)
	if plain.MetricsAddr() != nil {
		t.Fatal("a metrics address without --metrics-addr")
	}
	if code, body := get(t, "http://"+plain.Addr().String()+"/metrics"); code != 200 || !strings.Contains(body, "gateway_ws_sockets") {
		t.Fatalf("/metrics on the main listener without --metrics-addr: %d", code)
	}
}

// A --metrics-addr that cannot be bound fails the start before the store is opened:
// nothing is created, and the main address is free again.
func TestBusyMetricsAddrCreatesNothing(t *testing.T) {
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mainAddr := free.Addr().String()
	free.Close()
	cfg := DefaultConfig()
	cfg.Addr, cfg.MetricsAddr = mainAddr, held.Addr().String()
	cfg.DataDir = filepath.Join(t.TempDir(), "data")
	_, err = Start(context.Background(), cfg, clock.NewFake(testStart), zap.NewNop(), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--metrics-addr "+cfg.MetricsAddr) {
		t.Fatalf("start with a busy --metrics-addr: %v", err)
	}
	if entries, _ := os.ReadDir(cfg.DataDir); len(entries) != 0 {
		t.Fatalf("a start that could not serve left files in the data dir: %v", entries)
	}
	l, err := net.Listen("tcp", mainAddr)
	if err != nil {
		t.Fatalf("the failed start kept --addr bound: %v", err)
	}
	l.Close()
}
