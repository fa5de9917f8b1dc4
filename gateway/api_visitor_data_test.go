package gateway

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/coder/websocket"
	"github.com/livedesk/gateway/notify"
	"github.com/livedesk/gateway/store"
)

// visitorPath is the API path of a visitor of a site, with suffix.
func visitorPath(siteID, visitorID, suffix string) string {
	return "/api/v1/sites/" + siteID + "/visitors/" + visitorID + suffix
}

// visitorDataRoleCases are the rows of the visitor data requests in the
// authorization matrix (roles_test.go): owners and admins only; each erasure gets
// a fresh visitor id.
func visitorDataRoleCases() []roleCase {
	ok := 200
	return []roleCase{
		{"export visitor", "GET /api/v1/sites/{id}/visitors/{visitor}/export", func(f *fixture) string {
			return visitorPath(f.siteA.ID, "visitor-1", "/export")
		}, nil, codes(ok, ok, 403, 403)},
		{"erase visitor", "DELETE /api/v1/sites/{id}/visitors/{visitor}", func(f *fixture) string {
			return visitorPath(f.siteA.ID, f.uniq("visitor"), "")
		}, nil, codes(ok, ok, 403, 403)},
	}
}

// addOfflineWithNote stores an offline message of visitor on site with the
// webhook item that announces it, as offline.submit does, and returns both ids.
func (f *fixture) addOfflineWithNote(site *store.Site, visitor, text string) (msgID, noteID string) {
	f.t.Helper()
	hooked := *site
	hooked.Notify.WebhookURL = "https://hooks.example/offline"
	m := &store.OfflineMessage{SiteID: site.ID, VisitorID: visitor, Name: "Ann", Email: "ann@mail.example",
		Message: text, CreatedAt: f.clock.Now(), ClientID: f.uniq("c"), VisitorNumber: 7}
	notes, err := notify.Outbox{}.OfflineMessage(&hooked, nil, m)
	if err != nil {
		f.t.Fatal(err)
	}
	stored, _, err := f.store.AddOfflineMessage(context.Background(), m, notes...)
	if err != nil {
		f.t.Fatal(err)
	}
	return stored.ID, notes[0].ID
}

// exportDoc is an export as the tests read it.
type exportDoc struct {
	SiteID        string `json:"site_id"`
	VisitorID     string `json:"visitor_id"`
	Erased        bool   `json:"erased"`
	ExportedAt    string `json:"exported_at"`
	VisitorNumber *int64 `json:"visitor_number"`
	Conversations []struct {
		ID       string `json:"id"`
		State    string `json:"state"`
		Visitor  struct{ ID, Name string }
		Messages []struct {
			Seq  int64  `json:"seq"`
			From string `json:"from"`
			Text string `json:"text"`
		} `json:"messages"`
	} `json:"conversations"`
	OfflineMessages []struct {
		ID        string `json:"id"`
		VisitorID string `json:"visitor_id"`
		Message   string `json:"message"`
		State     string `json:"state"`
	} `json:"offline_messages"`
}

func (f *fixture) export(siteID, visitorID string) exportDoc {
	f.t.Helper()
	r := f.mustDo("GET", visitorPath(siteID, visitorID, "/export"), f.tokens["admin"], nil, 200)
	var doc exportDoc
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		f.t.Fatalf("export is not JSON: %v\n%s", err, r.Body)
	}
	return doc
}

// A visitor's erasure: the export has everything of the visitor and nothing of
// anyone else; the erasure ends the open chat through the desk (both sides hear
// chat.ended), erases it all with the outbox items that carry it, refuses the
// token from then on (a new identity, as for a forged one) and refuses the still
// open socket's next chat; a second erasure erases nothing.
func TestVisitorExportAndErasure(t *testing.T) {
	f := newFixture(t)
	agent := f.deskSetup()
	v, w := f.visitor(f.siteA.ID, nil)
	vid, tok := w["visitor_id"].(string), w["visitor_token"].(string)
	v.send(map[string]any{"type": "chat.start", "id": "s1", "text": "my first question"})
	first := v.expect("chat.assigned")["conversation"].(map[string]any)["id"].(string)
	agent.waitFor("chat.assigned")
	v.send(map[string]any{"type": "chat.end", "id": "e1"})
	v.waitFor("chat.ended")
	agent.waitFor("chat.ended")
	v.send(map[string]any{"type": "chat.start", "id": "s2", "text": "my second question"})
	m, _ := v.waitFor("chat.assigned")
	open := m["conversation"].(map[string]any)["id"].(string)
	agent.waitFor("chat.assigned")
	v.send(map[string]any{"type": "message", "id": "m1", "text": "my address is 1 Secret Lane"})
	v.waitFor("message.ack")
	agent.waitFor("message")
	offlineID, offlineNote := f.addOfflineWithNote(f.siteA, vid, "call me")
	ctx := context.Background()
	c1, err := f.store.GetConversation(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	ended, err := notify.Outbox{}.ConversationEnded(&store.Site{ID: f.siteA.ID, Notify: store.Notify{WebhookURL: "https://hooks.example/end"}}, c1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.AddNotifications(ctx, ended...); err != nil {
		t.Fatal(err)
	}
	// Someone else's, on the same site and on another: kept.
	otherOffline, otherNote := f.addOfflineWithNote(f.siteA, "visitor-other", "not me")
	other, _ := f.visitor(f.siteA.ID, nil)
	other.send(map[string]any{"type": "chat.start", "id": "o1", "text": "another visitor"})
	otherConv := other.expect("chat.assigned")["conversation"].(map[string]any)["id"].(string)
	agent.waitFor("chat.assigned")

	doc := f.export(f.siteA.ID, vid)
	if doc.SiteID != f.siteA.ID || doc.VisitorID != vid || doc.Erased || doc.ExportedAt == "" || doc.VisitorNumber == nil || *doc.VisitorNumber != 1 {
		t.Fatalf("export head: %+v", doc)
	}
	if len(doc.Conversations) != 2 || doc.Conversations[0].ID != open || doc.Conversations[1].ID != first {
		t.Fatalf("exported conversations %+v, want %s then %s", doc.Conversations, open, first)
	}
	if msgs := doc.Conversations[0].Messages; len(msgs) != 2 || msgs[0].Text != "my second question" || msgs[1].Text != "my address is 1 Secret Lane" || msgs[1].Seq != 2 {
		t.Fatalf("messages of the open chat: %+v", msgs)
	}
	if len(doc.OfflineMessages) != 1 || doc.OfflineMessages[0].ID != offlineID || doc.OfflineMessages[0].State != "new" {
		t.Fatalf("exported offline messages %+v", doc.OfflineMessages)
	}

	r := f.mustDo("DELETE", visitorPath(f.siteA.ID, vid, ""), f.tokens["owner"], nil, 200).json(t)
	counts := r["erased"].(map[string]any)
	want := map[string]any{"ended": 1.0, "conversations": 2.0, "messages": 3.0, "offline_messages": 1.0, "notifications": 2.0, "visitor_number": 1.0}
	for k, n := range want {
		if counts[k] != n {
			t.Fatalf("erased %s = %v, want %v (all: %v)", k, counts[k], n, counts)
		}
	}
	if m, _ := v.waitFor("chat.ended"); m["conversation_id"] != open || m["by"] != "system" {
		t.Fatalf("visitor's chat.ended %v", m)
	}
	if m, _ := agent.waitFor("chat.ended"); m["conversation_id"] != open || m["by"] != "system" {
		t.Fatalf("agent's chat.ended %v", m)
	}
	// The still open socket cannot start again under the erased identity.
	v.send(map[string]any{"type": "chat.start", "id": "s3", "text": "back again"})
	if m, _ := v.waitFor("error"); m["code"] != "unauthorized" || m["re"] != "s3" {
		t.Fatalf("chat.start after the erasure: %v", m)
	}
	v.closedWith(websocket.StatusCode(4001))
	// The token gets a new identity.
	again, _, err := f.dial("/ws/visitor?site="+f.siteA.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	again.send(map[string]any{"type": "hello", "visitor_token": tok})
	if w := again.expect("welcome"); w["visitor_id"] == vid || w["visitor_token"] == tok || w["conversation"] != nil {
		t.Fatalf("welcome for the erased visitor's token: %v", w)
	}

	for _, id := range []string{first, open} {
		if _, err := f.store.GetConversation(ctx, id); err == nil {
			t.Fatalf("conversation %s is still stored", id)
		}
		f.mustDo("GET", "/api/v1/conversations/"+id, f.tokens["admin"], nil, 404)
	}
	for _, id := range append(noteIDs(ended), offlineNote) {
		if _, err := f.store.GetNotification(ctx, id); err == nil {
			t.Fatalf("notification %s is still stored", id)
		}
	}
	if _, err := f.store.GetNotification(ctx, otherNote); err != nil {
		t.Fatalf("another visitor's notification: %v", err)
	}
	inbox := f.mustDo("GET", "/api/v1/sites/"+f.siteA.ID+"/offline-messages", f.tokens["admin"], nil, 200)
	if ids, _ := inboxIDs(t, inbox); len(ids) != 1 || ids[0] != otherOffline {
		t.Fatalf("offline inbox after the erasure: %v, want only %s", ids, otherOffline)
	}
	if c, err := f.store.GetConversation(ctx, otherConv); err != nil || c.State != store.StateOpen {
		t.Fatalf("another visitor's chat: %+v, %v", c, err)
	}
	doc = f.export(f.siteA.ID, vid)
	if !doc.Erased || len(doc.Conversations) != 0 || len(doc.OfflineMessages) != 0 || doc.VisitorNumber != nil {
		t.Fatalf("export after the erasure: %+v", doc)
	}
	// Again: nothing left to erase.
	r = f.mustDo("DELETE", visitorPath(f.siteA.ID, vid, ""), f.tokens["admin"], nil, 200).json(t)
	for k, n := range r["erased"].(map[string]any) {
		if n != 0.0 {
			t.Fatalf("second erasure erased %s: %v", k, n)
		}
	}
}

func noteIDs(ns []*store.Notification) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.ID
	}
	return out
}

// A refused visitor data request changes nothing: agents get 403 (of their own
// site too), an unknown site 404, a malformed visitor id 400 naming visitor_id.
func TestVisitorDataRequestsRefused(t *testing.T) {
	f := newFixture(t)
	agent := f.deskSetup()
	v, w := f.visitor(f.siteA.ID, nil)
	vid, tok := w["visitor_id"].(string), w["visitor_token"].(string)
	v.send(map[string]any{"type": "chat.start", "id": "s1", "text": "hello"})
	conv := v.expect("chat.assigned")["conversation"].(map[string]any)["id"].(string)
	agent.waitFor("chat.assigned")

	for _, tc := range []struct {
		name, method, path, actor string
		status                    int
		field                     string
	}{
		{"agent of the site erases", "DELETE", visitorPath(f.siteA.ID, vid, ""), "agentA", 403, ""},
		{"agent of the site exports", "GET", visitorPath(f.siteA.ID, vid, "/export"), "agentA", 403, ""},
		{"agent of another site erases", "DELETE", visitorPath(f.siteA.ID, vid, ""), "agentB", 403, ""},
		{"unknown site", "DELETE", visitorPath("no-such-site", vid, ""), "owner", 404, ""},
		{"unknown site export", "GET", visitorPath("no-such-site", vid, "/export"), "admin", 404, ""},
		{"visitor id with a dot", "DELETE", visitorPath(f.siteA.ID, "v1.x", ""), "owner", 400, "visitor_id"},
		{"visitor id too long", "DELETE", visitorPath(f.siteA.ID, strings.Repeat("a", 65), ""), "owner", 400, "visitor_id"},
		{"visitor id with a space", "GET", visitorPath(f.siteA.ID, "a%20b", "/export"), "admin", 400, "visitor_id"},
		{"no token", "DELETE", visitorPath(f.siteA.ID, vid, ""), "", 401, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.mustDo(tc.method, tc.path, f.tokens[tc.actor], nil, tc.status)
			if tc.field != "" {
				if code, field := r.errField(t); code != "bad_request" || field != tc.field {
					t.Fatalf("error %s on %q, want bad_request on %q", code, field, tc.field)
				}
			}
		})
	}
	if c, err := f.store.GetConversation(context.Background(), conv); err != nil || c.State != store.StateOpen {
		t.Fatalf("the chat after refused requests: %+v, %v", c, err)
	}
	if erased, err := f.store.VisitorErased(context.Background(), f.siteA.ID, vid); err != nil || erased {
		t.Fatalf("tombstone after refused requests: %v, %v", erased, err)
	}
	v.quiet()
	again, _, err := f.dial("/ws/visitor?site="+f.siteA.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	again.send(map[string]any{"type": "hello", "visitor_token": tok})
	if w := again.expect("welcome"); w["visitor_id"] != vid {
		t.Fatalf("the token after refused requests: %v", w)
	}
}
