package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/livedesk/gateway/store"
)

// outboxBase is the time the restart fixture's notifications fall due around.
var outboxBase = time.Date(2026, 3, 29, 10, 0, 0, 123456789, time.UTC)

// OutboxNote returns a valid pending e-mail notification due at due.
func OutboxNote(id string, due time.Time) *store.Notification {
	return &store.Notification{
		ID: id, Type: "offline_message", SiteID: "s", Channel: store.ChannelEmail,
		To: []string{"desk@x.example"}, Data: []byte(`{"id":"` + id + `"}`),
		State: store.NotificationPending, NextAttemptAt: due,
	}
}

// FillOutbox writes the outbox a restart test checks with CheckOutboxAfterRestart:
// n1 with an offline message, n2 with a conversation's end, n3 alone and then failed.
func FillOutbox(t testing.TB, ctx context.Context, s store.Store) {
	t.Helper()
	conv := &store.Conversation{SiteID: "s", State: store.StateOpen}
	mustDo(t, s.CreateConversation(ctx, conv))
	_, _, err := s.AddOfflineMessage(ctx, &store.OfflineMessage{SiteID: "s", VisitorID: "v", ClientID: "c"}, OutboxNote("n1", outboxBase.Add(2*time.Second)))
	mustDo(t, err)
	_, err = s.UpdateConversation(ctx, conv.ID, func(c *store.Conversation) error { c.State = store.StateEnded; return nil }, OutboxNote("n2", outboxBase))
	mustDo(t, err)
	_, err = s.AddNotifications(ctx, OutboxNote("n3", outboxBase.Add(time.Second)))
	mustDo(t, err)
	_, err = s.UpdateNotification(ctx, "n3", func(n *store.Notification) error { n.State = store.NotificationFailed; return nil })
	mustDo(t, err)
}

// CheckOutboxAfterRestart checks that what FillOutbox wrote came back with its
// indexes: due order, counts, the failed one, and adding by ID still idempotent.
func CheckOutboxAfterRestart(t testing.TB, ctx context.Context, s store.Store) {
	t.Helper()
	due, err := s.DueNotifications(ctx, outboxBase.Add(time.Hour), 10)
	mustDo(t, err)
	if len(due) != 2 || due[0].ID != "n2" || due[1].ID != "n1" {
		t.Fatalf("due after the restart: %+v", due)
	}
	st, err := s.OutboxStats(ctx)
	mustDo(t, err)
	if st.Pending != 2 || !st.NextAttempt.Equal(outboxBase) {
		t.Fatalf("stats after the restart: %+v", st)
	}
	failed, err := s.ListNotifications(ctx, store.NotificationFilter{State: store.NotificationFailed, SiteID: "s"})
	mustDo(t, err)
	if len(failed) != 1 || failed[0].ID != "n3" {
		t.Fatalf("failed after the restart: %+v", failed)
	}
	added, err := s.AddNotifications(ctx, OutboxNote("n1", outboxBase), OutboxNote("n4", outboxBase))
	mustDo(t, err)
	if added != 1 {
		t.Fatalf("added %d after the restart, want 1", added)
	}
}

func mustDo(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
