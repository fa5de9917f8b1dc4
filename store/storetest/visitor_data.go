package storetest

import (
	"fmt"
	"testing"

	"github.com/livedesk/gateway/store"
)

// The visitor data requests (store.VisitorDataStore): what a visitor left is found
// and erased with every list that named it, nothing of anyone else is touched, a
// second erasure erases nothing, and the tombstone is kept.

// convIDs returns the IDs of cs in order (an empty, non-nil list for none).
func convIDs(cs []*store.Conversation) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

// listConvIDs lists the IDs of the conversations matching f or fails the test.
func listConvIDs(t *testing.T, s store.Store, f store.ConversationFilter) []string {
	t.Helper()
	list, err := s.ListConversations(ctxT(t), f)
	ok(t, err, "ListConversations")
	return convIDs(list)
}

// visitorOffline lists a visitor's offline messages or fails the test.
func visitorOffline(t *testing.T, s store.Store, siteID, visitorID, after string, limit int) []*store.OfflineMessage {
	t.Helper()
	list, err := s.ListVisitorOffline(ctxT(t), siteID, visitorID, after, limit)
	ok(t, err, fmt.Sprintf("ListVisitorOffline %s/%s", siteID, visitorID))
	return list
}

var visitorDataTests = []test{
	{"ListVisitorOffline", func(t *testing.T, s store.Store) {
		var mine []*store.OfflineMessage
		for i := range 5 {
			mine = append(mine, mustAddOffline(t, s, fullOffline("site-1", "visitor-a", fmt.Sprintf("f%d", i), "mine")))
			mustAddOffline(t, s, fullOffline("site-1", "visitor-b", fmt.Sprintf("f%d", i), "another visitor's"))
			mustAddOffline(t, s, fullOffline("site-2", "visitor-a", fmt.Sprintf("f%d", i), "another site's"))
		}
		read, _, err := s.SetOfflineState(ctxT(t), "site-1", mine[1].ID, store.OfflineRead)
		ok(t, err, "SetOfflineState")
		mine[1] = read
		same(t, visitorOffline(t, s, "site-1", "visitor-a", "", 0), mine, "every message of the visitor")
		same(t, visitorOffline(t, s, "site-1", "visitor-a", "", 2), mine[:2], "first page")
		same(t, visitorOffline(t, s, "site-1", "visitor-a", mine[1].ID, 2), mine[2:4], "second page")
		same(t, visitorOffline(t, s, "site-1", "visitor-a", mine[4].ID, 2), []*store.OfflineMessage{}, "after the last")
		same(t, visitorOffline(t, s, "site-1", "visitor-z", "", 0), []*store.OfflineMessage{}, "a visitor without any")
		same(t, visitorOffline(t, s, "site-9", "visitor-a", "", 0), []*store.OfflineMessage{}, "an unknown site")
		for _, c := range [][2]string{{"", "visitor-a"}, {"site-1", ""}} {
			if _, err := s.ListVisitorOffline(ctxT(t), c[0], c[1], "", 0); err == nil {
				t.Fatalf("ListVisitorOffline(%q, %q): no error, want one", c[0], c[1])
			}
		}
	}},
	{"EraseConversation", func(t *testing.T, s store.Store) {
		gone := mustCreateConversation(t, s, fullConversation("site-1", "visitor-a", store.StateEnded))
		for i := range 3 {
			mustAppend(t, s, gone.ID, fmt.Sprintf("f%d", i), "secret")
		}
		kept := mustCreateConversation(t, s, fullConversation("site-1", "visitor-b", store.StateEnded))
		keptMsg := mustAppend(t, s, kept.ID, "f0", "kept")
		n, err := s.EraseConversation(ctxT(t), gone.ID)
		ok(t, err, "EraseConversation")
		equal(t, n, 3, "messages erased")

		_, err = s.GetConversation(ctxT(t), gone.ID)
		isErr(t, err, store.ErrNotFound, "GetConversation of the erased one")
		_, err = s.ListMessages(ctxT(t), gone.ID, 0, 0)
		isErr(t, err, store.ErrNotFound, "ListMessages of the erased one")
		_, _, err = s.AppendMessage(ctxT(t), &store.Message{ConversationID: gone.ID, From: store.FromVisitor, Text: "late", ClientID: "f0"})
		isErr(t, err, store.ErrNotFound, "AppendMessage (a resend) to the erased one")
		for _, f := range []store.ConversationFilter{
			{}, {SiteID: "site-1"}, {SiteID: "site-1", State: store.StateEnded}, {State: store.StateEnded},
			{VisitorID: "visitor-b"}, {DepartmentID: "dept-support"},
		} {
			same(t, listConvIDs(t, s, f), []string{kept.ID}, fmt.Sprintf("ListConversations %+v", f))
		}
		same(t, listConvIDs(t, s, store.ConversationFilter{VisitorID: "visitor-a"}), []string{}, "the erased visitor's conversations")
		storedMessages(t, s, kept.ID, []*store.Message{keptMsg})

		_, err = s.EraseConversation(ctxT(t), gone.ID)
		isErr(t, err, store.ErrNotFound, "EraseConversation again")
		_, err = s.EraseConversation(ctxT(t), "no-such-conversation")
		isErr(t, err, store.ErrNotFound, "EraseConversation of an unknown one")
	}},
	{"EraseConversationWithoutMessages", func(t *testing.T, s store.Store) {
		c := mustCreateConversation(t, s, fullConversation("site-1", "visitor-a", store.StateQueued))
		n, err := s.EraseConversation(ctxT(t), c.ID)
		ok(t, err, "EraseConversation")
		equal(t, n, 0, "messages erased")
		same(t, listConvIDs(t, s, store.ConversationFilter{SiteID: "site-1", State: store.StateQueued}), []string{}, "queued conversations")
	}},
	{"EraseOfflineMessages", func(t *testing.T, s store.Store) {
		a1 := mustAddOffline(t, s, fullOffline("site-1", "visitor-a", "f1", "new one"))
		a2 := mustAddOffline(t, s, fullOffline("site-1", "visitor-a", "f2", "read one"))
		a3 := mustAddOffline(t, s, fullOffline("site-1", "visitor-a", "", "done one"))
		b1 := mustAddOffline(t, s, fullOffline("site-1", "visitor-b", "f1", "kept"))
		for id, st := range map[string]string{a2.ID: store.OfflineRead, a3.ID: store.OfflineDone} {
			_, _, err := s.SetOfflineState(ctxT(t), "site-1", id, st)
			ok(t, err, "SetOfflineState")
		}
		n, err := s.EraseOfflineMessages(ctxT(t), "site-2", a1.ID)
		ok(t, err, "EraseOfflineMessages of another site")
		equal(t, n, 0, "erased through another site")
		n, err = s.EraseOfflineMessages(ctxT(t), "site-1", a1.ID, a2.ID, a3.ID, "no-such-message")
		ok(t, err, "EraseOfflineMessages")
		equal(t, n, 3, "erased")

		same(t, offlineIDs(listOffline(t, s, "site-1", "", 0)), []string{b1.ID}, "the site's messages")
		for _, st := range store.OfflineStates {
			list, err := s.ListOfflineByState(ctxT(t), "site-1", st, "", 0)
			ok(t, err, "ListOfflineByState")
			want := []string{}
			if st == store.OfflineNew {
				want = []string{b1.ID}
			}
			same(t, offlineIDs(list), want, "messages in state "+st)
		}
		counts, err := s.CountOffline(ctxT(t), "site-1")
		ok(t, err, "CountOffline")
		same(t, counts, store.OfflineCounts{New: 1}, "CountOffline")
		_, _, err = s.SetOfflineState(ctxT(t), "site-1", a2.ID, store.OfflineDone)
		isErr(t, err, store.ErrNotFound, "SetOfflineState of an erased one")
		// The client ids went with them: the same frame again is a new message.
		again, dup, err := s.AddOfflineMessage(ctxT(t), fullOffline("site-1", "visitor-a", "f1", "again"))
		ok(t, err, "AddOfflineMessage with an erased client id")
		equal(t, dup, false, "duplicate of an erased message")
		if again.ID == a1.ID {
			t.Fatal("AddOfflineMessage answered with the erased message")
		}
		n, err = s.EraseOfflineMessages(ctxT(t), "site-1", a1.ID, a2.ID)
		ok(t, err, "EraseOfflineMessages again")
		equal(t, n, 0, "erased again")
		n, err = s.EraseOfflineMessages(ctxT(t), "site-1")
		ok(t, err, "EraseOfflineMessages of no ids")
		equal(t, n, 0, "erased of no ids")
	}},
	{"DeleteNotifications", func(t *testing.T, s store.Store) {
		pending := fullNotification(noteID(1), "site-1", 1, 2)
		delivered := withState(fullNotification(noteID(2), "site-1", 3, 4), store.NotificationDelivered)
		kept := fullNotification(noteID(3), "site-1", 5, 6)
		mustAddNotes(t, s, 3, pending, delivered, kept)
		n, err := s.DeleteNotifications(ctxT(t), pending.ID, delivered.ID, "no-such-note")
		ok(t, err, "DeleteNotifications")
		equal(t, n, 2, "deleted")

		noNote(t, s, pending.ID)
		noNote(t, s, delivered.ID)
		same(t, dueIDs(t, s, at(100), 0), []string{kept.ID}, "due")
		st := stats(t, s)
		equal(t, st.Pending, 1, "pending")
		equal(t, st.OldestPending.Equal(kept.CreatedAt), true, "oldest pending is the one kept")
		for _, f := range []store.NotificationFilter{
			{}, {SiteID: "site-1"}, {State: store.NotificationPending}, {SiteID: "site-1", State: store.NotificationPending},
		} {
			same(t, noteIDs(listNotes(t, s, f)), []string{kept.ID}, fmt.Sprintf("ListNotifications %+v", f))
		}
		same(t, noteIDs(listNotes(t, s, store.NotificationFilter{State: store.NotificationDelivered})), []string{}, "delivered")
		n, err = s.DeleteNotifications(ctxT(t), pending.ID)
		ok(t, err, "DeleteNotifications again")
		equal(t, n, 0, "deleted again")
		n, err = s.DeleteNotifications(ctxT(t))
		ok(t, err, "DeleteNotifications of no ids")
		equal(t, n, 0, "deleted of no ids")
	}},
	{"MarkVisitorErased", func(t *testing.T, s store.Store) {
		erased := func(site, visitor string) bool {
			t.Helper()
			e, err := s.VisitorErased(ctxT(t), site, visitor)
			ok(t, err, "VisitorErased")
			return e
		}
		equal(t, erased("site-1", "visitor-a"), false, "before the mark")
		equal(t, visitorNumber(t, s, "site-1", "visitor-a"), int64(1), "number of visitor-a")
		had, err := s.MarkVisitorErased(ctxT(t), "site-1", "visitor-a")
		ok(t, err, "MarkVisitorErased")
		equal(t, had, true, "had a number")
		equal(t, erased("site-1", "visitor-a"), true, "after the mark")
		equal(t, erased("site-2", "visitor-a"), false, "the same visitor id on another site")
		equal(t, erased("site-1", "visitor-b"), false, "another visitor")
		equal(t, erased("site-1:visitor", "a"), false, "a site whose id extends another's")
		// The number is forgotten, and not given to anyone again.
		equal(t, visitorNumber(t, s, "site-1", "visitor-b"), int64(2), "the next visitor's number")
		equal(t, visitorNumber(t, s, "site-1", "visitor-a"), int64(3), "asked again for the erased one")

		had, err = s.MarkVisitorErased(ctxT(t), "site-1", "visitor-a")
		ok(t, err, "MarkVisitorErased again")
		equal(t, had, true, "had the number given after the first mark")
		had, err = s.MarkVisitorErased(ctxT(t), "site-1", "visitor-a")
		ok(t, err, "MarkVisitorErased a third time")
		equal(t, had, false, "had a number the third time")
		equal(t, erased("site-1", "visitor-a"), true, "after the marks")
		had, err = s.MarkVisitorErased(ctxT(t), "site-1", "visitor-never-seen")
		ok(t, err, "MarkVisitorErased of a visitor without a number")
		equal(t, had, false, "had a number")
		equal(t, erased("site-1", "visitor-never-seen"), true, "after its mark")

		for _, c := range [][2]string{{"", "visitor-a"}, {"site-1", ""}} {
			if _, err := s.MarkVisitorErased(ctxT(t), c[0], c[1]); err == nil {
				t.Fatalf("MarkVisitorErased(%q, %q): no error, want one", c[0], c[1])
			}
			if _, err := s.VisitorErased(ctxT(t), c[0], c[1]); err == nil {
				t.Fatalf("VisitorErased(%q, %q): no error, want one", c[0], c[1])
			}
		}
	}},
}
