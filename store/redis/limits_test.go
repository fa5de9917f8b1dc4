package redisstore_test

import (
	"testing"

	"github.com/livedesk/gateway/internal/redistest"
	"github.com/livedesk/gateway/store"
	"github.com/livedesk/gateway/store/storetest"
)

// The list limits are the embedded store's: a default for limit <= 0 and a cap.
func TestListLimits(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	ctx := t.Context()
	s := newStore(t, srv)
	storetest.ListLimits(t, s)
	// A filter the index does not answer alone (site and visitor) pages through it.
	for range 3 {
		must(t, s.CreateConversation(ctx, &store.Conversation{SiteID: "s", VisitorID: "rare", State: store.StateOpen}))
		must(t, s.CreateConversation(ctx, &store.Conversation{SiteID: "other", VisitorID: "rare", State: store.StateOpen}))
	}
	for range 200 {
		must(t, s.CreateConversation(ctx, &store.Conversation{SiteID: "other", VisitorID: "rare", State: store.StateEnded}))
	}
	convs, err := s.ListConversations(ctx, store.ConversationFilter{SiteID: "s", VisitorID: "rare", Limit: 2})
	must(t, err)
	if len(convs) != 2 || convs[0].SiteID != "s" || convs[1].SiteID != "s" || convs[0].ID <= convs[1].ID {
		t.Fatalf("site and visitor filter: %+v", convs)
	}
}

// Agents without an e-mail are not indexed: several may exist, and none is found
// by the empty e-mail.
func TestAgentsWithoutEmail(t *testing.T) {
	t.Parallel()
	storetest.AgentsWithoutEmail(t, newStore(t, redistest.Start(t)))
}
