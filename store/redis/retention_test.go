package redisstore_test

import (
	"testing"
	"time"

	"github.com/livedesk/gateway/internal/redistest"
	"github.com/livedesk/gateway/store"
)

// Purging everything a store holds leaves no key behind: records, message lists,
// client ids and index entries all go (the indexes' sets vanish with their last
// member), also when a long conversation goes over several calls.
func TestPurgeLeavesNoKeys(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	ctx := t.Context()
	prefix := newPrefix("r")
	s := newStoreOn(t, srv.Client(), prefix)
	old := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, n := range []int{0, 3, 40} {
		c := &store.Conversation{SiteID: "s1", VisitorID: "v", State: store.StateEnded, CreatedAt: old, EndedAt: &old,
			DepartmentID: "d", StartID: "start"}
		first := []*store.Message{{From: store.FromVisitor, Text: "hi", ClientID: "c0"}}
		must(t, s.CreateConversation(ctx, c, first...))
		for j := range n {
			_, _, err := s.AppendMessage(ctx, &store.Message{ConversationID: c.ID, From: store.FromVisitor, Text: "x", ClientID: string(rune('a'+i)) + string(rune('a'+j))})
			must(t, err)
		}
	}
	m, _, err := s.AddOfflineMessage(ctx, &store.OfflineMessage{SiteID: "s1", VisitorID: "v", ClientID: "o1", CreatedAt: old})
	must(t, err)
	_, _, err = s.SetOfflineState(ctx, "s1", m.ID, store.OfflineDone)
	must(t, err)
	var sum store.PurgeCounts
	for {
		got, err := s.PurgeExpired(ctx, "s1", old.Add(time.Hour), 10)
		must(t, err)
		if sum = sum.Add(got); got.Total() < 10 {
			break
		}
	}
	if sum != (store.PurgeCounts{Conversations: 3, Messages: 46, Offline: 1}) {
		t.Fatalf("purged %+v", sum)
	}
	keys, err := srv.Client().Keys(ctx, prefix+"*").Result()
	must(t, err)
	if len(keys) != 0 {
		t.Fatalf("keys left after purging everything: %v", keys)
	}
}
