package copiertest

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/livedesk/gateway/store"
)

// Equal fails t unless dst holds what src holds, field for field, as the Store
// interface hands it out: sites, departments, agents, settings, conversations
// (with LastSeq), messages (with Seq), offline messages (with state), offline
// counts and notifications. It then writes to dst (only): a resend of every
// seeded client id is caught as a duplicate, a new message takes the next seq,
// the seeded visitors keep their numbers, the erased ones stay erased (and no
// other is), and a new visitor gets the next number, never one given (an erased
// visitor's included).
func Equal(t testing.TB, ctx context.Context, src, dst store.Store, seeded Seeded) {
	t.Helper()
	same := func(what string, get func(store.Store) (any, error)) {
		t.Helper()
		a, err := get(src)
		if err != nil {
			t.Fatalf("%s of the source: %v", what, err)
		}
		b, err := get(dst)
		if err != nil {
			t.Fatalf("%s of the copy: %v", what, err)
		}
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if !bytes.Equal(ja, jb) {
			t.Fatalf("%s differ:\nsource %s\ncopy   %s", what, ja, jb)
		}
	}
	same("sites", func(s store.Store) (any, error) { return s.ListSites(ctx) })
	same("agents", func(s store.Store) (any, error) { return s.ListAgents(ctx) })
	same("notifications", func(s store.Store) (any, error) {
		return s.ListNotifications(ctx, store.NotificationFilter{Limit: 500})
	})
	same("outbox stats", func(s store.Store) (any, error) { return s.OutboxStats(ctx) })
	for _, key := range []string{Secret, "empty", "json"} {
		same("setting "+key, func(s store.Store) (any, error) { return s.GetSetting(ctx, key) })
	}
	var convs []*store.Conversation
	for _, site := range append(append([]string{}, seeded.Sites...), "no-such-site") {
		same("departments of "+site, func(s store.Store) (any, error) { return s.ListDepartments(ctx, site) })
		same("offline messages of "+site, func(s store.Store) (any, error) { return s.ListOfflineMessages(ctx, site, "", 500) })
		same("offline counts of "+site, func(s store.Store) (any, error) { return s.CountOffline(ctx, site) })
		same("conversations of "+site, func(s store.Store) (any, error) {
			out, err := s.ListConversations(ctx, store.ConversationFilter{SiteID: site, Limit: 500})
			if s == src {
				convs = append(convs, out...)
			}
			return out, err
		})
	}
	for _, c := range convs {
		same("messages of "+c.ID, func(s store.Store) (any, error) { return s.ListMessages(ctx, c.ID, 0, 1000) })
	}
	for _, cid := range seeded.ClientIDs {
		m, dup, err := dst.AppendMessage(ctx, &store.Message{ConversationID: cid[0], From: store.FromVisitor, Text: "again", ClientID: cid[1]})
		if err != nil || !dup || m.Text == "again" {
			t.Fatalf("resend of %s in %s to the copy: %+v, duplicate %v, %v", cid[1], cid[0], m, dup, err)
		}
	}
	for _, c := range convs {
		m, _, err := dst.AppendMessage(ctx, &store.Message{ConversationID: c.ID, From: store.FromSystem, Text: "after the copy"})
		if err != nil || m.Seq != c.LastSeq+1 {
			t.Fatalf("append to %s in the copy: %+v, %v; want seq %d", c.ID, m, err, c.LastSeq+1)
		}
	}
	last := map[string]int64{}
	for _, v := range seeded.Visitors {
		a, err := src.VisitorNumber(ctx, v[0], v[1])
		if err != nil {
			t.Fatal(err)
		}
		b, err := dst.VisitorNumber(ctx, v[0], v[1])
		if err != nil || a != b {
			t.Fatalf("visitor %s of %s: number %d in the source, %d (%v) in the copy", v[1], v[0], a, b, err)
		}
		last[v[0]] = max(last[v[0]], a)
	}
	for _, v := range seeded.Visitors {
		if erased, err := dst.VisitorErased(ctx, v[0], v[1]); err != nil || erased {
			t.Fatalf("visitor %s of %s: erased in the copy %v (%v), not in the source", v[1], v[0], erased, err)
		}
	}
	for _, e := range seeded.Erased {
		for name, s := range map[string]store.Store{"source": src, "copy": dst} {
			if erased, err := s.VisitorErased(ctx, e.Site, e.Visitor); err != nil || !erased {
				t.Fatalf("erased visitor %s of %s: erased in the %s %v (%v)", e.Visitor, e.Site, name, erased, err)
			}
		}
		last[e.Site] = max(last[e.Site], e.Number)
	}
	for site, n := range last {
		got, err := dst.VisitorNumber(ctx, site, "a visitor after the copy")
		if err != nil || got != n+1 {
			t.Fatalf("new visitor of %s in the copy: %d (%v), want %d", site, got, err, n+1)
		}
	}
}
