package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/livedesk/gateway/store"
)

// cutoff is the retention tests' `before`: what is over strictly before it goes.
var cutoff = at(60)

// purge calls PurgeExpired or fails the test.
func purge(t *testing.T, s store.Store, siteID string, limit int) store.PurgeCounts {
	t.Helper()
	got, err := s.PurgeExpired(ctxT(t), siteID, cutoff, limit)
	ok(t, err, "PurgeExpired")
	if limit > 0 && got.Total() > limit {
		t.Fatalf("PurgeExpired(limit %d) deleted %d records: %+v", limit, got.Total(), got)
	}
	return got
}

// purgeAll calls PurgeExpired with limit until a call deletes less than the limit,
// and returns the sum and the number of calls.
func purgeAll(t *testing.T, s store.Store, siteID string, limit int) (store.PurgeCounts, int) {
	t.Helper()
	var sum store.PurgeCounts
	for calls := 1; calls < 1000; calls++ {
		got := purge(t, s, siteID, limit)
		if sum = sum.Add(got); got.Total() < limit {
			return sum, calls
		}
	}
	t.Fatal("PurgeExpired never finished")
	return sum, 0
}

// convAt creates a conversation of the site in state, over at end (no EndedAt when
// end is zero), with n messages.
func convAt(t *testing.T, s store.Store, siteID, visitorID, state string, end time.Time, n int) *store.Conversation {
	t.Helper()
	c := fullConversation(siteID, visitorID, state)
	c.EndedAt = nil
	if !end.IsZero() {
		c.EndedAt = ptr(end)
	}
	mustCreateConversation(t, s, c)
	for i := range n {
		mustAppend(t, s, c.ID, fmt.Sprintf("%s-m%d", c.ID, i), "line")
	}
	return c
}

// offlineAt adds an offline message of the site created at created and moves it to
// state.
func offlineAt(t *testing.T, s store.Store, siteID, clientID, state string, created time.Time) *store.OfflineMessage {
	t.Helper()
	m := fullOffline(siteID, "visitor-"+clientID, clientID, "hello")
	m.CreatedAt = created
	m = mustAddOffline(t, s, m)
	if state != store.OfflineNew {
		m = setOffline(t, s, siteID, m.ID, state, true)
	}
	return m
}

// gone checks that the conversation and its messages are no longer found.
func gone(t *testing.T, s store.Store, c *store.Conversation) {
	t.Helper()
	_, err := s.GetConversation(ctxT(t), c.ID)
	isErr(t, err, store.ErrNotFound, "GetConversation of a purged conversation")
	_, err = s.ListMessages(ctxT(t), c.ID, 0, 0)
	isErr(t, err, store.ErrNotFound, "ListMessages of a purged conversation")
}

// listIDs lists conversation ids for f or fails the test.
func listIDs(t *testing.T, s store.Store, f store.ConversationFilter) []string {
	t.Helper()
	list, err := s.ListConversations(ctxT(t), f)
	ok(t, err, "ListConversations")
	return ids(list)
}

var retentionTests = []test{
	{"ExpiredOnly", func(t *testing.T, s store.Store) {
		old, edge := cutoff.Add(-time.Millisecond), cutoff
		queued := convAt(t, s, "site-1", "v1", store.StateQueued, time.Time{}, 1)
		open := convAt(t, s, "site-1", "v1", store.StateOpen, old, 2) // an EndedAt does not make it over
		ended := convAt(t, s, "site-1", "v1", store.StateEnded, old, 2)
		missed := convAt(t, s, "site-1", "v2", store.StateMissed, old, 1)
		legacy := convAt(t, s, "site-1", "v2", store.StateEnded, time.Time{}, 0) // no EndedAt: CreatedAt counts
		atEdge := convAt(t, s, "site-1", "v2", store.StateEnded, edge, 1)
		recent := convAt(t, s, "site-1", "v3", store.StateEnded, cutoff.Add(time.Hour), 1)
		elsewhere := convAt(t, s, "site-2", "v1", store.StateEnded, old, 1)

		oNew := offlineAt(t, s, "site-1", "o1", store.OfflineNew, old)
		oRead := offlineAt(t, s, "site-1", "o2", store.OfflineRead, old)
		oDone := offlineAt(t, s, "site-1", "o3", store.OfflineDone, old)
		oEdge := offlineAt(t, s, "site-1", "o4", store.OfflineDone, edge)
		oRecent := offlineAt(t, s, "site-1", "o5", store.OfflineDone, cutoff.Add(time.Hour))
		oElsewhere := offlineAt(t, s, "site-2", "o6", store.OfflineDone, old)

		got := purge(t, s, "site-1", 0)
		same(t, got, store.PurgeCounts{Conversations: 3, Messages: 3, Offline: 1}, "counts")
		for _, c := range []*store.Conversation{ended, missed, legacy} {
			gone(t, s, c)
		}
		same(t, listIDs(t, s, store.ConversationFilter{SiteID: "site-1"}), ids([]*store.Conversation{recent, atEdge, open, queued}), "site-1's conversations")
		same(t, listIDs(t, s, store.ConversationFilter{SiteID: "site-1", State: store.StateEnded}), ids([]*store.Conversation{recent, atEdge}), "site-1's ended ones")
		same(t, listIDs(t, s, store.ConversationFilter{SiteID: "site-1", State: store.StateMissed}), []string{}, "site-1's missed ones")
		same(t, listIDs(t, s, store.ConversationFilter{State: store.StateEnded}), ids([]*store.Conversation{elsewhere, recent, atEdge}), "every ended one")
		same(t, listIDs(t, s, store.ConversationFilter{VisitorID: "v2"}), ids([]*store.Conversation{atEdge}), "visitor v2's")
		same(t, listIDs(t, s, store.ConversationFilter{}), ids([]*store.Conversation{elsewhere, recent, atEdge, open, queued}), "every conversation")
		equal(t, len(mustList(t, s, open.ID)), 2, "messages of the open conversation")

		same(t, countOffline(t, s, "site-1"), store.OfflineCounts{New: 1, Read: 1, Done: 2}, "site-1's offline counts")
		same(t, offlineIDs(listByState(t, s, "site-1", store.OfflineDone, "", 0)), []string{oEdge.ID, oRecent.ID}, "done ones")
		same(t, offlineIDs(listOffline(t, s, "site-1", "", 0)), []string{oNew.ID, oRead.ID, oEdge.ID, oRecent.ID}, "site-1's offline messages")
		same(t, offlineIDs(listOffline(t, s, "site-2", "", 0)), []string{oElsewhere.ID}, "site-2's offline messages")
		// The purged message's client id is forgotten with it: the same id is a new message.
		again, dup, err := s.AddOfflineMessage(ctxT(t), fullOffline("site-1", "visitor-o3", "o3", "again"))
		ok(t, err, "AddOfflineMessage with a purged client id")
		equal(t, dup, false, "duplicate")
		if again.ID == oDone.ID {
			t.Fatalf("the purged message came back")
		}

		same(t, purge(t, s, "site-1", 0), store.PurgeCounts{}, "a second purge")
		same(t, purge(t, s, "site-2", 0), store.PurgeCounts{Conversations: 1, Messages: 1, Offline: 1}, "site-2's purge")
		same(t, purge(t, s, "no-such-site", 0), store.PurgeCounts{}, "an unknown site's purge")
	}},
	{"Limit", func(t *testing.T, s store.Store) {
		old := cutoff.Add(-time.Hour)
		for i := range 5 {
			convAt(t, s, "site-1", fmt.Sprintf("v%d", i), store.StateEnded, old, 1) // 2 records each
		}
		for i := range 3 {
			offlineAt(t, s, "site-1", fmt.Sprintf("o%d", i), store.OfflineDone, old)
		}
		keep := convAt(t, s, "site-1", "v9", store.StateOpen, time.Time{}, 1)
		sum, calls := purgeAll(t, s, "site-1", 3)
		same(t, sum, store.PurgeCounts{Conversations: 5, Messages: 5, Offline: 3}, "counts")
		equal(t, calls, 5, "calls of 3 records for 13") // 3+3+3+3+1
		same(t, listIDs(t, s, store.ConversationFilter{SiteID: "site-1"}), []string{keep.ID}, "what is left")
		same(t, countOffline(t, s, "site-1"), store.OfflineCounts{}, "offline counts")
	}},
	{"LongConversation", func(t *testing.T, s store.Store) {
		c := convAt(t, s, "site-1", "v1", store.StateEnded, cutoff.Add(-time.Hour), 7)
		all := mustList(t, s, c.ID)
		// 7 messages and the conversation, 3 records a call: it loses its newest
		// messages first and stays listed with the rest until the last call.
		for _, left := range []int{4, 1} {
			same(t, purge(t, s, "site-1", 3), store.PurgeCounts{Messages: 3}, fmt.Sprintf("counts down to %d messages", left))
			storedMessages(t, s, c.ID, all[:left])
			same(t, listIDs(t, s, store.ConversationFilter{SiteID: "site-1", State: store.StateEnded}), []string{c.ID}, "still listed")
		}
		same(t, purge(t, s, "site-1", 3), store.PurgeCounts{Conversations: 1, Messages: 1}, "the last call")
		gone(t, s, c)
		same(t, listIDs(t, s, store.ConversationFilter{SiteID: "site-1"}), []string{}, "nothing listed")
		// Exactly the messages in one call, then the conversation alone.
		d := convAt(t, s, "site-1", "v2", store.StateEnded, cutoff.Add(-time.Hour), 2)
		same(t, purge(t, s, "site-1", 2), store.PurgeCounts{Messages: 2}, "the messages")
		storedMessages(t, s, d.ID, nil)
		same(t, purge(t, s, "site-1", 2), store.PurgeCounts{Conversations: 1}, "the empty conversation")
		gone(t, s, d)
	}},
}

// mustList lists every message of a conversation or fails the test.
func mustList(t *testing.T, s store.Store, convID string) []*store.Message {
	t.Helper()
	list, err := s.ListMessages(ctxT(t), convID, 0, 1000)
	ok(t, err, "ListMessages")
	return list
}
