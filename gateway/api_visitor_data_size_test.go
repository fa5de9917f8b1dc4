package gateway

import (
	"context"
	"fmt"
	"testing"

	"github.com/livedesk/gateway/store"
)

// The page sizes of gateway/api's export and erasure (100 conversations, 1000
// messages, 500 offline messages and outbox items a page): the test crosses each.
const exportConvPageT, exportMsgPageT, exportOfflinePageT = 100, 1000, 500

// An export and an erasure page through the store: more conversations, messages
// and offline messages than one page of each, all exported once, in order; an
// erasure cut short (here: part of it done by hand, as a crash would leave it)
// completes when it is sent again.
func TestVisitorExportAndErasurePageThroughTheStore(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const vid = "visitor-big"
	const convs, bigMsgs, offline = exportConvPageT + 2, exportMsgPageT + 3, exportOfflinePageT + 1
	var ids []string
	for i := range convs {
		c := &store.Conversation{SiteID: f.siteA.ID, VisitorID: vid, State: store.StateEnded, CreatedAt: f.clock.Now(), VisitorNumber: 5}
		first := []*store.Message{{From: store.FromVisitor, Text: fmt.Sprintf("conversation %d", i)}}
		if err := f.store.CreateConversation(ctx, c, first...); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	big := ids[0]
	for i := 2; i <= bigMsgs; i++ {
		if _, _, err := f.store.AppendMessage(ctx, &store.Message{ConversationID: big, From: store.FromAgent, Text: fmt.Sprintf("line %d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range offline {
		f.addOfflineWithNote(f.siteA, vid, fmt.Sprintf("offline %d", i))
		if i%100 == 0 {
			f.addOfflineWithNote(f.siteA, "someone-else", "kept")
		}
	}

	doc := f.export(f.siteA.ID, vid)
	if len(doc.Conversations) != convs || len(doc.OfflineMessages) != offline || doc.VisitorNumber == nil || *doc.VisitorNumber != 5 {
		t.Fatalf("export has %d conversations and %d offline messages (number %v), want %d and %d",
			len(doc.Conversations), len(doc.OfflineMessages), doc.VisitorNumber, convs, offline)
	}
	seen := map[string]bool{}
	for i, c := range doc.Conversations {
		if want := ids[len(ids)-1-i]; c.ID != want || seen[c.ID] {
			t.Fatalf("conversation %d of the export is %s, want %s (newest first, once each)", i, c.ID, want)
		}
		seen[c.ID] = true
	}
	msgs := doc.Conversations[len(doc.Conversations)-1].Messages
	if len(msgs) != bigMsgs {
		t.Fatalf("the big conversation exported %d messages, want %d", len(msgs), bigMsgs)
	}
	for i, m := range msgs {
		if m.Seq != int64(i+1) {
			t.Fatalf("message %d has seq %d", i, m.Seq)
		}
	}
	for i, m := range doc.OfflineMessages {
		if m.Message != fmt.Sprintf("offline %d", i) || m.VisitorID != vid {
			t.Fatalf("offline message %d of the export: %+v", i, m)
		}
	}

	// Cut short: the tombstone and two conversations are gone, the rest is not.
	if _, err := f.store.MarkVisitorErased(ctx, f.siteA.ID, vid); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids[1:3] {
		if _, err := f.store.EraseConversation(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	r := f.mustDo("DELETE", visitorPath(f.siteA.ID, vid, ""), f.tokens["owner"], nil, 200).json(t)
	counts := r["erased"].(map[string]any)
	want := map[string]any{"ended": 0.0, "conversations": float64(convs - 2), "messages": float64(convs - 3 + bigMsgs),
		"offline_messages": float64(offline), "notifications": float64(offline), "visitor_number": 0.0}
	for k, n := range want {
		if counts[k] != n {
			t.Fatalf("erased %s = %v, want %v (all: %v)", k, counts[k], n, counts)
		}
	}
	if doc := f.export(f.siteA.ID, vid); !doc.Erased || len(doc.Conversations)+len(doc.OfflineMessages) != 0 {
		t.Fatalf("export after the erasure: %+v", doc)
	}
	left, err := f.store.ListOfflineMessages(ctx, f.siteA.ID, "", 0)
	if err != nil || len(left) != 6 {
		t.Fatalf("offline messages left: %d (%v), want the 6 of someone else", len(left), err)
	}
	notes, err := f.store.ListNotifications(ctx, store.NotificationFilter{SiteID: f.siteA.ID})
	if err != nil || len(notes) != 6 {
		t.Fatalf("notifications left: %d (%v), want the 6 of someone else", len(notes), err)
	}
}
