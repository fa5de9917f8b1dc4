package copier_test

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/livedesk/gateway/internal/pgtest"
	"github.com/livedesk/gateway/internal/redistest"
	"github.com/livedesk/gateway/store"
	"github.com/livedesk/gateway/store/bolt"
	"github.com/livedesk/gateway/store/copier"
	"github.com/livedesk/gateway/store/copier/copiertest"
	redisstore "github.com/livedesk/gateway/store/redis"
)

// TestCopyRate measures the copy's rate (docs/performance.md, "migrate-data"):
// COPIER_RATE_MESSAGES messages (ten per conversation) seeded into the store
// COPIER_RATE_SOURCE names (bolt, the default, or redis), then copied into a
// fresh PostgreSQL. It runs only when COPIER_RATE_MESSAGES is set.
func TestCopyRate(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("COPIER_RATE_MESSAGES"))
	if n <= 0 {
		t.Skip("set COPIER_RATE_MESSAGES to measure")
	}
	srv := pgtest.Start(t)
	var (
		src store.Store
		exp store.Exporter
		dir = t.TempDir()
	)
	if os.Getenv("COPIER_RATE_SOURCE") == "redis" {
		rs := redistest.Start(t)
		r := redisstore.New(rs.Client(), "ld:")
		src, exp = r, r.Exporter()
	} else {
		b, err := bolt.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		src = b
	}
	site := &store.Site{Name: "bench"}
	if err := src.CreateSite(t.Context(), site); err != nil {
		t.Fatal(err)
	}
	seedStart := time.Now()
	if err := copiertest.SeedMessages(t.Context(), src, site.ID, n/10, 10, 16); err != nil {
		t.Fatal(err)
	}
	t.Logf("seeded %d messages in %s", n, time.Since(seedStart).Round(time.Millisecond))
	if b, ok := src.(*bolt.Store); ok { // the exporter opens the file once the store is closed
		_ = b.Close()
		var err error
		if exp, err = bolt.OpenExporter(dir); err != nil {
			t.Fatal(err)
		}
		defer exp.Close()
	}
	dst, _ := target(t, srv)
	start := time.Now()
	rep, err := copier.Run(t.Context(), exp, dst, copier.Options{Source: "bench"})
	if err != nil {
		t.Fatal(err)
	}
	d := time.Since(start)
	var rows int64
	for _, r := range rep.Rows {
		rows += r.Copied
	}
	t.Logf("copied %d rows (%d messages) in %s: %.0f rows/s", rows, n, d.Round(time.Millisecond), float64(rows)/d.Seconds())
}
