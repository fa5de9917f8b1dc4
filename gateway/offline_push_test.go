package gateway

import (
	"strings"
	"testing"
)

// noOfflineFrame asserts that c got no offline.* frame before the pong to a ping
// sent now (other frames, site.status and the like, may come and go).
func noOfflineFrame(t *testing.T, c *wsClient) {
	t.Helper()
	c.send(map[string]string{"type": "ping"})
	_, skipped := c.waitFor("pong")
	for _, m := range skipped {
		if typ, _ := m["type"].(string); strings.HasPrefix(typ, "offline.") {
			t.Fatalf("%s: unexpected %v", c.Name, m)
		}
	}
}

// submitOffline sends an offline.submit frame and returns the stored message's id.
func submitOffline(t *testing.T, v *wsClient, id, text string) string {
	t.Helper()
	v.send(map[string]any{"type": "offline.submit", "id": id, "email": "ann@example.com", "name": "Ann", "message": text})
	got, _ := v.waitFor("offline.received")
	mid, _ := got["message_id"].(string)
	if got["re"] != id || mid == "" {
		t.Fatalf("offline.received %v", got)
	}
	return mid
}

// checkOfflineMessage checks an offline.message frame: the message stored as mid,
// new, with the text, and the site's unread count.
func checkOfflineMessage(t *testing.T, m map[string]any, siteID, mid, text string, unread int) {
	t.Helper()
	msg, _ := m["message"].(map[string]any)
	if msg["id"] != mid || msg["site_id"] != siteID || msg["state"] != "new" || msg["message"] != text ||
		msg["email"] != "ann@example.com" || m["unread"] != float64(unread) {
		t.Fatalf("offline.message %v, want message %s of site %s, unread %d", m, mid, siteID, unread)
	}
}

// checkOfflineState checks an offline.state frame.
func checkOfflineState(t *testing.T, m map[string]any, siteID, mid, state string, unread int) {
	t.Helper()
	if m["site_id"] != siteID || m["id"] != mid || m["state"] != state || m["unread"] != float64(unread) {
		t.Fatalf("offline.state %v, want %s of site %s %s, unread %d", m, mid, siteID, state, unread)
	}
}

// A new offline message and every change of its state reach the agent sockets of
// its site (and those that serve all sites), with the unread count; nothing reaches
// the agents of other sites, and a resend or an unchanged state pushes nothing.
func TestOfflineInboxPushesToTheSitesAgents(t *testing.T) {
	f := newFixture(t)
	a, _ := f.agentSocket(f.tokens["agentA"])
	b, _ := f.agentSocket(f.tokens["agentB"])
	owner, _ := f.agentSocket(f.tokens["owner"])
	v, _ := f.visitor(f.siteA.ID, nil)

	mid := submitOffline(t, v, "o1", "Call me back")
	for _, c := range []*wsClient{a, owner} {
		m, _ := c.waitFor("offline.message")
		checkOfflineMessage(t, m, f.siteA.ID, mid, "Call me back", 1)
	}
	noOfflineFrame(t, b)

	submitOffline(t, v, "o1", "Call me back") // a resend: stored once, pushed once
	noOfflineFrame(t, a)
	mid2 := submitOffline(t, v, "o2", "And another thing")
	m, _ := a.waitFor("offline.message")
	checkOfflineMessage(t, m, f.siteA.ID, mid2, "And another thing", 2)

	path := "/api/v1/sites/" + f.siteA.ID + "/offline-messages/" + mid
	f.mustDo("PATCH", path, f.tokens["agentA"], map[string]any{"state": "read"}, 200)
	for _, c := range []*wsClient{a, owner} {
		m, _ := c.waitFor("offline.state")
		checkOfflineState(t, m, f.siteA.ID, mid, "read", 1)
	}
	f.mustDo("PATCH", path, f.tokens["owner"], map[string]any{"state": "read"}, 200) // unchanged
	f.mustDo("PATCH", path, f.tokens["agentA"], map[string]any{"state": "bogus"}, 400)
	noOfflineFrame(t, a)
	f.mustDo("PATCH", path, f.tokens["owner"], map[string]any{"state": "done"}, 200)
	m, _ = a.waitFor("offline.state")
	checkOfflineState(t, m, f.siteA.ID, mid, "done", 1)
	noOfflineFrame(t, b)
}
