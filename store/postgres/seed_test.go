package postgres_test

import (
	"errors"
	"testing"
	"time"

	"github.com/livedesk/gateway/internal/pgtest"
	"github.com/livedesk/gateway/store"
	"github.com/livedesk/gateway/store/postgres"
)

// What the bulk writes store reads back through the store as the live writes'
// rows do, and live writes carry on from it.
func TestSeed(t *testing.T) {
	srv := pgtest.Start(t)
	s := newStore(t, srv)
	ctx := t.Context()
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	conv := &store.Conversation{SiteID: "s1", VisitorID: "v1", State: store.StateEnded, DepartmentID: "d1", CreatedAt: at}
	msgs := []*store.Message{
		{From: store.FromVisitor, Text: "hi", ClientID: "c1", At: at},
		{From: store.FromAgent, AgentID: "a1", Text: "hello", At: at.Add(time.Second)},
	}
	if err := s.SeedConversations(ctx, []postgres.SeedConversation{{Conversation: conv, Messages: msgs}}); err != nil {
		t.Fatal(err)
	}
	if conv.ID != "" || msgs[0].Seq != 0 {
		t.Fatal("SeedConversations changed what it was handed")
	}
	list, err := s.ListConversations(ctx, store.ConversationFilter{SiteID: "s1", DepartmentID: "d1", State: store.StateEnded})
	if err != nil || len(list) != 1 {
		t.Fatalf("list: %v %v", list, err)
	}
	got := list[0]
	if got.LastSeq != 2 || got.VisitorID != "v1" || !got.CreatedAt.Equal(at) {
		t.Fatalf("seeded conversation: %+v", got)
	}
	stored, err := s.ListMessages(ctx, got.ID, 0, 0)
	if err != nil || len(stored) != 2 || stored[0].Seq != 1 || stored[1].Seq != 2 ||
		stored[0].ConversationID != got.ID || stored[1].AgentID != "a1" {
		t.Fatalf("seeded messages: %+v %v", stored, err)
	}
	if _, dup, err := s.AppendMessage(ctx, &store.Message{ConversationID: got.ID, Text: "again", ClientID: "c1"}); err != nil || !dup {
		t.Fatalf("resend of a seeded client id: dup %v, %v", dup, err)
	}
	next, _, err := s.AppendMessage(ctx, &store.Message{ConversationID: got.ID, Text: "more"})
	if err != nil || next.Seq != 3 {
		t.Fatalf("append after seed: %+v %v", next, err)
	}
	again := &store.Conversation{ID: got.ID, SiteID: "s1"}
	if err := s.SeedConversations(ctx, []postgres.SeedConversation{{Conversation: again}}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("seed of a taken id: %v", err)
	}

	offline := []*store.OfflineMessage{
		{SiteID: "s1", VisitorID: "v1", Message: "one", ClientID: "o1"},
		{SiteID: "s1", VisitorID: "v2", Message: "two", State: store.OfflineDone},
	}
	if err := s.SeedOffline(ctx, offline); err != nil {
		t.Fatal(err)
	}
	counts, err := s.CountOffline(ctx, "s1")
	if err != nil || counts.New != 1 || counts.Done != 1 {
		t.Fatalf("counts: %+v %v", counts, err)
	}
	if _, dup, err := s.AddOfflineMessage(ctx, &store.OfflineMessage{SiteID: "s1", VisitorID: "v1", ClientID: "o1"}); err != nil || !dup {
		t.Fatalf("resend of a seeded offline client id: dup %v, %v", dup, err)
	}
	if err := s.SeedOffline(ctx, []*store.OfflineMessage{{SiteID: "s1", State: "lost"}}); err == nil {
		t.Fatal("an unknown state was seeded")
	}

	nums, err := s.SeedVisitorNumbers(ctx, "s1", []string{"v1", "v2"})
	if err != nil || len(nums) != 2 || nums[0] != 1 || nums[1] != 2 {
		t.Fatalf("visitor numbers: %v %v", nums, err)
	}
	if n, err := s.VisitorNumber(ctx, "s1", "v2"); err != nil || n != 2 {
		t.Fatalf("seeded visitor's number: %d %v", n, err)
	}
	if n, err := s.VisitorNumber(ctx, "s1", "v3"); err != nil || n != 3 {
		t.Fatalf("next visitor's number: %d %v", n, err)
	}
}
