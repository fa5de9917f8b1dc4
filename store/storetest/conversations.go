package storetest

import (
	"fmt"
	"testing"
	"time"

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
	{"CreateWithFirstMessage", func(t *testing.T, s store.Store) {
		c := fullConversation("site-1", "visitor-1", store.StateQueued)
		c.AssignedAt, c.EndedAt, c.AgentID, c.AgentName, c.EndedBy = nil, nil, "", "", ""
		m := &store.Message{ConversationID: "ignored", From: store.FromVisitor, Text: "hello", At: at(10), ClientID: "start-1"}
		ok(t, s.CreateConversation(ctxT(t), c, m), "CreateConversation with a first message")
		if c.ID == "" {
			t.Fatal("CreateConversation left the ID empty")
		}
		want := &store.Message{ConversationID: c.ID, Seq: 1, From: store.FromVisitor, Text: "hello", At: at(10), ClientID: "start-1"}
		same(t, m, want, "first message after CreateConversation")
		equal(t, c.LastSeq, int64(1), "LastSeq written back to the conversation")
		got, err := s.GetConversation(ctxT(t), c.ID)
		ok(t, err, "GetConversation")
		same(t, got, c, "GetConversation")
		list, err := s.ListConversations(ctxT(t), store.ConversationFilter{SiteID: "site-1", State: store.StateQueued})
		ok(t, err, "ListConversations")
		same(t, list, []*store.Conversation{c}, "queued conversations of the site")
		list, err = s.ListConversations(ctxT(t), store.ConversationFilter{VisitorID: "visitor-1"})
		ok(t, err, "ListConversations")
		same(t, list, []*store.Conversation{c}, "conversations of the visitor")
		msgs, err := s.ListMessages(ctxT(t), c.ID, 0, 0)
		ok(t, err, "ListMessages")
		same(t, msgs, []*store.Message{want}, "ListMessages")

		// Its client id is indexed: resends are duplicates.
		again, dup, err := s.AppendMessage(ctxT(t), &store.Message{ConversationID: c.ID, From: store.FromVisitor, Text: "resent", ClientID: "start-1"})
		ok(t, err, "AppendMessage resend")
		equal(t, dup, true, "AppendMessage resend: duplicate")
		same(t, again, want, "AppendMessage resend returns the first message")
		live, conv, dup, err := s.AppendLive(ctxT(t), &store.Message{ConversationID: c.ID, From: store.FromVisitor, Text: "resent", ClientID: "start-1"}, "visitor-1")
		ok(t, err, "AppendLive resend")
		equal(t, dup, true, "AppendLive resend: duplicate")
		same(t, live, want, "AppendLive resend returns the first message")
		same(t, conv, c, "conversation AppendLive resend returns")
		next := mustAppend(t, s, c.ID, "next", "next")
		equal(t, next.Seq, int64(2), "Seq of the message after the first")
	}},
	{"CreateWithTwoMessages", func(t *testing.T, s store.Store) {
		c := fullConversation("site-1", "visitor-1", store.StateOpen)
		m1 := &store.Message{From: store.FromVisitor, Text: "hello", At: at(10), ClientID: "start-1"}
		m2 := &store.Message{From: store.FromSystem, Text: "Ann joined"} // no client id, no time
		before := time.Now()
		ok(t, s.CreateConversation(ctxT(t), c, m1, m2), "CreateConversation with two messages")
		after := time.Now()
		if m2.At.IsZero() || m2.At.Before(before.Add(-time.Second)) || m2.At.After(after.Add(time.Second)) {
			t.Fatalf("At = %v, want the time of the creation (between %v and %v)", m2.At, before, after)
		}
		want := []*store.Message{
			{ConversationID: c.ID, Seq: 1, From: store.FromVisitor, Text: "hello", At: at(10), ClientID: "start-1"},
			{ConversationID: c.ID, Seq: 2, From: store.FromSystem, Text: "Ann joined", At: m2.At},
		}
		same(t, []*store.Message{m1, m2}, want, "messages after CreateConversation")
		equal(t, c.LastSeq, int64(2), "LastSeq written back to the conversation")
		got, err := s.GetConversation(ctxT(t), c.ID)
		ok(t, err, "GetConversation")
		equal(t, got.LastSeq, int64(2), "LastSeq")
		same(t, got, c, "GetConversation")
		msgs, err := s.ListMessages(ctxT(t), c.ID, 0, 0)
		ok(t, err, "ListMessages")
		same(t, msgs, want, "ListMessages")
		again, dup, err := s.AppendMessage(ctxT(t), &store.Message{ConversationID: c.ID, Text: "resent", ClientID: "start-1"})
		ok(t, err, "AppendMessage resend")
		equal(t, dup, true, "AppendMessage resend: duplicate")
		same(t, again, want[0], "AppendMessage resend returns the first message")
		next := mustAppend(t, s, c.ID, "", "third")
		equal(t, next.Seq, int64(3), "Seq of the message after the first two")
	}},
	{"CreateFirstMessagesOncePerClientID", func(t *testing.T, s store.Store) {
		// As AppendMessage would: the second with the same client id is a resend.
		c := fullConversation("site-1", "visitor-1", store.StateOpen)
		m1 := &store.Message{From: store.FromVisitor, Text: "hello", At: at(10), ClientID: "f"}
		m2 := &store.Message{From: store.FromVisitor, Text: "hello, resent", At: at(11), ClientID: "f"}
		m3 := &store.Message{From: store.FromVisitor, Text: "more", At: at(12), ClientID: "g"}
		ok(t, s.CreateConversation(ctxT(t), c, m1, m2, m3), "CreateConversation")
		want := []*store.Message{
			{ConversationID: c.ID, Seq: 1, From: store.FromVisitor, Text: "hello", At: at(10), ClientID: "f"},
			{ConversationID: c.ID, Seq: 2, From: store.FromVisitor, Text: "more", At: at(12), ClientID: "g"},
		}
		equal(t, m2.Seq, int64(1), "Seq of the repeated client id")
		equal(t, m3.Seq, int64(2), "Seq of the message after it")
		equal(t, c.LastSeq, int64(2), "LastSeq written back to the conversation")
		storedMessages(t, s, c.ID, want)
	}},
	{"CreateWithoutMessages", func(t *testing.T, s store.Store) {
		for _, first := range [][]*store.Message{nil, {}} {
			c := fullConversation("site-1", "visitor-1", store.StateQueued)
			ok(t, s.CreateConversation(ctxT(t), c, first...), "CreateConversation")
			equal(t, c.LastSeq, int64(0), "LastSeq written back to the conversation")
			got, err := s.GetConversation(ctxT(t), c.ID)
			ok(t, err, "GetConversation")
			same(t, got, c, "GetConversation")
			msgs, err := s.ListMessages(ctxT(t), c.ID, 0, 0)
			ok(t, err, "ListMessages")
			equal(t, len(msgs), 0, "messages")
			m := mustAppend(t, s, c.ID, "f", "first")
			equal(t, m.Seq, int64(1), "Seq of the first message")
		}
	}},
	{"CreateTakenIDWritesNoMessages", func(t *testing.T, s store.Store) {
		first := fullConversation("site-1", "visitor-1", store.StateOpen)
		kept := &store.Message{From: store.FromVisitor, Text: "kept", At: at(10), ClientID: "a"}
		ok(t, s.CreateConversation(ctxT(t), first, kept), "CreateConversation")
		second := fullConversation("site-2", "visitor-2", store.StateQueued)
		second.ID = first.ID
		err := s.CreateConversation(ctxT(t), second,
			&store.Message{From: store.FromVisitor, Text: "lost", At: at(11), ClientID: "b"},
			&store.Message{From: store.FromVisitor, Text: "lost too", At: at(12)})
		isErr(t, err, store.ErrConflict, "CreateConversation with a taken ID and messages")
		got, err := s.GetConversation(ctxT(t), first.ID)
		ok(t, err, "GetConversation")
		same(t, got, first, "conversation after the conflict")
		msgs, err := s.ListMessages(ctxT(t), first.ID, 0, 0)
		ok(t, err, "ListMessages")
		same(t, msgs, []*store.Message{kept}, "messages after the conflict")
		list, err := s.ListConversations(ctxT(t), store.ConversationFilter{VisitorID: "visitor-2"})
		ok(t, err, "ListConversations")
		equal(t, len(list), 0, "conversations of the refused one's visitor")
		// Neither client id of the refused call was recorded.
		m := mustAppend(t, s, first.ID, "b", "new")
		equal(t, m.Seq, int64(2), "Seq of the message after the conflict")
	}},
	{"CreateWithNilMessageWritesNothing", func(t *testing.T, s store.Store) {
		good := func() *store.Message {
			return &store.Message{From: store.FromVisitor, Text: "hello", At: at(10), ClientID: "start-1"}
		}
		for i, first := range [][]*store.Message{{nil}, {good(), nil}, {good(), nil, good()}} {
			c := fullConversation("site-1", "visitor-1", store.StateQueued)
			c.ID = fmt.Sprintf("conv-nil-%d", i)
			if err := s.CreateConversation(ctxT(t), c, first...); err == nil {
				t.Fatalf("CreateConversation with messages %s: no error", show(first))
			}
			_, err := s.GetConversation(ctxT(t), c.ID)
			isErr(t, err, store.ErrNotFound, "GetConversation after a refused create")
			_, err = s.ListMessages(ctxT(t), c.ID, 0, 0)
			isErr(t, err, store.ErrNotFound, "ListMessages after a refused create")
			list, err := s.ListConversations(ctxT(t), store.ConversationFilter{})
			ok(t, err, "ListConversations")
			equal(t, len(list), i, "conversations after a refused create (one per earlier round)")
			list, err = s.ListConversations(ctxT(t), store.ConversationFilter{State: store.StateQueued})
			ok(t, err, "ListConversations")
			equal(t, len(list), 0, "queued conversations after a refused create")

			// The id is free, and no message or client id was left behind under it.
			m := good()
			ok(t, s.CreateConversation(ctxT(t), c, m), "CreateConversation after a refused one")
			equal(t, m.Seq, int64(1), "Seq of the first message")
			equal(t, c.LastSeq, int64(1), "LastSeq")
			msgs, err := s.ListMessages(ctxT(t), c.ID, 0, 0)
			ok(t, err, "ListMessages")
			equal(t, len(msgs), 1, "messages")
			_, err = s.UpdateConversation(ctxT(t), c.ID, func(cur *store.Conversation) error {
				cur.State = store.StateEnded // out of the next round's queued count
				return nil
			})
			ok(t, err, "UpdateConversation")
		}
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
