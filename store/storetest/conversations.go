package storetest

import (
	"testing"

	"github.com/livedesk/gateway/store"
)

var conversationTests = []test{
	{"CreateGetRoundTrip", func(t *testing.T, s store.Store) {
		want := fullConversation("site-1", "visitor-1", store.StateEnded)
		ok(t, s.CreateConversation(ctxT(t), want), "CreateConversation")
		if want.ID == "" {
			t.Fatal("CreateConversation left the ID empty")
		}
		got, err := s.GetConversation(ctxT(t), want.ID)
		ok(t, err, "GetConversation")
		same(t, got, want, "GetConversation")
	}},
	{"NilTimesRoundTrip", func(t *testing.T, s store.Store) {
		want := fullConversation("site-1", "visitor-1", store.StateQueued)
		want.AssignedAt, want.EndedAt, want.AgentID, want.AgentName, want.EndedBy = nil, nil, "", "", ""
		mustCreateConversation(t, s, want)
		got, err := s.GetConversation(ctxT(t), want.ID)
		ok(t, err, "GetConversation")
		same(t, got, want, "GetConversation")
	}},
	{"CreateTakenIDConflicts", func(t *testing.T, s store.Store) {
		first := mustCreateConversation(t, s, fullConversation("site-1", "visitor-1", store.StateOpen))
		second := fullConversation("site-2", "visitor-2", store.StateQueued)
		second.ID = first.ID
		isErr(t, s.CreateConversation(ctxT(t), second), store.ErrConflict, "CreateConversation with a taken ID")
		got, err := s.GetConversation(ctxT(t), first.ID)
		ok(t, err, "GetConversation")
		same(t, got, first, "conversation after the conflict")
	}},
	{"GetNotFound", func(t *testing.T, s store.Store) {
		_, err := s.GetConversation(ctxT(t), "no-such-conversation")
		isErr(t, err, store.ErrNotFound, "GetConversation")
	}},
	{"Update", func(t *testing.T, s store.Store) {
		c := fullConversation("site-1", "visitor-1", store.StateQueued)
		c.AssignedAt, c.EndedAt, c.EndedBy = nil, nil, ""
		mustCreateConversation(t, s, c)
		var handed string
		got, err := s.UpdateConversation(ctxT(t), c.ID, func(cur *store.Conversation) error {
			handed = differs(cur, c)
			cur.State = store.StateOpen
			cur.AgentID, cur.AgentName = "agent-9", "Nine"
			cur.AssignedAt = ptr(at(30))
			return nil
		})
		ok(t, err, "UpdateConversation")
		equal(t, handed, "", "difference of the record handed to fn from the stored one")
		want := *c
		want.State, want.AgentID, want.AgentName, want.AssignedAt = store.StateOpen, "agent-9", "Nine", ptr(at(30))
		same(t, got, &want, "UpdateConversation result")
		stored, err := s.GetConversation(ctxT(t), c.ID)
		ok(t, err, "GetConversation")
		same(t, stored, &want, "GetConversation after UpdateConversation")
	}},
	{"UpdateNotFound", func(t *testing.T, s store.Store) {
		_, err := s.UpdateConversation(ctxT(t), "no-such-conversation", func(*store.Conversation) error { return nil })
		isErr(t, err, store.ErrNotFound, "UpdateConversation")
	}},
	{"UpdateFnErrorAborts", func(t *testing.T, s store.Store) {
		c := mustCreateConversation(t, s, fullConversation("site-1", "visitor-1", store.StateQueued))
		_, err := s.UpdateConversation(ctxT(t), c.ID, func(cur *store.Conversation) error {
			cur.State = store.StateMissed
			return errTest
		})
		if err != errTest {
			t.Fatalf("UpdateConversation returned %v, want the fn's own error as is", err)
		}
		got, err := s.GetConversation(ctxT(t), c.ID)
		ok(t, err, "GetConversation")
		same(t, got, c, "conversation after an aborted update")
		list, err := s.ListConversations(ctxT(t), store.ConversationFilter{State: store.StateMissed})
		ok(t, err, "ListConversations")
		equal(t, len(list), 0, "missed conversations after an aborted update")
	}},
	{"UpdateKeepsID", func(t *testing.T, s store.Store) {
		c := mustCreateConversation(t, s, fullConversation("site-1", "visitor-1", store.StateQueued))
		got, err := s.UpdateConversation(ctxT(t), c.ID, func(cur *store.Conversation) error {
			cur.ID = "stolen-id"
			return nil
		})
		checkIDKept(t, err, c.ID, func() string { return got.ID })
		_, err = s.GetConversation(ctxT(t), "stolen-id")
		isErr(t, err, store.ErrNotFound, "GetConversation of the ID fn tried to set")
		_, err = s.GetConversation(ctxT(t), c.ID)
		ok(t, err, "GetConversation of the original ID")
	}},
	{"Copies", func(t *testing.T, s store.Store) {
		in := fullConversation("site-1", "visitor-1", store.StateOpen)
		mustCreateConversation(t, s, in)
		want := fullConversation("site-1", "visitor-1", store.StateOpen)
		want.ID = in.ID
		in.State = store.StateEnded
		*in.AssignedAt = at(99)
		got, err := s.GetConversation(ctxT(t), in.ID)
		ok(t, err, "GetConversation")
		same(t, got, want, "conversation after changing the created record")
		*got.EndedAt = at(99)
		upd, err := s.UpdateConversation(ctxT(t), in.ID, func(*store.Conversation) error { return nil })
		ok(t, err, "UpdateConversation")
		*upd.AssignedAt = at(98)
		list, err := s.ListConversations(ctxT(t), store.ConversationFilter{})
		ok(t, err, "ListConversations")
		list[0].Page = "mutated"
		again, err := s.GetConversation(ctxT(t), in.ID)
		ok(t, err, "GetConversation")
		same(t, again, want, "conversation after changing returned records")
	}},
	{"ListEmpty", func(t *testing.T, s store.Store) {
		got, err := s.ListConversations(ctxT(t), store.ConversationFilter{})
		ok(t, err, "ListConversations")
		equal(t, len(got), 0, "conversations in an empty store")
	}},
	{"ListFiltersNewestFirst", func(t *testing.T, s store.Store) {
		var c [6]*store.Conversation
		for i, spec := range [6][3]string{
			{"s1", "v1", store.StateEnded},
			{"s1", "v2", store.StateQueued},
			{"s2", "v3", store.StateOpen},
			{"s1", "v1", store.StateOpen},
			{"s2", "v3", store.StateQueued},
			{"s1", "v2", store.StateMissed},
		} {
			c[i] = mustCreateConversation(t, s, fullConversation(spec[0], spec[1], spec[2]))
		}
		check := func(f store.ConversationFilter, want ...*store.Conversation) {
			t.Helper()
			got, err := s.ListConversations(ctxT(t), f)
			ok(t, err, "ListConversations")
			same(t, ids(got), ids(want), "ListConversations IDs")
			same(t, got, want, "ListConversations records")
		}
		check(store.ConversationFilter{}, c[5], c[4], c[3], c[2], c[1], c[0])
		check(store.ConversationFilter{SiteID: "s1"}, c[5], c[3], c[1], c[0])
		check(store.ConversationFilter{State: store.StateQueued}, c[4], c[1])
		check(store.ConversationFilter{SiteID: "s1", State: store.StateOpen}, c[3])
		check(store.ConversationFilter{VisitorID: "v1"}, c[3], c[0])
		check(store.ConversationFilter{VisitorID: "v3", State: store.StateQueued}, c[4])
		check(store.ConversationFilter{SiteID: "s2", VisitorID: "v3", State: store.StateOpen}, c[2])
		check(store.ConversationFilter{SiteID: "s2", VisitorID: "v1"})
		check(store.ConversationFilter{SiteID: "no-such-site"})
		check(store.ConversationFilter{State: "no-such-state"})

		// Filters follow updates.
		upd := func(i int, fn func(*store.Conversation)) {
			t.Helper()
			got, err := s.UpdateConversation(ctxT(t), c[i].ID, func(cur *store.Conversation) error { fn(cur); return nil })
			ok(t, err, "UpdateConversation")
			c[i] = got
		}
		upd(1, func(x *store.Conversation) { x.State = store.StateOpen })
		upd(0, func(x *store.Conversation) { x.VisitorID = "v9" })
		upd(2, func(x *store.Conversation) { x.SiteID = "s3"; x.State = store.StateEnded })
		check(store.ConversationFilter{State: store.StateQueued}, c[4])
		check(store.ConversationFilter{SiteID: "s1", State: store.StateOpen}, c[3], c[1])
		check(store.ConversationFilter{SiteID: "s1", State: store.StateQueued})
		check(store.ConversationFilter{VisitorID: "v1"}, c[3])
		check(store.ConversationFilter{VisitorID: "v9"}, c[0])
		check(store.ConversationFilter{SiteID: "s2"}, c[4])
		check(store.ConversationFilter{SiteID: "s3", State: store.StateEnded}, c[2])
		check(store.ConversationFilter{State: store.StateEnded}, c[2], c[0])
		check(store.ConversationFilter{}, c[5], c[4], c[3], c[2], c[1], c[0])
	}},
	{"ListBeforePaging", func(t *testing.T, s store.Store) {
		var mine, all []*store.Conversation // newest first
		for i := range 10 {
			site := "s1"
			if i%3 == 1 {
				site = "s2"
			}
			c := mustCreateConversation(t, s, fullConversation(site, "v", store.StateOpen))
			all = append([]*store.Conversation{c}, all...)
			if site == "s1" {
				mine = append([]*store.Conversation{c}, mine...)
			}
		}
		pages := func(f store.ConversationFilter) []string {
			t.Helper()
			var got []string
			for range 20 {
				page, err := s.ListConversations(ctxT(t), f)
				ok(t, err, "ListConversations")
				if len(page) > f.Limit {
					t.Fatalf("page of %d with limit %d", len(page), f.Limit)
				}
				if len(page) == 0 {
					return got
				}
				got = append(got, ids(page)...)
				f.Before = page[len(page)-1].ID
			}
			t.Fatal("paging did not end")
			return nil
		}
		same(t, pages(store.ConversationFilter{SiteID: "s1", Limit: 3}), ids(mine), "s1 paged by 3")
		same(t, pages(store.ConversationFilter{Limit: 4}), ids(all), "all paged by 4")
		same(t, pages(store.ConversationFilter{State: store.StateOpen, Limit: 1}), ids(all), "open paged by 1")

		// Before need not be in the filtered set: it is a position in ID order.
		got, err := s.ListConversations(ctxT(t), store.ConversationFilter{SiteID: "s1", Before: all[2].ID, Limit: 2})
		ok(t, err, "ListConversations")
		var want []string
		for _, c := range all[3:] {
			if c.SiteID == "s1" && len(want) < 2 {
				want = append(want, c.ID)
			}
		}
		same(t, ids(got), want, "s1 before an s2 conversation")

		// Limit <= 0 means a default that is more than these ten.
		for _, limit := range []int{0, -1} {
			got, err = s.ListConversations(ctxT(t), store.ConversationFilter{Limit: limit})
			ok(t, err, "ListConversations")
			same(t, ids(got), ids(all), "ListConversations with the default limit")
		}
		got, err = s.ListConversations(ctxT(t), store.ConversationFilter{Before: all[len(all)-1].ID})
		ok(t, err, "ListConversations")
		equal(t, len(got), 0, "conversations before the oldest")
	}},
}

// ids returns the IDs of cs in order (an empty, non-nil list for none).
func ids(cs []*store.Conversation) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}
