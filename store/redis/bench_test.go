package redisstore_test

import (
	"testing"

	"github.com/livedesk/gateway/internal/redistest"
	"github.com/livedesk/gateway/store"
	"github.com/livedesk/gateway/store/storetest"
)

// BenchmarkAppendMessage measures AppendMessage against a local redis-server with
// appendfsync always (one fsync per write; Redis groups the fsyncs of the writes
// of one event loop iteration, so parallel appends share them).
func BenchmarkAppendMessage(b *testing.B) {
	srv := redistest.Start(b)
	s := newStoreOn(b, newClient(b, srv), "bench:")
	storetest.BenchmarkAppendMessage(b, s)
}

// BenchmarkAppendLive measures AppendLive (the append script with the check of
// who writes, which also reads and returns the conversation) likewise.
func BenchmarkAppendLive(b *testing.B) {
	srv := redistest.Start(b)
	s := newStoreOn(b, newClient(b, srv), "bench:")
	storetest.BenchmarkAppendLive(b, s)
}

// BenchmarkStartChat measures a chat start's writes likewise: a conversation
// alone, with its first message in the same script, and the two calls (two
// fsync'd round trips) that script replaces.
func BenchmarkStartChat(b *testing.B) {
	srv := redistest.Start(b)
	s := newStoreOn(b, newClient(b, srv), "bench:")
	storetest.BenchmarkStartChat(b, s)
}

// BenchmarkUpdateConversation measures an optimistic transaction (WATCH, GET and
// LLEN, MULTI/EXEC) on a conversation of its own per goroutine.
func BenchmarkUpdateConversation(b *testing.B) {
	srv := redistest.Start(b)
	s := newStoreOn(b, newClient(b, srv), "bench:")
	ctx := b.Context()
	b.RunParallel(func(pb *testing.PB) {
		conv := &store.Conversation{SiteID: "s", State: store.StateQueued}
		if err := s.CreateConversation(ctx, conv); err != nil {
			b.Error(err)
			return
		}
		for pb.Next() {
			_, err := s.UpdateConversation(ctx, conv.ID, func(c *store.Conversation) error {
				c.State = store.StateOpen
				return nil
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}
