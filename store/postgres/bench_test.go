package postgres_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/livedesk/gateway/internal/pgtest"
	"github.com/livedesk/gateway/store/storetest"
)

// BenchmarkAppendMessage measures AppendMessage against a local PostgreSQL server
// (internal/pgtest: fsync and synchronous_commit on, as the defaults have them, so
// each commit waits for its WAL flush; concurrent commits share flushes).
func BenchmarkAppendMessage(b *testing.B) {
	storetest.BenchmarkAppendMessage(b, newStore(b, pgtest.Start(b)))
}

// BenchmarkAppendLive measures AppendLive (the insert with the check of who writes,
// made on the locked conversation row) likewise.
func BenchmarkAppendLive(b *testing.B) {
	storetest.BenchmarkAppendLive(b, newStore(b, pgtest.Start(b)))
}

// BenchmarkStartChat measures a chat start's writes likewise: a conversation
// alone, with its first message in the same transaction, and the two calls (two
// committed transactions) that one replaces.
func BenchmarkStartChat(b *testing.B) {
	storetest.BenchmarkStartChat(b, newStore(b, pgtest.Start(b)))
}

// BenchmarkVisitorNumber measures the first VisitorNumber of new visitors of one
// site, 16 at once per core: each takes the site's counter row until its commit.
func BenchmarkVisitorNumber(b *testing.B) {
	s := newStore(b, pgtest.Start(b))
	ctx := b.Context()
	var n atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.VisitorNumber(ctx, "s", fmt.Sprintf("visitor-%d", n.Add(1))); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
