package bolt_test

import (
	"testing"
	"time"

	"github.com/livedesk/gateway/store"
)

// outboxNote returns a valid pending notification due at due.
func outboxNote(id string, due time.Time) *store.Notification {
	return &store.Notification{
		ID: id, Type: "offline_message", SiteID: "s", Channel: store.ChannelEmail,
		To: []string{"desk@x.example"}, Data: []byte(`{"id":"` + id + `"}`),
		State: store.NotificationPending, NextAttemptAt: due,
	}
}

// The outbox and its indexes come back when the file is opened again.
func TestReopenKeepsOutbox(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	s := openT(t, dir)
	base := time.Date(2026, 3, 29, 10, 0, 0, 123456789, time.UTC)
	conv := &store.Conversation{SiteID: "s", State: store.StateOpen}
	must(t, s.CreateConversation(ctx, conv))
	_, _, err := s.AddOfflineMessage(ctx, &store.OfflineMessage{SiteID: "s", VisitorID: "v", ClientID: "c"}, outboxNote("n1", base.Add(2*time.Second)))
	must(t, err)
	_, err = s.UpdateConversation(ctx, conv.ID, func(c *store.Conversation) error { c.State = store.StateEnded; return nil }, outboxNote("n2", base))
	must(t, err)
	_, err = s.AddNotifications(ctx, outboxNote("n3", base.Add(time.Second)))
	must(t, err)
	_, err = s.UpdateNotification(ctx, "n3", func(n *store.Notification) error { n.State = store.NotificationFailed; return nil })
	must(t, err)
	must(t, s.Close())

	s = openT(t, dir)
	defer s.Close()
	due, err := s.DueNotifications(ctx, base.Add(time.Hour), 10)
	must(t, err)
	if len(due) != 2 || due[0].ID != "n2" || due[1].ID != "n1" {
		t.Fatalf("due after reopen: %+v", due)
	}
	st, err := s.OutboxStats(ctx)
	must(t, err)
	if st.Pending != 2 || !st.NextAttempt.Equal(base) {
		t.Fatalf("stats after reopen: %+v", st)
	}
	failed, err := s.ListNotifications(ctx, store.NotificationFilter{State: store.NotificationFailed, SiteID: "s"})
	must(t, err)
	if len(failed) != 1 || failed[0].ID != "n3" {
		t.Fatalf("failed after reopen: %+v", failed)
	}
	added, err := s.AddNotifications(ctx, outboxNote("n1", base), outboxNote("n4", base))
	must(t, err)
	if added != 1 {
		t.Fatalf("added %d after reopen, want 1", added)
	}
}
