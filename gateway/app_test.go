package gateway

import (
	"context"
	"io"
	"path/filepath"
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
