package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/livedesk/gateway/store"
)

var messageTests = []test{
	{"AppendRoundTrip", func(t *testing.T, s store.Store) {
		c := mustCreateConversation(t, s, fullConversation("site-1", "visitor-1", store.StateOpen))
		in := []*store.Message{
			{ConversationID: c.ID, From: store.FromVisitor, Text: "hello", At: at(10), ClientID: "c-1"},
			{ConversationID: c.ID, From: store.FromAgent, AgentID: "agent-1", AgentName: "Ann", Text: "hi there", At: at(11), ClientID: "c-2"},
			{ConversationID: c.ID, From: store.FromSystem, Text: "Ann joined", At: at(12)},
		}
		var want []*store.Message
		for i, m := range in {
			got, dup, err := s.AppendMessage(ctxT(t), m)
			ok(t, err, "AppendMessage")
			equal(t, dup, false, "duplicate")
			w := *m
			w.Seq = int64(i + 1)
			same(t, got, &w, "AppendMessage result")
			want = append(want, &w)
		}
		storedMessages(t, s, c.ID, want)
	}},
	{"AppendSetsZeroAt", func(t *testing.T, s store.Store) {
		c := mustCreateConversation(t, s, fullConversation("site-1", "visitor-1", store.StateOpen))
		before := time.Now()
		got := mustAppend(t, s, c.ID, "", "no time given")
		after := time.Now()
		if got.At.IsZero() || got.At.Before(before.Add(-time.Second)) || got.At.After(after.Add(time.Second)) {
			t.Fatalf("At = %v, want the time of the append (between %v and %v)", got.At, before, after)
		}
		list, err := s.ListMessages(ctxT(t), c.ID, 0, 0)
		ok(t, err, "ListMessages")
		equal(t, len(list), 1, "messages")
		if !list[0].At.Equal(got.At) {
			t.Fatalf("stored At %v, returned At %v", list[0].At, got.At)
		}
	}},
	{"AppendUnknownConversation", func(t *testing.T, s store.Store) {
		for _, id := range []string{"no-such-conversation", ""} {
			_, _, err := s.AppendMessage(ctxT(t), &store.Message{ConversationID: id, From: store.FromVisitor, Text: "x"})
			isErr(t, err, store.ErrNotFound, fmt.Sprintf("AppendMessage to %q", id))
		}
	}},
	{"ListUnknownConversation", func(t *testing.T, s store.Store) {
		_, err := s.ListMessages(ctxT(t), "no-such-conversation", 0, 10)
		isErr(t, err, store.ErrNotFound, "ListMessages")
	}},
	{"ListEmptyConversation", func(t *testing.T, s store.Store) {
		c := mustCreateConversation(t, s, fullConversation("site-1", "visitor-1", store.StateQueued))
		list, err := s.ListMessages(ctxT(t), c.ID, 0, 0)
		ok(t, err, "ListMessages")
		equal(t, len(list), 0, "messages of a new conversation")
	}},
	{"AppendIdempotentByClientID", func(t *testing.T, s store.Store) {
		c := mustCreateConversation(t, s, fullConversation("site-1", "visitor-1", store.StateOpen))
		other := mustCreateConversation(t, s, fullConversation("site-1", "visitor-2", store.StateOpen))
		first := mustAppend(t, s, c.ID, "frame-1", "first")
		mustAppend(t, s, c.ID, "frame-2", "second")
		got, dup, err := s.AppendMessage(ctxT(t), &store.Message{
			ConversationID: c.ID, From: store.FromVisitor, Text: "first, resent", ClientID: "frame-1",
		})
		ok(t, err, "AppendMessage resend")
		equal(t, dup, true, "duplicate")
		same(t, got, first, "resend returns the stored message")
		conv, err := s.GetConversation(ctxT(t), c.ID)
		ok(t, err, "GetConversation")
		equal(t, conv.LastSeq, int64(2), "LastSeq after the resend")
		list, err := s.ListMessages(ctxT(t), c.ID, 0, 0)
		ok(t, err, "ListMessages")
		equal(t, len(list), 2, "messages after the resend")

		// The same client id elsewhere is a new message; an empty one never dedupes.
		o := mustAppend(t, s, other.ID, "frame-1", "other conversation")
		equal(t, o.Seq, int64(1), "Seq in the other conversation")
		mustAppend(t, s, c.ID, "", "no id")
		third := mustAppend(t, s, c.ID, "", "no id")
		equal(t, third.Seq, int64(4), "Seq of the second message without client id")
	}},
	{"AppendConcurrentNoGaps", func(t *testing.T, s store.Store) {
		const workers, each = 8, 50
		c := mustCreateConversation(t, s, fullConversation("site-1", "visitor-1", store.StateOpen))
		ctx := ctxT(t)
		seqs := make([][]int64, workers)
		errs := make(chan error, workers*each)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for i := range each {
					m, dup, err := s.AppendMessage(ctx, &store.Message{
						ConversationID: c.ID, From: store.FromVisitor,
						Text: fmt.Sprintf("w%d-%d", w, i), ClientID: fmt.Sprintf("w%d-%d", w, i),
					})
					if err != nil || dup {
						errs <- fmt.Errorf("append w%d-%d: dup=%v err=%v", w, i, dup, err)
						return
					}
					seqs[w] = append(seqs[w], m.Seq)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		seen := make(map[int64]bool)
		for w := range workers {
			for i := 1; i < len(seqs[w]); i++ {
				if seqs[w][i] <= seqs[w][i-1] {
					t.Fatalf("worker %d got seq %d after %d", w, seqs[w][i], seqs[w][i-1])
				}
			}
			for _, seq := range seqs[w] {
				if seen[seq] {
					t.Fatalf("seq %d handed out twice", seq)
				}
				seen[seq] = true
			}
		}
		for seq := int64(1); seq <= workers*each; seq++ {
			if !seen[seq] {
				t.Fatalf("seq %d never handed out", seq)
			}
		}
		conv, err := s.GetConversation(ctxT(t), c.ID)
		ok(t, err, "GetConversation")
		equal(t, conv.LastSeq, int64(workers*each), "LastSeq")
		list, err := s.ListMessages(ctxT(t), c.ID, 0, 1000)
		ok(t, err, "ListMessages")
		equal(t, len(list), workers*each, "messages stored")
		for i, m := range list {
			equal(t, m.Seq, int64(i+1), "Seq in list order")
			equal(t, m.Text, m.ClientID, "text stored with its client id")
		}
	}},
	{"AppendConcurrentSameClientID", func(t *testing.T, s store.Store) {
		const senders = 16
		c := mustCreateConversation(t, s, fullConversation("site-1", "visitor-1", store.StateOpen))
		ctx := ctxT(t)
		type result struct {
			m   *store.Message
			dup bool
			err error
		}
		results := make([]result, senders)
		var wg sync.WaitGroup
		for i := range senders {
			wg.Go(func() {
				m, dup, err := s.AppendMessage(ctx, &store.Message{
					ConversationID: c.ID, From: store.FromVisitor, Text: fmt.Sprint(i), ClientID: "same-frame",
				})
				results[i] = result{m, dup, err}
			})
		}
		wg.Wait()
		fresh := 0
		for _, r := range results {
			ok(t, r.err, "AppendMessage")
			if !r.dup {
				fresh++
			}
			equal(t, r.m.Seq, int64(1), "Seq of every answer")
			equal(t, r.m.Text, results[0].m.Text, "text of every answer")
		}
		equal(t, fresh, 1, "answers that stored the message")
		list, err := s.ListMessages(ctxT(t), c.ID, 0, 0)
		ok(t, err, "ListMessages")
		equal(t, len(list), 1, "messages stored")
	}},
	{"ListPaging", func(t *testing.T, s store.Store) {
		c := mustCreateConversation(t, s, fullConversation("site-1", "visitor-1", store.StateOpen))
		for i := 1; i <= 10; i++ {
			mustAppend(t, s, c.ID, fmt.Sprint("f", i), fmt.Sprint("m", i))
		}
		check := func(after int64, limit int, want ...int64) {
			t.Helper()
			list, err := s.ListMessages(ctxT(t), c.ID, after, limit)
			ok(t, err, "ListMessages")
			got := []int64{}
			for _, m := range list {
				got = append(got, m.Seq)
				equal(t, m.Text, fmt.Sprint("m", m.Seq), "text")
				equal(t, m.ConversationID, c.ID, "ConversationID")
			}
			same(t, got, append([]int64{}, want...), fmt.Sprintf("seqs after %d limit %d", after, limit))
		}
		check(0, 4, 1, 2, 3, 4)
		check(4, 4, 5, 6, 7, 8)
		check(8, 4, 9, 10)
		check(10, 4)
		check(99, 4)
		check(0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
		check(7, -5, 8, 9, 10)
		check(3, 1, 4)
	}},
	{"UpdateConversationKeepsLastSeq", func(t *testing.T, s store.Store) {
		c := mustCreateConversation(t, s, fullConversation("site-1", "visitor-1", store.StateOpen))
		mustAppend(t, s, c.ID, "", "one")
		mustAppend(t, s, c.ID, "", "two")
		var handed int64
		got, err := s.UpdateConversation(ctxT(t), c.ID, func(cur *store.Conversation) error {
			handed = cur.LastSeq
			cur.LastSeq = 0
			return nil
		})
		equal(t, handed, int64(2), "LastSeq handed to fn")
		if err == nil {
			equal(t, got.LastSeq, int64(2), "LastSeq after fn set it to 0")
		}
		m := mustAppend(t, s, c.ID, "", "three")
		equal(t, m.Seq, int64(3), "Seq after an update that tried to reset LastSeq")
		list, err := s.ListMessages(ctxT(t), c.ID, 0, 0)
		ok(t, err, "ListMessages")
		equal(t, len(list), 3, "messages")
	}},
	{"CreateConversationStartsAtSeqOne", func(t *testing.T, s store.Store) {
		in := fullConversation("site-1", "visitor-1", store.StateOpen)
		in.LastSeq = 41
		err := s.CreateConversation(ctxT(t), in)
		if err != nil {
			return // refusing a preset LastSeq is fine too
		}
		m := mustAppend(t, s, in.ID, "", "first")
		equal(t, m.Seq, int64(1), "Seq of the first message")
	}},
	{"AppendLive", func(t *testing.T, s store.Store) {
		// fullConversation gives every conversation VisitorID visitor-1 (here) and
		// AgentID agent-1, whatever its state.
		rules := []struct {
			name, state, from, party string
			allowed                  bool
		}{
			{"visitor to queued", store.StateQueued, store.FromVisitor, "visitor-1", true},
			{"visitor to open", store.StateOpen, store.FromVisitor, "visitor-1", true},
			{"visitor to ended", store.StateEnded, store.FromVisitor, "visitor-1", false},
			{"visitor to missed", store.StateMissed, store.FromVisitor, "visitor-1", false},
			{"another visitor", store.StateOpen, store.FromVisitor, "visitor-2", false},
			{"visitor as the agent", store.StateOpen, store.FromVisitor, "agent-1", false},
			{"agent to open", store.StateOpen, store.FromAgent, "agent-1", true},
			{"agent to queued", store.StateQueued, store.FromAgent, "agent-1", false},
			{"agent to ended", store.StateEnded, store.FromAgent, "agent-1", false},
			{"another agent", store.StateOpen, store.FromAgent, "agent-2", false},
			{"agent as the visitor", store.StateOpen, store.FromAgent, "visitor-1", false},
			{"system", store.StateOpen, store.FromSystem, "agent-1", false},
			{"no author", store.StateOpen, "", "visitor-1", false},
		}
		for _, tc := range rules {
			t.Run(tc.name, func(t *testing.T) {
				c := mustCreateConversation(t, s, fullConversation("site-1", "visitor-1", tc.state))
				before := mustAppend(t, s, c.ID, "before", "already there")
				m := &store.Message{ConversationID: c.ID, From: tc.from, Text: "live", At: at(20), ClientID: "live-1"}
				if tc.from == store.FromAgent {
					m.AgentID, m.AgentName = tc.party, "Ann"
				}
				got, conv, dup, err := s.AppendLive(ctxT(t), m, tc.party)
				if !tc.allowed {
					isErr(t, err, store.ErrConflict, "AppendLive")
					list, err := s.ListMessages(ctxT(t), c.ID, 0, 0)
					ok(t, err, "ListMessages")
					same(t, list, []*store.Message{before}, "messages after a refused AppendLive")
					cur, err := s.GetConversation(ctxT(t), c.ID)
					ok(t, err, "GetConversation")
					equal(t, cur.LastSeq, int64(1), "LastSeq after a refused AppendLive")
					// Its client id was not recorded either.
					again, dup, err := s.AppendMessage(ctxT(t), m)
					ok(t, err, "AppendMessage with the refused client id")
					equal(t, dup, false, "AppendMessage with the refused client id: duplicate")
					equal(t, again.Seq, int64(2), "Seq of the message the refused one did not take")
					return
				}
				ok(t, err, "AppendLive")
				equal(t, dup, false, "duplicate")
				want := *m
				want.Seq = 2
				same(t, got, &want, "AppendLive result")
				wantConv := *c
				wantConv.LastSeq = 2
				same(t, conv, &wantConv, "conversation AppendLive returned")
				list, err := s.ListMessages(ctxT(t), c.ID, 1, 0)
				ok(t, err, "ListMessages")
				same(t, list, []*store.Message{&want}, "messages after AppendLive")
				cur, err := s.GetConversation(ctxT(t), c.ID)
				ok(t, err, "GetConversation")
				same(t, cur, &wantConv, "conversation after AppendLive")
			})
		}

		t.Run("unknown conversation", func(t *testing.T) {
			for _, id := range []string{"no-such-conversation", ""} {
				_, conv, _, err := s.AppendLive(ctxT(t), &store.Message{ConversationID: id, From: store.FromVisitor, Text: "x"}, "visitor-1")
				isErr(t, err, store.ErrNotFound, fmt.Sprintf("AppendLive to %q", id))
				if conv != nil {
					t.Fatalf("AppendLive to %q: conversation %s with the error", id, show(conv))
				}
			}
		})

		// A resend is answered with the stored message whatever the conversation's
		// state is now, and whoever wrote it first.
		t.Run("duplicate after the end", func(t *testing.T) {
			c := mustCreateConversation(t, s, fullConversation("site-1", "visitor-1", store.StateOpen))
			fromVisitor, _, _, err := s.AppendLive(ctxT(t), &store.Message{
				ConversationID: c.ID, From: store.FromVisitor, Text: "bye", At: at(20), ClientID: "v-1",
			}, "visitor-1")
			ok(t, err, "AppendLive from the visitor")
			fromAgent, _, _, err := s.AppendLive(ctxT(t), &store.Message{
				ConversationID: c.ID, From: store.FromAgent, AgentID: "agent-1", Text: "bye too", At: at(21), ClientID: "a-1",
			}, "agent-1")
			ok(t, err, "AppendLive from the agent")
			ended, err := s.UpdateConversation(ctxT(t), c.ID, func(cur *store.Conversation) error {
				cur.State = store.StateEnded
				return nil
			})
			ok(t, err, "UpdateConversation")
			for _, r := range []struct {
				stored *store.Message
				party  string
			}{{fromVisitor, "visitor-1"}, {fromAgent, "agent-1"}} {
				resend := *r.stored
				resend.Seq, resend.Text, resend.At = 0, "resent", at(30)
				got, conv, dup, err := s.AppendLive(ctxT(t), &resend, r.party)
				ok(t, err, "AppendLive resend after the end")
				equal(t, dup, true, "duplicate")
				same(t, got, r.stored, "resend returns the stored message")
				same(t, conv, ended, "conversation a resend after the end returns")
			}
			_, _, _, err = s.AppendLive(ctxT(t), &store.Message{
				ConversationID: c.ID, From: store.FromVisitor, Text: "new", ClientID: "v-2",
			}, "visitor-1")
			isErr(t, err, store.ErrConflict, "AppendLive of a new message after the end")
			list, err := s.ListMessages(ctxT(t), c.ID, 0, 0)
			ok(t, err, "ListMessages")
			same(t, list, []*store.Message{fromVisitor, fromAgent}, "messages after the resends")
			cur, err := s.GetConversation(ctxT(t), c.ID)
			ok(t, err, "GetConversation")
			equal(t, cur.LastSeq, int64(2), "LastSeq after the resends")
		})

		t.Run("nobody writes without an id", func(t *testing.T) {
			c := fullConversation("site-1", "visitor-1", store.StateOpen)
			c.AgentID = ""
			c = mustCreateConversation(t, s, c)
			_, _, _, err := s.AppendLive(ctxT(t), &store.Message{ConversationID: c.ID, From: store.FromAgent, Text: "x"}, "")
			isErr(t, err, store.ErrConflict, "AppendLive by an agent without an id")
			list, err := s.ListMessages(ctxT(t), c.ID, 0, 0)
			ok(t, err, "ListMessages")
			equal(t, len(list), 0, "messages written")
		})
		t.Run("duplicate while live", func(t *testing.T) {
			c := mustCreateConversation(t, s, fullConversation("site-1", "visitor-1", store.StateQueued))
			m := &store.Message{ConversationID: c.ID, From: store.FromVisitor, Text: "hello", At: at(20), ClientID: "v-1"}
			first, conv, dup, err := s.AppendLive(ctxT(t), m, "visitor-1")
			ok(t, err, "AppendLive")
			equal(t, dup, false, "duplicate of the first send")
			equal(t, conv.LastSeq, int64(1), "LastSeq after the first send")
			mustAppend(t, s, c.ID, "other", "in between")
			resend := *m
			resend.Text = "hello, resent"
			got, conv, dup, err := s.AppendLive(ctxT(t), &resend, "visitor-1")
			ok(t, err, "AppendLive resend")
			equal(t, dup, true, "duplicate of the resend")
			same(t, got, first, "resend returns the stored message")
			wantConv := *c
			wantConv.LastSeq = 2
			same(t, conv, &wantConv, "conversation a resend returns")
			// A message AppendMessage stored is found by its client id too.
			got, _, dup, err = s.AppendLive(ctxT(t), &store.Message{
				ConversationID: c.ID, From: store.FromVisitor, Text: "x", ClientID: "other",
			}, "visitor-1")
			ok(t, err, "AppendLive resend of an AppendMessage")
			equal(t, dup, true, "duplicate of an AppendMessage")
			equal(t, got.Text, "in between", "text of the message AppendMessage stored")
			list, err := s.ListMessages(ctxT(t), c.ID, 0, 0)
			ok(t, err, "ListMessages")
			equal(t, len(list), 2, "messages after the resends")
		})
	}},
	{"Copies", func(t *testing.T, s store.Store) {
		c := mustCreateConversation(t, s, fullConversation("site-1", "visitor-1", store.StateOpen))
		in := &store.Message{ConversationID: c.ID, From: store.FromVisitor, Text: "original", At: at(1), ClientID: "f"}
		got, _, err := s.AppendMessage(ctxT(t), in)
		ok(t, err, "AppendMessage")
		in.Text = "mutated input"
		got.Text = "mutated result"
		list, err := s.ListMessages(ctxT(t), c.ID, 0, 0)
		ok(t, err, "ListMessages")
		equal(t, list[0].Text, "original", "stored text")
		list[0].Text = "mutated list"
		dup, _, err := s.AppendMessage(ctxT(t), &store.Message{ConversationID: c.ID, ClientID: "f"})
		ok(t, err, "AppendMessage resend")
		equal(t, dup.Text, "original", "stored text seen by a resend")
	}},
}
