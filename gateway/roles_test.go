package gateway

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/livedesk/gateway/clock"
	"github.com/livedesk/gateway/gateway/api"
	"github.com/livedesk/gateway/protocol"
	"github.com/livedesk/gateway/store"
)

// roleCase is one endpoint with the status each actor must get. Every case is also
// run without a token, with an expired, a forged and a revoked token: all 401.
type roleCase struct {
	name string
	// route is the route table's key the case exercises, "METHOD pattern"
	// (authz_matrix_test.go holds the table against the registered routes).
	route string
	// path builds the path (and may create what the request acts on) for one actor,
	// so destructive requests get a fresh target each time.
	path func(f *fixture) string
	body func(f *fixture) any
	want map[string]int // owner, admin, agentA, agentB
}

// method is the case's HTTP method, from its route.
func (c roleCase) method() string { return strings.Fields(c.route)[0] }

func codes(owner, admin, agentA, agentB int) map[string]int {
	return map[string]int{"owner": owner, "admin": admin, "agentA": agentA, "agentB": agentB}
}

func fixed(p string) func(*fixture) string { return func(*fixture) string { return p } }

var weekSchedule = map[string]any{"enabled": true, "timezone": "Europe/Paris",
	"weekly": map[string]any{"mon": []any{map[string]string{"from": "08:00", "to": "12:00"}, map[string]string{"from": "13:00", "to": "17:00"}}}}

func roleCases() []roleCase {
	siteA := func(suffix string) func(*fixture) string {
		return func(f *fixture) string { return "/api/v1/sites/" + f.siteA.ID + suffix }
	}
	agentA := func(suffix string) func(*fixture) string {
		return func(f *fixture) string { return "/api/v1/agents/" + f.agentA.ID + suffix }
	}
	freshAgent := func(role, suffix string) func(*fixture) string {
		return func(f *fixture) string { return "/api/v1/agents/" + f.mkAgent(role, nil).ID + suffix }
	}
	ok, created, none := 200, 201, 204
	return append(append(departmentRoleCases(), visitorDataRoleCases()...), []roleCase{
		{"me", "GET /api/v1/me", fixed("/api/v1/me"), nil, codes(ok, ok, ok, ok)},
		{"time zones", "GET /api/v1/timezones", fixed("/api/v1/timezones"), nil, codes(ok, ok, ok, ok)},
		{"list sites", "GET /api/v1/sites", fixed("/api/v1/sites"), nil, codes(ok, ok, ok, ok)},
		{"get site", "GET /api/v1/sites/{id}", siteA(""), nil, codes(ok, ok, ok, 404)},
		{"create site", "POST /api/v1/sites", fixed("/api/v1/sites"), func(*fixture) any { return map[string]any{"name": "New"} }, codes(created, created, 403, 403)},
		{"patch site", "PATCH /api/v1/sites/{id}", siteA(""), func(*fixture) any { return map[string]any{"closing_soon_minutes": 5} }, codes(ok, ok, 403, 403)},
		{"delete site", "DELETE /api/v1/sites/{id}", func(f *fixture) string { return "/api/v1/sites/" + f.mkSite("doomed").ID }, nil, codes(none, none, 403, 403)},
		{"put site schedule", "PUT /api/v1/sites/{id}/schedule", siteA("/schedule"), func(*fixture) any { return weekSchedule }, codes(ok, ok, 403, 403)},
		{"put site mode", "PUT /api/v1/sites/{id}/mode", siteA("/mode"), func(*fixture) any { return map[string]string{"mode": "auto"} }, codes(ok, ok, 403, 403)},
		{"site status", "GET /api/v1/sites/{id}/status", siteA("/status"), nil, codes(ok, ok, ok, 404)},
		{"site hours", "GET /api/v1/sites/{id}/hours", siteA("/hours?from=2026-11-23&to=2026-11-29"), nil, codes(ok, ok, ok, 404)},
		{"site coverage", "GET /api/v1/sites/{id}/coverage", siteA("/coverage?from=2026-11-23&to=2026-11-29"), nil, codes(ok, ok, 403, 403)},
		{"site hours preview", "POST /api/v1/sites/{id}/hours/preview", siteA("/hours/preview?from=2026-11-23&to=2026-11-29"), func(*fixture) any { return weekSchedule }, codes(ok, ok, 403, 403)},
		{"offline messages", "GET /api/v1/sites/{id}/offline-messages", siteA("/offline-messages"), nil, codes(ok, ok, ok, 404)},
		{"offline messages by state", "GET /api/v1/sites/{id}/offline-messages", siteA("/offline-messages?state=new"), nil, codes(ok, ok, ok, 404)},
		{"set offline message state", "PATCH /api/v1/sites/{id}/offline-messages/{message}", func(f *fixture) string {
			return "/api/v1/sites/" + f.siteA.ID + "/offline-messages/" + f.mkOffline(f.siteA.ID, "x").ID
		}, func(*fixture) any { return map[string]string{"state": "done"} }, codes(ok, ok, ok, 404)},
		{"offline counts", "GET /api/v1/offline-messages/counts", fixed("/api/v1/offline-messages/counts"), nil, codes(ok, ok, ok, ok)},
		{"offline counts of a site", "GET /api/v1/offline-messages/counts", func(f *fixture) string { return "/api/v1/offline-messages/counts?site=" + f.siteA.ID }, nil, codes(ok, ok, ok, 404)},
		{"list agents", "GET /api/v1/agents", fixed("/api/v1/agents"), nil, codes(ok, ok, 403, 403)},
		{"create agent", "POST /api/v1/agents", fixed("/api/v1/agents"), func(f *fixture) any {
			return map[string]any{"email": f.uniq("new") + "@example.com", "name": "New", "password": testPassword}
		}, codes(created, created, 403, 403)},
		{"create owner", "POST /api/v1/agents", fixed("/api/v1/agents"), func(f *fixture) any {
			return map[string]any{"email": f.uniq("own") + "@example.com", "name": "New", "password": testPassword, "role": "owner"}
		}, codes(created, 403, 403, 403)},
		{"delete agent", "DELETE /api/v1/agents/{id}", freshAgent(store.RoleAgent, ""), nil, codes(none, none, 403, 403)},
		{"delete owner", "DELETE /api/v1/agents/{id}", freshAgent(store.RoleOwner, ""), nil, codes(none, 403, 403, 403)},
		{"get agent", "GET /api/v1/agents/{id}", agentA(""), nil, codes(ok, ok, ok, 403)},
		{"patch agent self fields", "PATCH /api/v1/agents/{id}", agentA(""), func(*fixture) any { return map[string]any{"name": "Ann", "idle_minutes": 20} }, codes(ok, ok, ok, 403)},
		{"patch agent manager fields", "PATCH /api/v1/agents/{id}", agentA(""), func(*fixture) any { return map[string]any{"max_chats": 3} }, codes(ok, ok, 403, 403)},
		{"patch owner", "PATCH /api/v1/agents/{id}", freshAgent(store.RoleOwner, ""), func(*fixture) any { return map[string]any{"name": "Boss"} }, codes(ok, 403, 403, 403)},
		{"put agent schedule", "PUT /api/v1/agents/{id}/schedule", agentA("/schedule"), func(*fixture) any { return weekSchedule }, codes(ok, ok, ok, 403)},
		{"put agent presence", "PUT /api/v1/agents/{id}/presence", agentA("/presence"), func(*fixture) any { return map[string]string{"status": "away"} }, codes(ok, ok, 403, 403)},
		{"logout agent", "POST /api/v1/agents/{id}/logout", freshAgent(store.RoleAgent, "/logout"), nil, codes(none, none, 403, 403)},
		{"logout owner", "POST /api/v1/agents/{id}/logout", freshAgent(store.RoleOwner, "/logout"), nil, codes(none, 403, 403, 403)},
		{"list conversations", "GET /api/v1/conversations", fixed("/api/v1/conversations"), nil, codes(ok, ok, ok, ok)},
		{"list conversations of a site", "GET /api/v1/conversations", func(f *fixture) string { return "/api/v1/conversations?site=" + f.siteA.ID }, nil, codes(ok, ok, ok, 404)},
		{"get conversation", "GET /api/v1/conversations/{id}", func(f *fixture) string { return "/api/v1/conversations/" + f.mkConversation(f.siteA.ID).ID }, nil, codes(ok, ok, ok, 404)},
		{"list notifications", "GET /api/v1/notifications", fixed("/api/v1/notifications?state=pending"), nil, codes(ok, ok, 403, 403)},
		{"get notification", "GET /api/v1/notifications/{id}", func(f *fixture) string { return "/api/v1/notifications/" + f.mkNotification(f.siteA.ID).ID }, nil, codes(ok, ok, 403, 403)},
		{"retry delivered notification", "POST /api/v1/notifications/{id}/retry", func(f *fixture) string { return "/api/v1/notifications/" + f.mkNotification(f.siteA.ID).ID + "/retry" }, nil, codes(409, 409, 403, 403)},
		{"unknown site", "GET /api/v1/sites/{id}", fixed("/api/v1/sites/nope"), nil, codes(404, 404, 404, 404)},
		{"unknown agent", "GET /api/v1/agents/{id}", fixed("/api/v1/agents/nope"), nil, codes(404, 404, 403, 403)},
		{"unknown conversation", "GET /api/v1/conversations/{id}", fixed("/api/v1/conversations/nope"), nil, codes(404, 404, 404, 404)},
	}...)
}

func (f *fixture) mkConversation(siteID string) *store.Conversation {
	f.t.Helper()
	c := &store.Conversation{SiteID: siteID, VisitorID: "v1", State: store.StateOpen, CreatedAt: f.clock.Now()}
	if err := f.store.CreateConversation(context.Background(), c); err != nil {
		f.t.Fatal(err)
	}
	if _, _, err := f.store.AppendMessage(context.Background(), &store.Message{ConversationID: c.ID, From: store.FromVisitor, Text: "hello"}); err != nil {
		f.t.Fatal(err)
	}
	return c
}

// badTokens returns tokens that must all get 401: none, expired, forged, revoked, of
// a deleted agent, and a visitor's (genuine, but not an agent's).
func (f *fixture) badTokens() map[string]string {
	f.t.Helper()
	past := &api.TokenIssuer{Secret: f.srv.api.Tokens().Secret, TTL: time.Hour, Clock: clock.NewFake(testStart.Add(-2 * time.Hour))}
	expired, _, err := past.Issue(f.owner)
	if err != nil {
		f.t.Fatal(err)
	}
	forger := &api.TokenIssuer{Secret: []byte("not the server's secret at all!!"), TTL: time.Hour, Clock: f.clock}
	forged, _, _ := forger.Issue(f.owner)
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"sub": f.owner.ID, "iss": api.TokenIssuerName,
		"exp": testStart.Add(time.Hour).Unix()}).SignedString(jwt.UnsafeAllowNoneSignatureType)
	revokedAgent := f.mkAgent(store.RoleAdmin, nil)
	revoked := f.token(revokedAgent)
	f.mustDo("POST", "/api/v1/agents/"+revokedAgent.ID+"/logout", f.tokens["owner"], nil, 204)
	deletedAgent := f.mkAgent(store.RoleAdmin, nil)
	deleted := f.token(deletedAgent)
	f.mustDo("DELETE", "/api/v1/agents/"+deletedAgent.ID, f.tokens["owner"], nil, 204)
	return map[string]string{"no token": "", "expired": expired, "forged": forged, "alg none": none,
		"revoked": revoked, "deleted agent": deleted, "garbage": "abc.def.ghi", "visitor token": f.visitorToken(f.siteA.ID)}
}

func TestEveryEndpointEnforcesRoles(t *testing.T) {
	f := newFixture(t)
	bad := f.badTokens()
	for _, c := range roleCases() {
		for _, actor := range []string{"owner", "admin", "agentA", "agentB"} {
			t.Run(c.name+"/"+actor, func(t *testing.T) {
				var body any
				if c.body != nil {
					body = c.body(f)
				}
				r := f.do(c.method(), c.path(f), f.tokens[actor], body)
				if r.Code != c.want[actor] {
					t.Fatalf("%s %s as %s: status %d, want %d: %s", c.method(), c.path(f), actor, r.Code, c.want[actor], r.Body)
				}
				if r.Code >= 400 {
					if code, _ := r.errField(t); code != codeOfStatus[r.Code] {
						t.Fatalf("code %q for a %d, want %q", code, r.Code, codeOfStatus[r.Code])
					}
				}
			})
		}
		for name, tok := range bad {
			t.Run(c.name+"/"+name, func(t *testing.T) {
				var body any
				if c.body != nil {
					body = c.body(f)
				}
				r := f.do(c.method(), c.path(f), tok, body)
				if r.Code != 401 {
					t.Fatalf("%s as %s: status %d, want 401: %s", c.name, name, r.Code, r.Body)
				}
				if code, _ := r.errField(t); code != protocol.CodeUnauth {
					t.Fatalf("code %q, want %q", code, protocol.CodeUnauth)
				}
			})
		}
	}
}

func TestTokenExpiresOnTheClock(t *testing.T) {
	f := newFixture(t)
	f.mustDo("GET", "/api/v1/me", f.tokens["agentA"], nil, 200)
	f.clock.Advance(api.DefaultTokenTTL - time.Second)
	f.mustDo("GET", "/api/v1/me", f.tokens["agentA"], nil, 200)
	f.clock.Advance(2 * time.Second)
	f.mustDo("GET", "/api/v1/me", f.tokens["agentA"], nil, 401)
}

// mkNotification stores a delivered outbox item of a site.
func (f *fixture) mkNotification(siteID string) *store.Notification {
	f.t.Helper()
	n := &store.Notification{ID: f.uniq("n"), EventID: f.uniq("ev"), Type: "offline_message.created", SiteID: siteID,
		Channel: store.ChannelWebhook, URL: "http://127.0.0.1:9/", Data: []byte(`{}`), State: store.NotificationDelivered}
	if _, err := f.store.AddNotifications(context.Background(), n); err != nil {
		f.t.Fatal(err)
	}
	return n
}
