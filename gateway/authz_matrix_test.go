package gateway

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/coder/websocket"
	"github.com/livedesk/gateway/protocol"
	"github.com/livedesk/gateway/store"
)

// The authorization matrix: every route of the route table and every client frame
// type of both sockets, for each role, with the exact answer. The API routes that
// need a token are roleCases (roles_test.go, run by TestEveryEndpointEnforcesRoles
// with every kind of bad token, a visitor's included); the others are publicRoutes
// here; the frames are agentFrameRows and visitorFrameRows. A route or a frame type
// without a row fails TestAuthzMatrixHasARowForEverything.

// matrixRoles are the columns of the frame rows.
var matrixRoles = []string{"owner", "admin", "agentA", "agentB", "visitor", "no token", "revoked"}

// codeOfStatus is the error code an API error of each status carries
// (docs/protocol.md, the table of errors).
var codeOfStatus = map[int]string{400: protocol.CodeBadRequest, 401: protocol.CodeUnauth, 403: protocol.CodeForbidden, 404: protocol.CodeNotFound,
	405: protocol.CodeBadRequest, 409: protocol.CodeConflict, 413: protocol.CodeBadRequest, 429: protocol.CodeRateLimited, 503: protocol.CodeUnavailable}

// visitorToken is a genuine visitor token of the site, for a visitor never seen.
func (f *fixture) visitorToken(siteID string) string {
	return f.srv.rt.VisitorToken(siteID, f.uniq("matrix-visitor-"))
}

// publicRoute is a route that needs no token: every role gets the same answer,
// whatever its Authorization header says.
type publicRoute struct {
	route string
	path  func(f *fixture) string
	body  any
	want  int
}

var publicRoutes = []publicRoute{
	{"POST /api/v1/login", fixed("/api/v1/login"), map[string]any{}, 400},                              // the token is not looked at; the e-mail is required
	{"GET /ws/visitor", func(f *fixture) string { return "/ws/visitor?site=" + f.siteA.ID }, nil, 426}, // a plain GET: the upgrade is required
	{"GET /ws/agent", fixed("/ws/agent"), nil, 426},
	{"GET /widget.js", fixed("/widget.js"), nil, 200},
	{"GET /favicon.svg", fixed("/favicon.svg"), nil, 200},
	{"GET /healthz", fixed("/healthz"), nil, 200},
	{"GET /readyz", fixed("/readyz"), nil, 200},
	{"GET /metrics", fixed("/metrics"), nil, 200},
}

// frameRow is one client frame type: the frame to send (id "x1" is added), and the
// answer per role: the type of the frame that answers it (with re "x1"; "pong" for
// ping), "error:CODE", or "none" when nothing answers.
type frameRow struct {
	frame func(conv string) map[string]any
	want  map[string]string
}

// roles builds a frameRow's want: owner, admin, agentA, agentB, visitor, no token, revoked.
func roles(owner, admin, agentA, agentB, visitor, noToken, revoked string) map[string]string {
	return map[string]string{"owner": owner, "admin": admin, "agentA": agentA, "agentB": agentB,
		"visitor": visitor, "no token": noToken, "revoked": revoked}
}

func frameOf(typ string, kv ...any) func(string) map[string]any {
	return func(conv string) map[string]any {
		m := map[string]any{"type": typ}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		if _, ok := m["conversation_id"]; ok {
			m["conversation_id"] = conv
		}
		return m
	}
}

const unauth = "error:" + protocol.CodeUnauth

// agentFrameRows: on /ws/agent, hello carries the role's token; an agent sends the
// frame about an open conversation of agentA on site A. Without a valid agent token
// the hello is refused (and the socket closed with 4001), so nothing else is read.
var agentFrameRows = map[string]frameRow{
	"hello":        {frameOf("hello"), roles("welcome", "welcome", "welcome", "welcome", unauth, unauth, unauth)},
	"ping":         {frameOf("ping"), roles("pong", "pong", "pong", "pong", unauth, unauth, unauth)},
	"presence.set": {frameOf("presence.set", "status", "online"), roles("presence", "presence", "presence", "presence", unauth, unauth, unauth)},
	"activity":     {frameOf("activity"), roles("none", "none", "none", "none", unauth, unauth, unauth)},
	"message": {frameOf("message", "conversation_id", "", "text", "hello"),
		roles("error:not_found", "error:not_found", "message.ack", "error:not_found", unauth, unauth, unauth)},
	"typing": {frameOf("typing", "conversation_id", "", "state", true),
		roles("error:not_found", "error:not_found", "none", "error:not_found", unauth, unauth, unauth)},
	"chat.end": {frameOf("chat.end", "conversation_id", ""),
		roles("error:not_found", "error:not_found", "chat.ended", "error:not_found", unauth, unauth, unauth)},
	"shift.snooze": {frameOf("shift.snooze"), roles("shift", "shift", "shift", "shift", unauth, unauth, unauth)},
	// Cancelling answers the shift, snoozed or not; only the agent's own is touched.
	"shift.snooze.end": {frameOf("shift.snooze.end"), roles("shift", "shift", "shift", "shift", unauth, unauth, unauth)},
	// Only agentA's own conversation can be handed on; the target named here does
	// not exist, so agentA learns that (not_found) and nothing moves.
	"chat.transfer": {frameOf("chat.transfer", "conversation_id", "", "to_agent_id", "nobody"),
		roles("error:not_found", "error:not_found", "error:not_found", "error:not_found", unauth, unauth, unauth)},
}

// visitorFrameRows: on /ws/visitor of site A, hello carries the role's token as
// visitor_token. Only "visitor" holds a genuine one, of a visitor with an open
// conversation; an agent's token, valid or revoked, is no visitor's and gets a new
// anonymous identity, as no token does: it reaches no one else's conversation.
var visitorFrameRows = map[string]frameRow{
	"hello": {frameOf("hello"), roles("welcome", "welcome", "welcome", "welcome", "welcome", "welcome", "welcome")},
	"ping":  {frameOf("ping"), roles("pong", "pong", "pong", "pong", "pong", "pong", "pong")},
	"chat.start": {frameOf("chat.start", "text", "hello"),
		roles("chat.assigned", "chat.assigned", "chat.assigned", "chat.assigned", "error:conflict", "chat.assigned", "chat.assigned")},
	"message": {frameOf("message", "text", "hello"),
		roles("error:conflict", "error:conflict", "error:conflict", "error:conflict", "message.ack", "error:conflict", "error:conflict")},
	"typing": {frameOf("typing", "state", true), roles("none", "none", "none", "none", "none", "none", "none")},
	"chat.end": {frameOf("chat.end"),
		roles("error:not_found", "error:not_found", "error:not_found", "error:not_found", "chat.ended", "error:not_found", "error:not_found")},
	"offline.submit": {frameOf("offline.submit", "email", "ann@example.org", "message", "call me"),
		roles("offline.received", "offline.received", "offline.received", "offline.received", "offline.received", "offline.received", "offline.received")},
}

// sameSet fails the test for every registered name without a row and every row
// naming nothing registered.
func sameSet(t *testing.T, what string, registered, rows []string) {
	t.Helper()
	for _, r := range registered {
		if !slices.Contains(rows, r) {
			t.Errorf("%s %q has no row in the authorization matrix: add one (see authz_matrix_test.go)", what, r)
		}
	}
	for _, r := range rows {
		if !slices.Contains(registered, r) {
			t.Errorf("the authorization matrix has a row for %s %q, which does not exist", what, r)
		}
	}
}

// Every registered route and every frame type has a row, and every row a route or
// a frame type.
func TestAuthzMatrixHasARowForEverything(t *testing.T) {
	f := newFixture(t)
	var rows []string
	for _, c := range roleCases() {
		rows = append(rows, c.route)
	}
	for _, p := range publicRoutes {
		rows = append(rows, p.route)
	}
	sameSet(t, "route", f.srv.registeredRoutes(), rows)
	sameSet(t, "agent frame type", protocol.Types(protocol.AgentSide), slices.Sorted(maps.Keys(agentFrameRows)))
	sameSet(t, "visitor frame type", protocol.Types(protocol.VisitorSide), slices.Sorted(maps.Keys(visitorFrameRows)))
	for name, rows := range map[string]map[string]frameRow{"agent": agentFrameRows, "visitor": visitorFrameRows} {
		for typ, row := range rows {
			if len(row.want) != len(matrixRoles) {
				t.Errorf("%s frame %s: %d roles, want %d", name, typ, len(row.want), len(matrixRoles))
			}
		}
	}
}

// authzRig is a gateway where agentA serves site A (and is available), with the
// seven roles' tokens.
type authzRig struct {
	*fixture
	tok map[string]string
}

func newAuthzRig(t *testing.T) *authzRig {
	f := newFixture(t)
	f.mustDo("PATCH", "/api/v1/agents/"+f.agentA.ID, f.tokens["admin"], map[string]any{"max_chats": 100}, 200)
	f.deskSetup()
	revoked := f.mkAgent(store.RoleAgent, []string{f.siteA.ID})
	revokedTok := f.token(revoked)
	f.mustDo("POST", "/api/v1/agents/"+revoked.ID+"/logout", f.tokens["admin"], nil, 204)
	return &authzRig{fixture: f, tok: map[string]string{"owner": f.tokens["owner"], "admin": f.tokens["admin"],
		"agentA": f.tokens["agentA"], "agentB": f.tokens["agentB"], "visitor": f.visitorToken(f.siteA.ID),
		"no token": "", "revoked": revokedTok}}
}

// openChat starts a chat of a new visitor on site A (agentA gets it) and returns the
// visitor's token and the conversation's id.
func (r *authzRig) openChat() (visitorToken, conv string) {
	r.t.Helper()
	v, w := r.visitor(r.siteA.ID, nil)
	v.send(map[string]any{"type": "chat.start", "id": "s0", "text": "help"})
	m, _ := v.waitFor("chat.assigned")
	return w["visitor_token"].(string), m["conversation"].(map[string]any)["id"].(string)
}

// answer sends the row's frame and reads what answers it (see frameRow).
func answer(c *wsClient, row frameRow, typ, conv, want string) string {
	c.T.Helper()
	fr := row.frame(conv)
	fr["id"] = "x1"
	c.send(fr)
	if want == "none" {
		c.send(map[string]string{"type": "ping"}) // everything the frame caused comes before the pong
	}
	for {
		m := c.next()
		switch {
		case m["re"] == "x1" && m["type"] == "error":
			return fmt.Sprint("error:", m["code"])
		case m["re"] == "x1":
			return m["type"].(string)
		case m["type"] == "pong":
			if typ == "ping" {
				return "pong"
			}
			if want == "none" {
				return "none"
			}
		}
	}
}

func TestAuthzMatrixAgentFrames(t *testing.T) {
	r := newAuthzRig(t)
	_, conv := r.openChat()
	for _, typ := range slices.Sorted(maps.Keys(agentFrameRows)) {
		row := agentFrameRows[typ]
		for _, role := range matrixRoles {
			want := row.want[role]
			target := conv
			if typ == "chat.end" && role == "agentA" {
				_, target = r.openChat() // this cell ends its conversation: one of its own
			}
			c, _, err := r.dial("/ws/agent", nil)
			if err != nil {
				t.Fatal(err)
			}
			c.send(map[string]any{"type": "hello", "id": "h1", "token": r.tok[role]})
			hello := c.next()
			got := fmt.Sprint(hello["type"])
			if got == "error" {
				got = fmt.Sprint("error:", hello["code"])
			}
			if got == "welcome" && typ != "hello" {
				got = answer(c, row, typ, target, want)
			}
			if got != want {
				t.Errorf("agent frame %s as %s: %s, want %s", typ, role, got, want)
			}
			if got == unauth {
				c.closedWith(websocket.StatusCode(4001))
			}
			c.Conn.CloseNow()
		}
	}
}

func TestAuthzMatrixVisitorFrames(t *testing.T) {
	r := newAuthzRig(t)
	for _, typ := range slices.Sorted(maps.Keys(visitorFrameRows)) {
		row := visitorFrameRows[typ]
		for _, role := range matrixRoles {
			want := row.want[role]
			tok := r.tok[role]
			if role == "visitor" {
				tok, _ = r.openChat() // a visitor with an open conversation, back on a new socket
			}
			c, _, err := r.dial("/ws/visitor?site="+r.siteA.ID, nil)
			if err != nil {
				t.Fatal(err)
			}
			c.send(map[string]any{"type": "hello", "id": "h1", "visitor_token": tok})
			w := c.expect("welcome")
			if resumed := w["visitor_token"] == tok; resumed != (role == "visitor") {
				t.Fatalf("visitor hello as %s: identity resumed %v", role, resumed)
			}
			got := "welcome"
			if typ != "hello" {
				got = answer(c, row, typ, "", want)
			}
			if got != want {
				t.Errorf("visitor frame %s as %s: %s, want %s", typ, role, got, want)
			}
			c.Conn.CloseNow()
		}
	}
}

// The routes without a token answer every role alike: a token, good or bad, is
// neither needed nor held against the caller.
func TestAuthzMatrixPublicRoutes(t *testing.T) {
	r := newAuthzRig(t)
	for _, p := range publicRoutes {
		for _, role := range matrixRoles {
			got := r.do(strings.Fields(p.route)[0], p.path(r.fixture), r.tok[role], p.body)
			if got.Code != p.want {
				t.Errorf("%s as %s: %d, want %d: %s", p.route, role, got.Code, p.want, got.Body)
			}
			if c, ok := codeOfStatus[got.Code]; ok && got.Code >= 400 && p.route != "GET /ws/visitor" && p.route != "GET /ws/agent" {
				if code, _ := got.errField(t); code != c {
					t.Errorf("%s as %s: code %q, want %q", p.route, role, code, c)
				}
			}
		}
	}
}
