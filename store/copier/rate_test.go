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

// BenchmarkCopyRate measures the copy's rate (docs/performance.md, "migrate-data"):
// COPIER_RATE_MESSAGES messages (100,000 when unset; ten per conversation) seeded
// into the store COPIER_RATE_SOURCE names (bolt, the default, or redis), then
// copied into a fresh PostgreSQL schema b.N times (-benchtime 1x: once). It
// reports rows/s.
func BenchmarkCopyRate(b *testing.B) {
	n, _ := strconv.Atoi(os.Getenv("COPIER_RATE_MESSAGES"))
	if n <= 0 {
		n = 100_000
	}
	srv := pgtest.Start(b)
	var (
		src store.Store
		exp store.Exporter
		dir = b.TempDir()
	)
	if os.Getenv("COPIER_RATE_SOURCE") == "redis" {
		rs := redistest.Start(b)
		r := redisstore.New(rs.Client(), "ld:")
		src, exp = r, r.Exporter()
	} else {
		bs, err := bolt.Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		src = bs
	}
	site := &store.Site{Name: "bench"}
	if err := src.CreateSite(b.Context(), site); err != nil {
		b.Fatal(err)
	}
	seedStart := time.Now()
	if err := copiertest.SeedMessages(b.Context(), src, site.ID, n/10, 10, 16); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d messages in %s", n, time.Since(seedStart).Round(time.Millisecond))
	if bs, ok := src.(*bolt.Store); ok { // the exporter opens the file once the store is closed
		_ = bs.Close()
		var err error
		if exp, err = bolt.OpenExporter(dir); err != nil {
			b.Fatal(err)
		}
		defer exp.Close()
	}
	b.ResetTimer()
	var rows int64
	for range b.N {
		b.StopTimer()
		dst, _ := target(b, srv)
		b.StartTimer()
		rep, err := copier.Run(b.Context(), exp, dst, copier.Options{Source: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range rep.Rows {
			rows += r.Copied
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
	b.Logf("copied %d rows (%d messages a copy) in %s", rows, n, b.Elapsed().Round(time.Millisecond))
}
