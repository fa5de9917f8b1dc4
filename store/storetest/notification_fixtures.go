package storetest

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/livedesk/gateway/store"
)

// fullNotification returns a pending webhook notification with every field set
// (DeliveredAt aside), created at at(created) and due at at(due). Fixtures pass IDs
// that sort in creation order, as the store's time-ordered IDs do.
func fullNotification(id, siteID string, created, due int) *store.Notification {
	return &store.Notification{
		ID:            id,
		EventID:       "event-" + id,
		Type:          "offline_message",
		SiteID:        siteID,
		Channel:       store.ChannelWebhook,
		To:            []string{"desk@shop.example", "boss@shop.example"},
		URL:           "https://hooks.shop.example/offline?k=1",
		Secret:        "s3cret",
		Data:          json.RawMessage(`{"id":"` + id + `","message":"Call me back","fields":{"order":"A-1001"},"n":[1,2.5,null]}`),
		State:         store.NotificationPending,
		Attempts:      2,
		LastError:     "POST: 503 Service Unavailable",
		CreatedAt:     at(created),
		NextAttemptAt: at(due),
		LastAttemptAt: ptr(at(created + 1)),
	}
}

// withState returns n with its State set (and DeliveredAt for delivered).
func withState(n *store.Notification, state string) *store.Notification {
	n.State = state
	if state == store.NotificationDelivered {
		n.DeliveredAt = ptr(n.CreatedAt.Add(90 * time.Second))
	}
	return n
}

// mustAddNotes adds items or fails the test, checking how many were added.
func mustAddNotes(t *testing.T, s store.Store, want int, items ...*store.Notification) {
	t.Helper()
	added, err := s.AddNotifications(ctxT(t), items...)
	ok(t, err, "AddNotifications")
	equal(t, added, want, "AddNotifications added")
}

// getNote returns the stored notification or fails the test.
func getNote(t *testing.T, s store.Store, id string) *store.Notification {
	t.Helper()
	n, err := s.GetNotification(ctxT(t), id)
	ok(t, err, "GetNotification "+id)
	return n
}

// noNote fails the test unless no notification id is stored.
func noNote(t *testing.T, s store.Store, id string) {
	t.Helper()
	_, err := s.GetNotification(ctxT(t), id)
	isErr(t, err, store.ErrNotFound, "GetNotification "+id)
}

// dueIDs returns the IDs DueNotifications gives for now and limit, or fails the test.
func dueIDs(t *testing.T, s store.Store, now time.Time, limit int) []string {
	t.Helper()
	ns, err := s.DueNotifications(ctxT(t), now, limit)
	ok(t, err, "DueNotifications")
	return noteIDs(ns)
}

// listNotes lists notifications or fails the test.
func listNotes(t *testing.T, s store.Store, f store.NotificationFilter) []*store.Notification {
	t.Helper()
	ns, err := s.ListNotifications(ctxT(t), f)
	ok(t, err, "ListNotifications")
	return ns
}

// stats returns the outbox stats or fails the test.
func stats(t *testing.T, s store.Store) store.OutboxStats {
	t.Helper()
	st, err := s.OutboxStats(ctxT(t))
	ok(t, err, "OutboxStats")
	return st
}

// updNote updates a notification with fn (which must not fail) or fails the test.
func updNote(t *testing.T, s store.Store, id string, fn func(*store.Notification)) *store.Notification {
	t.Helper()
	n, err := s.UpdateNotification(ctxT(t), id, func(cur *store.Notification) error { fn(cur); return nil })
	ok(t, err, "UpdateNotification "+id)
	return n
}

// noteIDs returns the IDs of ns in order (an empty, non-nil list for none).
func noteIDs(ns []*store.Notification) []string {
	out := []string{}
	for _, n := range ns {
		out = append(out, n.ID)
	}
	return out
}

// noteID is the fixture ID of the i-th notification: fixed width, so ID order is
// numeric order.
func noteID(i int) string { return fmt.Sprintf("note-%04d", i) }
