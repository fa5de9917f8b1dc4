package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/livedesk/gateway/store"
)

// ListLimits checks the list defaults and caps every store keeps: messages 200
// (cap 1000), offline messages and conversations 50 (cap 500), for limit <= 0 and
// for large limits. It writes some 2,000 records, so it is not part of Run; each
// implementation calls it on a fresh store.
func ListLimits(t *testing.T, s store.Store) {
	t.Helper()
	ctx := t.Context()
	conv := &store.Conversation{SiteID: "s", State: store.StateOpen}
	ok(t, s.CreateConversation(ctx, conv), "create conversation")
	parallel(t, 1001, func(int) error {
		_, _, err := s.AppendMessage(ctx, &store.Message{ConversationID: conv.ID, Text: "x"})
		return err
	})
	parallel(t, 501, func(i int) error {
		_, _, err := s.AddOfflineMessage(ctx, &store.OfflineMessage{SiteID: "s", Message: fmt.Sprint(i)})
		return err
	})
	parallel(t, 500, func(int) error {
		return s.CreateConversation(ctx, &store.Conversation{SiteID: "s", State: store.StateEnded})
	})
	for _, tc := range []struct{ limit, want int }{{0, 200}, {-1, 200}, {10, 10}, {1000, 1000}, {5000, 1000}} {
		msgs, err := s.ListMessages(ctx, conv.ID, 0, tc.limit)
		ok(t, err, "list messages")
		if len(msgs) != tc.want {
			t.Errorf("ListMessages limit %d: %d messages, want %d", tc.limit, len(msgs), tc.want)
		}
	}
	for _, tc := range []struct{ limit, want int }{{0, 50}, {-1, 50}, {10, 10}, {500, 500}, {5000, 500}} {
		offs, err := s.ListOfflineMessages(ctx, "s", "", tc.limit)
		ok(t, err, "list offline messages")
		if len(offs) != tc.want {
			t.Errorf("ListOfflineMessages limit %d: %d messages, want %d", tc.limit, len(offs), tc.want)
		}
		convs, err := s.ListConversations(ctx, store.ConversationFilter{SiteID: "s", Limit: tc.limit})
		ok(t, err, "list conversations")
		if len(convs) != tc.want {
			t.Errorf("ListConversations limit %d: %d conversations, want %d", tc.limit, len(convs), tc.want)
		}
	}
}

// AgentsWithoutEmail checks that agents without an e-mail are not indexed: several
// may exist, none is found by the empty e-mail, and setting then clearing an e-mail
// moves the index with it.
func AgentsWithoutEmail(t *testing.T, s store.Store) {
	t.Helper()
	ctx := t.Context()
	a := &store.Agent{Role: store.RoleAgent}
	ok(t, s.CreateAgent(ctx, a), "create agent")
	ok(t, s.CreateAgent(ctx, &store.Agent{Role: store.RoleAgent}), "create second agent")
	if _, err := s.GetAgentByEmail(ctx, ""); err == nil {
		t.Fatal("GetAgentByEmail(\"\") found an agent")
	}
	_, err := s.UpdateAgent(ctx, a.ID, func(cur *store.Agent) error { cur.Email = "a@x.example"; return nil })
	ok(t, err, "set e-mail")
	got, err := s.GetAgentByEmail(ctx, "A@x.example")
	ok(t, err, "find by e-mail")
	if got.ID != a.ID {
		t.Fatalf("found %s, want %s", got.ID, a.ID)
	}
	_, err = s.UpdateAgent(ctx, a.ID, func(cur *store.Agent) error { cur.Email = ""; return nil })
	ok(t, err, "clear e-mail")
	if _, err := s.GetAgentByEmail(ctx, "a@x.example"); err == nil {
		t.Fatal("a cleared e-mail still finds the agent")
	}
}

// BenchmarkAppendMessage measures AppendMessage on s: one writer at a time, then 16
// at once per core.
func BenchmarkAppendMessage(b *testing.B, s store.Store) {
	benchmarkAppend(b, s, func(ctx context.Context, convID string) error {
		_, _, err := s.AppendMessage(ctx, &store.Message{ConversationID: convID, Text: "hello"})
		return err
	})
}

// BenchmarkAppendLive measures AppendLive (a visitor writing to its open
// conversation) on s as BenchmarkAppendMessage measures AppendMessage.
func BenchmarkAppendLive(b *testing.B, s store.Store) {
	benchmarkAppend(b, s, func(ctx context.Context, convID string) error {
		_, _, _, err := s.AppendLive(ctx, &store.Message{ConversationID: convID, From: store.FromVisitor, Text: "hello"}, "visitor-1")
		return err
	})
}

// benchmarkAppend runs appendTo on one open conversation of visitor-1: one call at
// a time, then 16 at once per core.
func benchmarkAppend(b *testing.B, s store.Store, appendTo func(ctx context.Context, convID string) error) {
	ctx := b.Context()
	conv := &store.Conversation{SiteID: "s", VisitorID: "visitor-1", State: store.StateOpen}
	if err := s.CreateConversation(ctx, conv); err != nil {
		b.Fatal(err)
	}
	b.Run("serial", func(b *testing.B) {
		for b.Loop() {
			if err := appendTo(ctx, conv.ID); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.SetParallelism(16)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := appendTo(ctx, conv.ID); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkStartChat measures what a chat start writes on s: "create", a
// conversation alone; "first", a conversation and its first message in one
// CreateConversation call; "two-calls", the same as CreateConversation and then
// AppendMessage (the sequence one call replaces). Each runs one start at a time,
// then 16 at once per core.
func BenchmarkStartChat(b *testing.B, s store.Store) {
	conv := func() *store.Conversation {
		return &store.Conversation{SiteID: "s", VisitorID: "visitor-1", State: store.StateQueued}
	}
	first := func() *store.Message {
		return &store.Message{From: store.FromVisitor, Text: "hello", ClientID: "start-1"}
	}
	for _, v := range []struct {
		name  string
		start func(ctx context.Context) error
	}{
		{"create", func(ctx context.Context) error { return s.CreateConversation(ctx, conv()) }},
		{"first", func(ctx context.Context) error { return s.CreateConversation(ctx, conv(), first()) }},
		{"two-calls", func(ctx context.Context) error {
			c := conv()
			if err := s.CreateConversation(ctx, c); err != nil {
				return err
			}
			m := first()
			m.ConversationID = c.ID
			_, _, err := s.AppendMessage(ctx, m)
			return err
		}},
	} {
		b.Run(v.name, func(b *testing.B) {
			ctx := b.Context()
			b.Run("serial", func(b *testing.B) {
				for b.Loop() {
					if err := v.start(ctx); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("parallel", func(b *testing.B) {
				b.SetParallelism(16)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := v.start(ctx); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		})
	}
}

// parallel runs fn(i) for i in [0, n) on 16 goroutines and fails on any error.
func parallel(t *testing.T, n int, fn func(i int) error) {
	t.Helper()
	const workers = 16
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				if err := fn(i); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}
