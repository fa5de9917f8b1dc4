package storetest

import (
	"fmt"
	"testing"

	"github.com/livedesk/gateway/store"
)

// setOffline sets a message's state or fails the test, checking changed.
func setOffline(t *testing.T, s store.Store, siteID, id, state string, wantChanged bool) *store.OfflineMessage {
	t.Helper()
	m, changed, err := s.SetOfflineState(ctxT(t), siteID, id, state)
	ok(t, err, "SetOfflineState "+state)
	equal(t, changed, wantChanged, "changed ("+state+")")
	equal(t, m.ID, id, "ID")
	equal(t, m.State, state, "State")
	return m
}

// listByState lists a site's offline messages in a state or fails the test.
func listByState(t *testing.T, s store.Store, siteID, state, after string, limit int) []*store.OfflineMessage {
	t.Helper()
	list, err := s.ListOfflineByState(ctxT(t), siteID, state, after, limit)
	ok(t, err, "ListOfflineByState "+state)
	for _, m := range list {
		if state != "" && m.State != state {
			t.Fatalf("ListOfflineByState %q listed %q in state %q", state, m.ID, m.State)
		}
	}
	return list
}

// countOffline counts a site's offline messages or fails the test.
func countOffline(t *testing.T, s store.Store, siteID string) store.OfflineCounts {
	t.Helper()
	c, err := s.CountOffline(ctxT(t), siteID)
	ok(t, err, "CountOffline")
	return c
}

var offlineStateTests = []test{
	{"AddIsNew", func(t *testing.T, s store.Store) {
		in := fullOffline("site-1", "visitor-1", "f1", "hello")
		in.State = store.OfflineDone // ignored: a message arrives new
		got := mustAddOffline(t, s, in)
		equal(t, got.State, store.OfflineNew, "State of the added message")
		equal(t, in.State, store.OfflineDone, "the caller's record")
		got, dup, err := s.AddOfflineMessage(ctxT(t), fullOffline("site-1", "visitor-1", "f1", "resent"))
		ok(t, err, "AddOfflineMessage resend")
		equal(t, dup, true, "duplicate")
		equal(t, got.State, store.OfflineNew, "State seen by a resend")
		same(t, countOffline(t, s, "site-1"), store.OfflineCounts{New: 1}, "counts")
	}},
	{"SetState", func(t *testing.T, s store.Store) {
		m := mustAddOffline(t, s, fullOffline("site-1", "visitor-1", "f1", "hello"))
		other := mustAddOffline(t, s, fullOffline("site-1", "visitor-2", "f2", "other"))
		got := setOffline(t, s, "site-1", m.ID, store.OfflineRead, true)
		want := *m
		want.State = store.OfflineRead
		same(t, got, &want, "SetOfflineState result")
		setOffline(t, s, "site-1", m.ID, store.OfflineRead, false)
		same(t, listOffline(t, s, "site-1", "", 0)[0], &want, "stored message")
		equal(t, listOffline(t, s, "site-1", "", 0)[1].State, store.OfflineNew, "the other message")

		setOffline(t, s, "site-1", m.ID, store.OfflineDone, true)
		same(t, countOffline(t, s, "site-1"), store.OfflineCounts{New: 1, Done: 1}, "counts after done")
		// Any state may follow any other, back to new too.
		setOffline(t, s, "site-1", m.ID, store.OfflineNew, true)
		same(t, countOffline(t, s, "site-1"), store.OfflineCounts{New: 2}, "counts after new again")
		setOffline(t, s, "site-1", other.ID, store.OfflineDone, true)
		setOffline(t, s, "site-1", m.ID, store.OfflineRead, true)
		same(t, countOffline(t, s, "site-1"), store.OfflineCounts{Read: 1, Done: 1}, "counts at the end")
		same(t, offlineIDs(listByState(t, s, "site-1", store.OfflineNew, "", 0)), []string{}, "new ones")
		same(t, offlineIDs(listByState(t, s, "site-1", store.OfflineRead, "", 0)), []string{m.ID}, "read ones")
		same(t, offlineIDs(listByState(t, s, "site-1", store.OfflineDone, "", 0)), []string{other.ID}, "done ones")
	}},
	{"SetStateRefused", func(t *testing.T, s store.Store) {
		m := mustAddOffline(t, s, fullOffline("site-1", "visitor-1", "f1", "hello"))
		mustAddOffline(t, s, fullOffline("site-2", "visitor-1", "f1", "elsewhere"))
		_, _, err := s.SetOfflineState(ctxT(t), "site-1", "no-such-id", store.OfflineRead)
		isErr(t, err, store.ErrNotFound, "unknown id")
		_, _, err = s.SetOfflineState(ctxT(t), "site-2", m.ID, store.OfflineRead)
		isErr(t, err, store.ErrNotFound, "another site's message")
		_, _, err = s.SetOfflineState(ctxT(t), "site-9", m.ID, store.OfflineRead)
		isErr(t, err, store.ErrNotFound, "unknown site")
		for _, bad := range []string{"", "archived", "NEW", "read "} {
			if _, _, err := s.SetOfflineState(ctxT(t), "site-1", m.ID, bad); err == nil {
				t.Fatalf("SetOfflineState %q: no error", bad)
			}
			if _, err := s.ListOfflineByState(ctxT(t), "site-1", bad+"x", "", 0); err == nil {
				t.Fatalf("ListOfflineByState %q: no error", bad+"x")
			}
		}
		same(t, listOffline(t, s, "site-1", "", 0), []*store.OfflineMessage{m}, "nothing changed")
		same(t, countOffline(t, s, "site-1"), store.OfflineCounts{New: 1}, "site-1 counts")
		same(t, countOffline(t, s, "site-2"), store.OfflineCounts{New: 1}, "site-2 counts")
	}},
	{"ListByStatePaging", func(t *testing.T, s store.Store) {
		// 9 messages: every third done, the one after it read, the rest new.
		var ids []string
		want := map[string][]string{}
		for i := range 9 {
			m := mustAddOffline(t, s, fullOffline("site-1", "visitor-1", fmt.Sprint("f", i), fmt.Sprint("m", i)))
			ids = append(ids, m.ID)
			st := []string{store.OfflineDone, store.OfflineRead, store.OfflineNew}[i%3]
			if st != store.OfflineNew {
				setOffline(t, s, "site-1", m.ID, st, true)
			}
			want[st] = append(want[st], m.ID)
		}
		want[""] = ids
		mustAddOffline(t, s, fullOffline("site-2", "visitor-1", "g", "other site"))
		for _, st := range []string{"", store.OfflineNew, store.OfflineRead, store.OfflineDone} {
			same(t, offlineIDs(listByState(t, s, "site-1", st, "", 0)), want[st], "all "+st)
			var got []string
			after := ""
			for range 20 {
				page := listByState(t, s, "site-1", st, after, 2)
				if len(page) > 2 {
					t.Fatalf("page of %d with limit 2", len(page))
				}
				if len(page) == 0 {
					break
				}
				got = append(got, offlineIDs(page)...)
				after = page[len(page)-1].ID
			}
			same(t, got, want[st], st+" paged by 2")
			// After any id (also one in another state): those that follow it.
			var rest []string
			for _, id := range want[st] {
				if id > ids[4] {
					rest = append(rest, id)
				}
			}
			same(t, offlineIDs(listByState(t, s, "site-1", st, ids[4], 0)), append([]string{}, rest...), st+" after the fifth")
		}
		same(t, countOffline(t, s, "site-1"), store.OfflineCounts{New: 3, Read: 3, Done: 3}, "site-1 counts")
		same(t, countOffline(t, s, "site-2"), store.OfflineCounts{New: 1}, "site-2 counts")
		same(t, countOffline(t, s, "site-9"), store.OfflineCounts{}, "unknown site counts")
		same(t, offlineIDs(listByState(t, s, "site-9", store.OfflineDone, "", 0)), []string{}, "unknown site")
	}},
	{"NewAmongManyHandled", func(t *testing.T, s store.Store) {
		// A new message behind more handled ones than a page holds is still found.
		var last string
		for i := range 130 {
			m := mustAddOffline(t, s, fullOffline("site-1", "visitor-1", fmt.Sprint("f", i), fmt.Sprint("m", i)))
			if i < 129 {
				setOffline(t, s, "site-1", m.ID, store.OfflineDone, true)
			}
			last = m.ID
		}
		same(t, offlineIDs(listByState(t, s, "site-1", store.OfflineNew, "", 1)), []string{last}, "the new one")
		same(t, countOffline(t, s, "site-1"), store.OfflineCounts{New: 1, Done: 129}, "counts")
		equal(t, len(listByState(t, s, "site-1", store.OfflineDone, "", 0)), 50, "default limit")
	}},
}

// LegacyOffline holds a store to what it promises about offline messages written
// before states existed. The caller has written, by the store's own means, records
// of site siteID with the given ids (in id order) and no state; LegacyOffline checks
// that they read as new in every list and count, and that their state can be set.
func LegacyOffline(t *testing.T, s store.Store, siteID string, ids []string) {
	t.Helper()
	for _, st := range []string{"", store.OfflineNew} {
		list := listByState(t, s, siteID, st, "", 0)
		same(t, offlineIDs(list), ids, "legacy messages listed in state "+st)
		for _, m := range list {
			equal(t, m.State, store.OfflineNew, "State of legacy message "+m.ID)
		}
	}
	same(t, countOffline(t, s, siteID), store.OfflineCounts{New: len(ids)}, "counts of legacy messages")
	setOffline(t, s, siteID, ids[0], store.OfflineNew, false)
	setOffline(t, s, siteID, ids[0], store.OfflineDone, true)
	same(t, countOffline(t, s, siteID), store.OfflineCounts{New: len(ids) - 1, Done: 1}, "counts after one is done")
	same(t, offlineIDs(listByState(t, s, siteID, store.OfflineDone, "", 0)), ids[:1], "done legacy messages")
	same(t, offlineIDs(listByState(t, s, siteID, store.OfflineNew, "", 0)), ids[1:], "new legacy messages")
}
