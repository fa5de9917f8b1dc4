package redisstore_test

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/livedesk/gateway/internal/redistest"
	"github.com/livedesk/gateway/store"
	"github.com/livedesk/gateway/store/storetest"
)

// Nodes that reschedule one notification at once lose no update, and its due entry
// moves with it: one entry, at the last time written.
func TestCrossClientUpdateNotification(t *testing.T) {
	t.Parallel()
	const updaters, updates = 8, 25
	srv := redistest.Start(t)
	ctx := t.Context()
	nodes := twoNodes(t, srv)
	base := time.Date(2026, 3, 29, 10, 0, 0, 0, time.UTC)
	added, err := nodes[0].AddNotifications(ctx, storetest.OutboxNote("n1", base))
	must(t, err)
	if added != 1 {
		t.Fatalf("added %d, want 1", added)
	}
	errs := make(chan error, updaters)
	var fns []func()
	for u := range updaters {
		fns = append(fns, func() {
			for range updates {
				_, err := nodes[u%2].UpdateNotification(ctx, "n1", func(n *store.Notification) error {
					n.Attempts++
					n.NextAttemptAt = base.Add(time.Duration(n.Attempts) * time.Millisecond)
					return nil
				})
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	race(fns...)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	const total = updaters * updates
	got, err := nodes[1].GetNotification(ctx, "n1")
	must(t, err)
	last := base.Add(total * time.Millisecond)
	if got.Attempts != total || !got.NextAttemptAt.Equal(last) {
		t.Fatalf("after the race: Attempts %d, NextAttemptAt %v; want %d, %v", got.Attempts, got.NextAttemptAt, total, last)
	}
	due, err := nodes[1].DueNotifications(ctx, base.Add(time.Hour), 100)
	must(t, err)
	st, err := nodes[1].OutboxStats(ctx)
	must(t, err)
	if len(due) != 1 || st.Pending != 1 || !st.NextAttempt.Equal(last) {
		t.Fatalf("after the race: %d due, stats %+v; want 1 due at %v", len(due), st, last)
	}
}

// Nodes adding the same notifications at once add each exactly once.
func TestCrossClientAddNotifications(t *testing.T) {
	t.Parallel()
	const each = 50
	srv := redistest.Start(t)
	ctx := t.Context()
	nodes := twoNodes(t, srv)
	var added atomic.Int64
	errs := make(chan error, 4)
	var fns []func()
	for w := range 4 {
		fns = append(fns, func() {
			for i := range each {
				n, err := nodes[w%2].AddNotifications(ctx,
					storetest.OutboxNote(fmt.Sprintf("n%03d-a", i), time.Time{}),
					storetest.OutboxNote(fmt.Sprintf("n%03d-b", i), time.Time{}))
				if err != nil {
					errs <- err
					return
				}
				added.Add(int64(n))
			}
		})
	}
	race(fns...)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	st, err := nodes[0].OutboxStats(ctx)
	must(t, err)
	if added.Load() != 2*each || st.Pending != 2*each {
		t.Fatalf("added %d, %d pending; want %d each", added.Load(), st.Pending, 2*each)
	}
}

// The outbox and its indexes come back after the server is killed and restarted
// (and the add script, gone from the restarted server's cache, is loaded again).
func TestOutboxSurvivesRestart(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	ctx := t.Context()
	s := newStoreOn(t, newClient(t, srv), "restart:")
	storetest.FillOutbox(t, ctx, s)
	srv.Restart() // SIGKILL, then start on the same append-only file
	waitBack(t, s)
	storetest.CheckOutboxAfterRestart(t, ctx, s)
}
