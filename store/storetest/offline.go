package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/livedesk/gateway/store"
)

// fullOffline returns an offline message with every field set but ID and CreatedAt.
func fullOffline(siteID, visitorID, clientID, text string) *store.OfflineMessage {
	return &store.OfflineMessage{
		SiteID:    siteID,
		VisitorID: visitorID,
		Name:      "Visitor " + visitorID,
		Email:     visitorID + "@mail.example",
		Message:   text,
		Fields:    map[string]string{"order": "A-1001", "phone": "+420 123"},
		Page:      "https://shop.example/contact",
		ClientID:  clientID,
		// The rest of the hello and the visitor's number (extensions).
		Lang:          "de",
		Timezone:      "Europe/Berlin",
		VisitorNumber: 7,
		DepartmentID:  "dept-sales",
	}
}

// mustAddOffline adds m or fails the test, checking it was not a duplicate.
func mustAddOffline(t *testing.T, s store.Store, m *store.OfflineMessage) *store.OfflineMessage {
	t.Helper()
	got, dup, err := s.AddOfflineMessage(ctxT(t), m)
	ok(t, err, "AddOfflineMessage")
	equal(t, dup, false, "duplicate")
	return got
}

// listOffline lists a site's offline messages or fails the test.
func listOffline(t *testing.T, s store.Store, siteID, after string, limit int) []*store.OfflineMessage {
	t.Helper()
	list, err := s.ListOfflineMessages(ctxT(t), siteID, after, limit)
	ok(t, err, "ListOfflineMessages")
	return list
}

func offlineIDs(ms []*store.OfflineMessage) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

var offlineTests = []test{
	{"AddRoundTrip", func(t *testing.T, s store.Store) {
		in := fullOffline("site-1", "visitor-1", "frame-1", "Call me back")
		in.CreatedAt = at(20)
		got := mustAddOffline(t, s, in)
		if got.ID == "" {
			t.Fatal("AddOfflineMessage left the ID empty")
		}
		want := *in
		want.ID, want.State = got.ID, store.OfflineNew
		same(t, got, &want, "AddOfflineMessage result")
		same(t, listOffline(t, s, "site-1", "", 0), []*store.OfflineMessage{&want}, "ListOfflineMessages")
	}},
	{"AddFillsCreatedAt", func(t *testing.T, s store.Store) {
		before := time.Now()
		got := mustAddOffline(t, s, fullOffline("site-1", "visitor-1", "", "no time"))
		after := time.Now()
		if got.CreatedAt.Before(before.Add(-time.Second)) || got.CreatedAt.After(after.Add(time.Second)) {
			t.Fatalf("CreatedAt = %v, want the time of the add (between %v and %v)", got.CreatedAt, before, after)
		}
		list := listOffline(t, s, "site-1", "", 0)
		equal(t, len(list), 1, "messages")
		same(t, list[0], got, "stored message")
	}},
	{"AddKeepsGivenID", func(t *testing.T, s store.Store) {
		in := fullOffline("site-1", "visitor-1", "", "given id")
		in.ID = "offline-given"
		got := mustAddOffline(t, s, in)
		equal(t, got.ID, "offline-given", "ID")
		equal(t, listOffline(t, s, "site-1", "", 0)[0].ID, "offline-given", "listed ID")
	}},
	{"AddIdempotentByClientID", func(t *testing.T, s store.Store) {
		first := mustAddOffline(t, s, fullOffline("site-1", "visitor-1", "frame-1", "first"))
		got, dup, err := s.AddOfflineMessage(ctxT(t), fullOffline("site-1", "visitor-1", "frame-1", "resent, other text"))
		ok(t, err, "AddOfflineMessage resend")
		equal(t, dup, true, "duplicate")
		same(t, got, first, "resend returns the stored message")
		equal(t, len(listOffline(t, s, "site-1", "", 0)), 1, "messages after the resend")

		// Another visitor, another site, or no client id: a new message each.
		mustAddOffline(t, s, fullOffline("site-1", "visitor-2", "frame-1", "other visitor"))
		mustAddOffline(t, s, fullOffline("site-2", "visitor-1", "frame-1", "other site"))
		mustAddOffline(t, s, fullOffline("site-1", "visitor-1", "", "no id"))
		mustAddOffline(t, s, fullOffline("site-1", "visitor-1", "", "no id"))
		equal(t, len(listOffline(t, s, "site-1", "", 0)), 4, "site-1 messages")
		equal(t, len(listOffline(t, s, "site-2", "", 0)), 1, "site-2 messages")
	}},
	{"ListPagingOldestFirst", func(t *testing.T, s store.Store) {
		var want []string
		for i := range 7 {
			m := mustAddOffline(t, s, fullOffline("site-1", "visitor-1", fmt.Sprint("f", i), fmt.Sprint("m", i)))
			want = append(want, m.ID)
		}
		var got []string
		after := ""
		for range 10 {
			page := listOffline(t, s, "site-1", after, 3)
			if len(page) > 3 {
				t.Fatalf("page of %d with limit 3", len(page))
			}
			if len(page) == 0 {
				break
			}
			for _, m := range page {
				equal(t, m.Message, fmt.Sprint("m", len(got)), "message in order")
				got = append(got, m.ID)
			}
			after = page[len(page)-1].ID
		}
		same(t, got, want, "IDs paged by 3")
		same(t, offlineIDs(listOffline(t, s, "site-1", "", 0)), want, "default limit")
		same(t, offlineIDs(listOffline(t, s, "site-1", "", -1)), want, "negative limit")
		same(t, offlineIDs(listOffline(t, s, "site-1", want[6], 0)), []string{}, "after the newest")
		same(t, offlineIDs(listOffline(t, s, "site-1", want[2], 2)), want[3:5], "after the third, 2")
	}},
	{"SiteIsolation", func(t *testing.T, s store.Store) {
		a1 := mustAddOffline(t, s, fullOffline("site-a", "visitor-1", "f1", "a1"))
		b1 := mustAddOffline(t, s, fullOffline("site-b", "visitor-1", "f2", "b1"))
		a2 := mustAddOffline(t, s, fullOffline("site-a", "visitor-2", "f3", "a2"))
		same(t, offlineIDs(listOffline(t, s, "site-a", "", 0)), []string{a1.ID, a2.ID}, "site-a")
		same(t, offlineIDs(listOffline(t, s, "site-b", "", 0)), []string{b1.ID}, "site-b")
		same(t, offlineIDs(listOffline(t, s, "site-a", b1.ID, 0)), []string{a2.ID}, "site-a after a site-b ID")
		same(t, offlineIDs(listOffline(t, s, "site-c", "", 0)), []string{}, "unknown site")
	}},
	{"Copies", func(t *testing.T, s store.Store) {
		in := fullOffline("site-1", "visitor-1", "f", "original")
		got := mustAddOffline(t, s, in)
		want := fullOffline("site-1", "visitor-1", "f", "original")
		want.ID, want.CreatedAt, want.State = got.ID, got.CreatedAt, store.OfflineNew
		in.Message = "mutated input"
		in.Fields["order"] = "mutated input"
		got.Fields["phone"] = "mutated result"
		list := listOffline(t, s, "site-1", "", 0)
		same(t, list[0], want, "stored message")
		list[0].Fields["order"] = "mutated list"
		dup, _, err := s.AddOfflineMessage(ctxT(t), fullOffline("site-1", "visitor-1", "f", "resend"))
		ok(t, err, "AddOfflineMessage resend")
		same(t, dup, want, "stored message seen by a resend")
		dup.Fields["order"] = "mutated dup"
		same(t, listOffline(t, s, "site-1", "", 0)[0], want, "stored message at the end")
	}},
}
