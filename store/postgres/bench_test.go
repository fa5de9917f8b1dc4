package postgres_test

import (
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
