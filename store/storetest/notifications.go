package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/livedesk/gateway/store"
)

var notificationTests = []test{
	{"AddGetRoundTrip", func(t *testing.T, s store.Store) {
		pending := fullNotification("note-1", "site-1", 1, 2)
		delivered := withState(fullNotification("note-2", "site-1", 3, 4), store.NotificationDelivered)
		email := fullNotification("note-3", "", 5, 6)
		email.Channel, email.URL, email.Secret, email.LastAttemptAt = store.ChannelEmail, "", "", nil
		failed := withState(fullNotification("note-4", "site-2", 7, 8), store.NotificationFailed)
		mustAddNotes(t, s, 4, pending, delivered, email, failed)
		for _, want := range []*store.Notification{pending, delivered, email, failed} {
			got := getNote(t, s, want.ID)
			same(t, got, want, "GetNotification "+want.ID)
			equal(t, string(got.Data), string(want.Data), "Data of "+want.ID)
		}
	}},
	{"GetAndUpdateNotFound", func(t *testing.T, s store.Store) {
		noNote(t, s, "no-such-note")
		noNote(t, s, "")
		called := false
		_, err := s.UpdateNotification(ctxT(t), "no-such-note", func(*store.Notification) error { called = true; return nil })
		isErr(t, err, store.ErrNotFound, "UpdateNotification")
		equal(t, called, false, "fn called for an unknown notification")
		noNote(t, s, "no-such-note")
	}},
	{"AddFillsZeroTimes", func(t *testing.T, s store.Store) {
		in := fullNotification("note-1", "site-1", 0, 0)
		in.CreatedAt, in.NextAttemptAt = time.Time{}, time.Time{}
		before := time.Now()
		mustAddNotes(t, s, 1, in)
		after := time.Now()
		got := getNote(t, s, "note-1")
		for what, v := range map[string]time.Time{"CreatedAt": got.CreatedAt, "NextAttemptAt": got.NextAttemptAt} {
			if v.Before(before.Add(-time.Second)) || v.After(after.Add(time.Second)) {
				t.Fatalf("%s = %v, want the time of the add (between %v and %v)", what, v, before, after)
			}
		}
		equal(t, in.CreatedAt.IsZero() && in.NextAttemptAt.IsZero(), true, "the caller's record left alone")
		same(t, dueIDs(t, s, time.Now().Add(time.Second), 10), []string{"note-1"}, "due right away")
	}},
	{"AddIdempotentByID", func(t *testing.T, s store.Store) {
		first := fullNotification("note-1", "site-1", 1, 2)
		mustAddNotes(t, s, 1, first)
		again := fullNotification("note-1", "site-2", 5, 6)
		again.Type, again.Attempts = "transcript", 9
		mustAddNotes(t, s, 0, again)
		same(t, getNote(t, s, "note-1"), first, "notification after adding its ID again")

		// In one call: the new ones are added, the first of one ID wins.
		b1 := fullNotification("note-2", "site-1", 3, 4)
		b2 := fullNotification("note-2", "site-2", 3, 1)
		c := fullNotification("note-3", "site-1", 5, 6)
		mustAddNotes(t, s, 2, again, b1, b2, c)
		same(t, getNote(t, s, "note-2"), b1, "the first of two with one ID")
		same(t, noteIDs(listNotes(t, s, store.NotificationFilter{})), []string{"note-3", "note-2", "note-1"}, "listed once each")
		same(t, dueIDs(t, s, at(100), 10), []string{"note-1", "note-2", "note-3"}, "due once each")
		equal(t, stats(t, s).Pending, 3, "pending")
	}},
	{"AddValidation", func(t *testing.T, s store.Store) {
		site := mustCreateSite(t, s, fullSite("Shop"))
		conv := mustCreateConversation(t, s, fullConversation(site.ID, "visitor-1", store.StateOpen))
		good := fullNotification("note-good", site.ID, 1, 2)
		bad := map[string]*store.Notification{"nil": nil}
		for what, fn := range map[string]func(*store.Notification){
			"empty ID":      func(n *store.Notification) { n.ID = "" },
			"empty Type":    func(n *store.Notification) { n.Type = "" },
			"empty Channel": func(n *store.Notification) { n.Channel = "" },
			"empty State":   func(n *store.Notification) { n.State = "" },
			"unknown State": func(n *store.Notification) { n.State = "sent" },
		} {
			n := fullNotification("note-bad", site.ID, 3, 4)
			fn(n)
			bad[what] = n
		}
		for what, n := range bad {
			added, err := s.AddNotifications(ctxT(t), good, n)
			if err == nil {
				t.Fatalf("AddNotifications with %s: no error", what)
			}
			equal(t, added, 0, "added with "+what)
			_, _, err = s.AddOfflineMessage(ctxT(t), fullOffline(site.ID, "visitor-1", "", "x"), good, n)
			if err == nil {
				t.Fatalf("AddOfflineMessage with %s: no error", what)
			}
			_, err = s.UpdateConversation(ctxT(t), conv.ID, func(c *store.Conversation) error {
				c.State = store.StateEnded
				return nil
			}, good, n)
			if err == nil {
				t.Fatalf("UpdateConversation with %s: no error", what)
			}
		}
		noNote(t, s, "note-good")
		noNote(t, s, "note-bad")
		equal(t, len(listNotes(t, s, store.NotificationFilter{})), 0, "notifications")
		same(t, stats(t, s), store.OutboxStats{}, "stats")
		equal(t, len(listOffline(t, s, site.ID, "", 0)), 0, "offline messages")
		got, err := s.GetConversation(ctxT(t), conv.ID)
		ok(t, err, "GetConversation")
		same(t, got, conv, "conversation")
		mustAddNotes(t, s, 0) // nothing to add is not an error
	}},
	{"DueSoonestFirst", func(t *testing.T, s store.Store) {
		mustAddNotes(t, s, 6,
			fullNotification("note-1", "site-1", 0, 7),
			fullNotification("note-2", "site-1", 0, 5),
			fullNotification("note-3", "site-2", 0, 10),
			fullNotification("note-4", "site-1", 0, 20),
			withState(fullNotification("note-5", "site-1", 0, 1), store.NotificationDelivered),
			withState(fullNotification("note-6", "site-1", 0, 2), store.NotificationFailed),
		)
		same(t, dueIDs(t, s, at(10), 10), []string{"note-2", "note-1", "note-3"}, "due at 10 (inclusive)")
		same(t, dueIDs(t, s, at(10).UTC(), 10), []string{"note-2", "note-1", "note-3"}, "due at 10 given in UTC")
		same(t, dueIDs(t, s, at(10).Add(-time.Nanosecond), 10), []string{"note-2", "note-1"}, "due a nanosecond before 10")
		same(t, dueIDs(t, s, at(100), 2), []string{"note-2", "note-1"}, "limit 2")
		same(t, dueIDs(t, s, at(100), 10), []string{"note-2", "note-1", "note-3", "note-4"}, "all pending")
		same(t, dueIDs(t, s, at(4), 10), []string{}, "none due yet")

		// Within one millisecond, to the microsecond.
		base := at(30)
		late := fullNotification("note-7", "site-1", 0, 0)
		late.NextAttemptAt = base.Add(300 * time.Microsecond)
		early := fullNotification("note-8", "site-1", 0, 0)
		early.NextAttemptAt = base.Add(100 * time.Microsecond)
		mustAddNotes(t, s, 2, late, early)
		same(t, dueIDs(t, s, base.Add(200*time.Microsecond), 10),
			[]string{"note-2", "note-1", "note-3", "note-4", "note-8"}, "due within a millisecond")
		same(t, dueIDs(t, s, at(31), 10),
			[]string{"note-2", "note-1", "note-3", "note-4", "note-8", "note-7"}, "due after the millisecond")
		due, err := s.DueNotifications(ctxT(t), at(10), 1)
		ok(t, err, "DueNotifications")
		same(t, due, []*store.Notification{fullNotification("note-2", "site-1", 0, 5)}, "due record")
	}},
	{"UpdateMovesBetweenIndexes", func(t *testing.T, s store.Store) {
		a := fullNotification("note-1", "site-1", 1, 5)
		b := fullNotification("note-2", "site-1", 2, 6)
		c := fullNotification("note-3", "site-1", 3, 7)
		mustAddNotes(t, s, 3, a, b, c)

		var handed string
		got, err := s.UpdateNotification(ctxT(t), b.ID, func(cur *store.Notification) error {
			handed = differs(cur, b)
			cur.State, cur.Attempts, cur.LastError = store.NotificationDelivered, 3, ""
			cur.LastAttemptAt, cur.DeliveredAt = ptr(at(6)), ptr(at(6))
			return nil
		})
		ok(t, err, "UpdateNotification")
		equal(t, handed, "", "difference of the record handed to fn from the stored one")
		want := *b
		want.State, want.Attempts, want.LastError = store.NotificationDelivered, 3, ""
		want.LastAttemptAt, want.DeliveredAt = ptr(at(6)), ptr(at(6))
		same(t, got, &want, "UpdateNotification result")
		same(t, getNote(t, s, b.ID), &want, "GetNotification after UpdateNotification")
		same(t, dueIDs(t, s, at(100), 10), []string{"note-1", "note-3"}, "due after delivering note-2")
		same(t, stats(t, s), store.OutboxStats{Pending: 2, OldestPending: at(1), NextAttempt: at(5)}, "stats after delivering note-2")
		same(t, noteIDs(listNotes(t, s, store.NotificationFilter{State: store.NotificationPending})), []string{"note-3", "note-1"}, "pending list")
		same(t, noteIDs(listNotes(t, s, store.NotificationFilter{State: store.NotificationDelivered})), []string{"note-2"}, "delivered list")

		// Rescheduling moves the due order.
		updNote(t, s, c.ID, func(n *store.Notification) { n.NextAttemptAt = at(4) })
		same(t, dueIDs(t, s, at(100), 10), []string{"note-3", "note-1"}, "due after moving note-3 earlier")
		updNote(t, s, a.ID, func(n *store.Notification) { n.NextAttemptAt = at(20); n.Attempts++ })
		same(t, dueIDs(t, s, at(10), 10), []string{"note-3"}, "due at 10 after moving note-1 later")
		same(t, dueIDs(t, s, at(20), 10), []string{"note-3", "note-1"}, "due at 20")
		same(t, stats(t, s), store.OutboxStats{Pending: 2, OldestPending: at(1), NextAttempt: at(4)}, "stats after rescheduling")

		// Back to pending, and on to failed.
		updNote(t, s, b.ID, func(n *store.Notification) {
			n.State, n.NextAttemptAt, n.DeliveredAt = store.NotificationPending, at(1), nil
		})
		same(t, dueIDs(t, s, at(100), 10), []string{"note-2", "note-3", "note-1"}, "due after note-2 is pending again")
		equal(t, stats(t, s).Pending, 3, "pending after note-2 is pending again")
		updNote(t, s, c.ID, func(n *store.Notification) { n.State = store.NotificationFailed })
		same(t, dueIDs(t, s, at(100), 10), []string{"note-2", "note-1"}, "due after note-3 failed")
		same(t, stats(t, s), store.OutboxStats{Pending: 2, OldestPending: at(1), NextAttempt: at(1)}, "stats after note-3 failed")
		same(t, noteIDs(listNotes(t, s, store.NotificationFilter{State: store.NotificationFailed})), []string{"note-3"}, "failed list")

		// A changed site moves the site filter with it.
		updNote(t, s, a.ID, func(n *store.Notification) { n.SiteID = "site-9" })
		same(t, noteIDs(listNotes(t, s, store.NotificationFilter{SiteID: "site-1"})), []string{"note-3", "note-2"}, "site-1 after moving note-1")
		same(t, noteIDs(listNotes(t, s, store.NotificationFilter{SiteID: "site-9", State: store.NotificationPending})), []string{"note-1"}, "site-9 pending")
	}},
	{"UpdateKeepsIDAndCreatedAt", func(t *testing.T, s store.Store) {
		n := fullNotification("note-1", "site-1", 1, 2)
		mustAddNotes(t, s, 1, n)
		got := updNote(t, s, n.ID, func(cur *store.Notification) {
			cur.ID, cur.CreatedAt, cur.Attempts = "stolen-id", at(50), 7
		})
		want := *n
		want.Attempts = 7
		same(t, got, &want, "UpdateNotification result")
		same(t, getNote(t, s, n.ID), &want, "stored notification")
		noNote(t, s, "stolen-id")
		same(t, stats(t, s), store.OutboxStats{Pending: 1, OldestPending: at(1), NextAttempt: at(2)}, "stats")
	}},
	{"UpdateFnErrorAborts", func(t *testing.T, s store.Store) {
		n := fullNotification("note-1", "site-1", 1, 2)
		mustAddNotes(t, s, 1, n)
		_, err := s.UpdateNotification(ctxT(t), n.ID, func(cur *store.Notification) error {
			cur.State, cur.NextAttemptAt = store.NotificationDelivered, at(9)
			return errTest
		})
		if err != errTest {
			t.Fatalf("UpdateNotification returned %v, want the fn's own error as is", err)
		}
		same(t, getNote(t, s, n.ID), n, "notification after an aborted update")
		same(t, dueIDs(t, s, at(2), 10), []string{"note-1"}, "due after an aborted update")
		equal(t, len(listNotes(t, s, store.NotificationFilter{State: store.NotificationDelivered})), 0, "delivered after an aborted update")
	}},
	{"OutboxStats", func(t *testing.T, s store.Store) {
		same(t, stats(t, s), store.OutboxStats{}, "stats of an empty outbox")
		mustAddNotes(t, s, 4,
			withState(fullNotification("note-1", "site-1", 0, 1), store.NotificationDelivered),
			fullNotification("note-2", "site-1", 3, 9),
			fullNotification("note-3", "site-2", 5, 8),
			withState(fullNotification("note-4", "site-1", 6, 2), store.NotificationFailed),
		)
		st := stats(t, s)
		equal(t, st.Pending, 2, "Pending")
		if !st.OldestPending.Equal(at(3)) || !st.NextAttempt.Equal(at(8)) {
			t.Fatalf("stats %+v, want OldestPending %v and NextAttempt %v", st, at(3), at(8))
		}
		for _, id := range []string{"note-2", "note-3"} {
			updNote(t, s, id, func(n *store.Notification) { n.State = store.NotificationDelivered })
		}
		same(t, stats(t, s), store.OutboxStats{}, "stats with nothing pending")
	}},
	{"ListNewestFirstAndFilters", func(t *testing.T, s store.Store) {
		var n [6]*store.Notification
		for i, spec := range [6][2]string{
			{"s1", store.NotificationDelivered},
			{"s2", store.NotificationPending},
			{"s1", store.NotificationPending},
			{"", store.NotificationFailed},
			{"s2", store.NotificationDelivered},
			{"s1", store.NotificationPending},
		} {
			n[i] = withState(fullNotification(noteID(i), spec[0], i, i), spec[1])
		}
		mustAddNotes(t, s, 6, n[:]...)
		check := func(f store.NotificationFilter, want ...*store.Notification) {
			t.Helper()
			got := listNotes(t, s, f)
			same(t, noteIDs(got), noteIDs(want), "ListNotifications IDs")
			same(t, got, want, "ListNotifications records")
		}
		check(store.NotificationFilter{}, n[5], n[4], n[3], n[2], n[1], n[0])
		check(store.NotificationFilter{State: store.NotificationPending}, n[5], n[2], n[1])
		check(store.NotificationFilter{State: store.NotificationFailed}, n[3])
		check(store.NotificationFilter{SiteID: "s1"}, n[5], n[2], n[0])
		check(store.NotificationFilter{SiteID: "s2", State: store.NotificationDelivered}, n[4])
		check(store.NotificationFilter{SiteID: "s2", State: store.NotificationFailed})
		check(store.NotificationFilter{SiteID: "no-such-site"})
		check(store.NotificationFilter{State: "no-such-state"})
	}},
	{"ListBeforePaging", func(t *testing.T, s store.Store) {
		var all, mine []*store.Notification // newest first
		var add []*store.Notification
		for i := range 10 {
			site := "s1"
			if i%3 == 1 {
				site = "s2"
			}
			n := fullNotification(noteID(i*2), site, i, i)
			add = append(add, n)
			all = append([]*store.Notification{n}, all...)
			if site == "s1" {
				mine = append([]*store.Notification{n}, mine...)
			}
		}
		mustAddNotes(t, s, 10, add...)
		pages := func(f store.NotificationFilter) []string {
			t.Helper()
			var got []string
			for range 20 {
				page := listNotes(t, s, f)
				if len(page) > f.Limit {
					t.Fatalf("page of %d with limit %d", len(page), f.Limit)
				}
				if len(page) == 0 {
					return got
				}
				got = append(got, noteIDs(page)...)
				f.Before = page[len(page)-1].ID
			}
			t.Fatal("paging did not end")
			return nil
		}
		same(t, pages(store.NotificationFilter{Limit: 3}), noteIDs(all), "all paged by 3")
		same(t, pages(store.NotificationFilter{SiteID: "s1", Limit: 2}), noteIDs(mine), "s1 paged by 2")
		same(t, pages(store.NotificationFilter{State: store.NotificationPending, Limit: 1}), noteIDs(all), "pending paged by 1")

		// Before need not be a stored ID, nor one the filter matches.
		got := listNotes(t, s, store.NotificationFilter{Before: noteID(9), Limit: 2}) // between 8 and 10
		same(t, noteIDs(got), []string{noteID(8), noteID(6)}, "before an ID not stored")
		got = listNotes(t, s, store.NotificationFilter{SiteID: "s1", Before: noteID(14), Limit: 2}) // 14 is s2's
		same(t, noteIDs(got), []string{noteID(12), noteID(10)}, "s1 before an s2 notification")
		equal(t, len(listNotes(t, s, store.NotificationFilter{Before: noteID(0)})), 0, "before the oldest")
	}},
	{"ListLimits", func(t *testing.T, s store.Store) {
		var add []*store.Notification
		for i := range 501 {
			add = append(add, fullNotification(noteID(i), "s1", 0, 0))
		}
		mustAddNotes(t, s, 501, add...)
		for _, tc := range []struct{ limit, want int }{{0, 50}, {-1, 50}, {7, 7}, {500, 500}, {5000, 500}} {
			got := listNotes(t, s, store.NotificationFilter{Limit: tc.limit})
			equal(t, len(got), tc.want, fmt.Sprintf("notifications with limit %d", tc.limit))
			equal(t, got[0].ID, noteID(500), "newest first")
		}
		equal(t, stats(t, s).Pending, 501, "pending")
	}},
	{"OfflineMessageWritesOutbox", func(t *testing.T, s store.Store) {
		old := fullNotification("note-0", "site-1", 0, 0)
		mustAddNotes(t, s, 1, old)
		n1 := fullNotification("note-1", "site-1", 1, 2)
		n2 := fullNotification("note-2", "site-1", 1, 3)
		n2.Channel = store.ChannelEmail
		again := fullNotification("note-0", "site-2", 9, 9)
		m, dup, err := s.AddOfflineMessage(ctxT(t), fullOffline("site-1", "visitor-1", "frame-1", "hello"), n1, n2, again)
		ok(t, err, "AddOfflineMessage")
		equal(t, dup, false, "duplicate")
		same(t, getNote(t, s, "note-1"), n1, "note-1")
		same(t, getNote(t, s, "note-2"), n2, "note-2")
		same(t, getNote(t, s, "note-0"), old, "a notification already stored")
		same(t, offlineIDs(listOffline(t, s, "site-1", "", 0)), []string{m.ID}, "offline messages")

		// A resend of the message writes none of its notifications.
		n3 := fullNotification("note-3", "site-1", 4, 5)
		changed := fullNotification("note-1", "site-1", 1, 2)
		changed.State = store.NotificationFailed
		got, dup, err := s.AddOfflineMessage(ctxT(t), fullOffline("site-1", "visitor-1", "frame-1", "resent"), n3, changed)
		ok(t, err, "AddOfflineMessage resend")
		equal(t, dup, true, "duplicate")
		equal(t, got.ID, m.ID, "resend's message")
		noNote(t, s, "note-3")
		same(t, getNote(t, s, "note-1"), n1, "note-1 after the resend")
		same(t, dueIDs(t, s, at(100), 10), []string{"note-0", "note-1", "note-2"}, "due")

		// Without notifications it is the plain AddOfflineMessage.
		mustAddOffline(t, s, fullOffline("site-1", "visitor-1", "frame-2", "no outbox"))
		equal(t, len(listNotes(t, s, store.NotificationFilter{})), 3, "notifications")
	}},
	{"UpdateConversationWritesOutbox", func(t *testing.T, s store.Store) {
		c := mustCreateConversation(t, s, fullConversation("site-1", "visitor-1", store.StateOpen))
		n1 := fullNotification("note-1", "site-1", 1, 2)
		n1.Type = "transcript"
		got, err := s.UpdateConversation(ctxT(t), c.ID, func(cur *store.Conversation) error {
			cur.State, cur.EndedBy = store.StateEnded, "agent"
			return nil
		}, n1)
		ok(t, err, "UpdateConversation")
		equal(t, got.State, store.StateEnded, "State")
		same(t, getNote(t, s, "note-1"), n1, "note-1")

		// fn fails: neither the conversation nor the notifications change.
		n2 := fullNotification("note-2", "site-1", 3, 4)
		_, err = s.UpdateConversation(ctxT(t), c.ID, func(cur *store.Conversation) error {
			cur.State = store.StateMissed
			return errTest
		}, n2)
		if err != errTest {
			t.Fatalf("UpdateConversation returned %v, want the fn's own error as is", err)
		}
		noNote(t, s, "note-2")

		// Unknown conversation: nothing written.
		_, err = s.UpdateConversation(ctxT(t), "no-such-conversation", func(*store.Conversation) error { return nil }, n2)
		isErr(t, err, store.ErrNotFound, "UpdateConversation of an unknown conversation")
		noNote(t, s, "note-2")

		// An ID already stored is skipped; the new ones are added.
		again := fullNotification("note-1", "site-2", 8, 8)
		_, err = s.UpdateConversation(ctxT(t), c.ID, func(cur *store.Conversation) error {
			cur.Page = "https://shop.example/again"
			return nil
		}, again, n2)
		ok(t, err, "UpdateConversation")
		same(t, getNote(t, s, "note-1"), n1, "note-1 after adding its ID again")
		same(t, getNote(t, s, "note-2"), n2, "note-2")
		same(t, dueIDs(t, s, at(100), 10), []string{"note-1", "note-2"}, "due")
		conv, err := s.GetConversation(ctxT(t), c.ID)
		ok(t, err, "GetConversation")
		equal(t, conv.Page, "https://shop.example/again", "Page")
	}},
	{"Copies", func(t *testing.T, s store.Store) {
		in := fullNotification("note-1", "site-1", 1, 2)
		mustAddNotes(t, s, 1, in)
		want := fullNotification("note-1", "site-1", 1, 2)
		in.To[0], in.Data[2], in.State = "mutated@input", 'X', store.NotificationFailed
		*in.LastAttemptAt = at(99)
		got := getNote(t, s, "note-1")
		same(t, got, want, "notification after changing the added record")
		got.To[1], got.Data[2] = "mutated@get", 'Y'
		*got.LastAttemptAt = at(98)
		upd := updNote(t, s, "note-1", func(*store.Notification) {})
		upd.To[0], upd.Data[3] = "mutated@update", 'Z'
		due, err := s.DueNotifications(ctxT(t), at(10), 10)
		ok(t, err, "DueNotifications")
		due[0].To[0] = "mutated@due"
		list := listNotes(t, s, store.NotificationFilter{})
		list[0].To[0], list[0].Data[2] = "mutated@list", 'W'
		same(t, getNote(t, s, "note-1"), want, "notification after changing returned records")
	}},
}
