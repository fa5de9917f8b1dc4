package redisstore_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/livedesk/gateway/internal/redistest"
	"github.com/livedesk/gateway/store"
)

// parallel runs fn(i) for i in [0, n) on a few goroutines and fails on any error.
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

// The list limits are the embedded store's: a default for limit <= 0 and a cap.
func TestListLimits(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	ctx := t.Context()
	s := newStore(t, srv)
	conv := &store.Conversation{SiteID: "s", State: store.StateOpen}
	must(t, s.CreateConversation(ctx, conv))
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
		must(t, err)
		if len(msgs) != tc.want {
			t.Errorf("ListMessages limit %d: %d messages, want %d", tc.limit, len(msgs), tc.want)
		}
	}
	for _, tc := range []struct{ limit, want int }{{0, 50}, {-1, 50}, {10, 10}, {500, 500}, {5000, 500}} {
		offs, err := s.ListOfflineMessages(ctx, "s", "", tc.limit)
		must(t, err)
		if len(offs) != tc.want {
			t.Errorf("ListOfflineMessages limit %d: %d messages, want %d", tc.limit, len(offs), tc.want)
		}
		convs, err := s.ListConversations(ctx, store.ConversationFilter{SiteID: "s", Limit: tc.limit})
		must(t, err)
		if len(convs) != tc.want {
			t.Errorf("ListConversations limit %d: %d conversations, want %d", tc.limit, len(convs), tc.want)
		}
	}
	// A filter the index does not answer alone (site and visitor) pages through it.
	for range 3 {
		must(t, s.CreateConversation(ctx, &store.Conversation{SiteID: "s", VisitorID: "rare", State: store.StateOpen}))
		must(t, s.CreateConversation(ctx, &store.Conversation{SiteID: "other", VisitorID: "rare", State: store.StateOpen}))
	}
	for range 200 {
		must(t, s.CreateConversation(ctx, &store.Conversation{SiteID: "other", VisitorID: "rare", State: store.StateEnded}))
	}
	convs, err := s.ListConversations(ctx, store.ConversationFilter{SiteID: "s", VisitorID: "rare", Limit: 2})
	must(t, err)
	if len(convs) != 2 || convs[0].SiteID != "s" || convs[1].SiteID != "s" || convs[0].ID <= convs[1].ID {
		t.Fatalf("site and visitor filter: %+v", convs)
	}
}

// Agents without an e-mail are not indexed: several may exist, and none is found
// by the empty e-mail.
func TestAgentsWithoutEmail(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	ctx := t.Context()
	s := newStore(t, srv)
	a := &store.Agent{Role: store.RoleAgent}
	must(t, s.CreateAgent(ctx, a))
	must(t, s.CreateAgent(ctx, &store.Agent{Role: store.RoleAgent}))
	if _, err := s.GetAgentByEmail(ctx, ""); err == nil {
		t.Fatal("GetAgentByEmail(\"\") found an agent")
	}
	_, err := s.UpdateAgent(ctx, a.ID, func(cur *store.Agent) error { cur.Email = "a@x.example"; return nil })
	must(t, err)
	got, err := s.GetAgentByEmail(ctx, "A@x.example")
	must(t, err)
	if got.ID != a.ID {
		t.Fatalf("found %s, want %s", got.ID, a.ID)
	}
	_, err = s.UpdateAgent(ctx, a.ID, func(cur *store.Agent) error { cur.Email = ""; return nil })
	must(t, err)
	if _, err := s.GetAgentByEmail(ctx, "a@x.example"); err == nil {
		t.Fatal("a cleared e-mail still finds the agent")
	}
}
