package gateway

import (
	"github.com/livedesk/gateway/internal/loginlimit"
	"strings"
	"testing"
	"time"

	"github.com/livedesk/gateway/gateway/setup"
	"github.com/livedesk/gateway/protocol"
	"github.com/livedesk/gateway/store"
)

func TestLoginIssuesAWorkingToken(t *testing.T) {
	f := newFixture(t)
	r := f.mustDo("POST", "/api/v1/login", "", map[string]string{"email": strings.ToUpper(f.agentA.Email), "password": testPassword}, 200)
	m := r.json(t)
	tok, _ := m["token"].(string)
	if tok == "" || m["agent"].(map[string]any)["id"] != f.agentA.ID {
		t.Fatalf("login answer: %s", r.Body)
	}
	if strings.Contains(string(r.Body), "password") {
		t.Fatalf("login answer mentions the password: %s", r.Body)
	}
	me := f.mustDo("GET", "/api/v1/me", tok, nil, 200).json(t)
	if me["email"] != f.agentA.Email {
		t.Fatalf("/me: %v", me)
	}
	for _, c := range []struct {
		body  any
		code  int
		field string
	}{
		{map[string]string{"email": f.agentA.Email, "password": "wrong password"}, 401, ""},
		{map[string]string{"email": "nobody@example.com", "password": testPassword}, 401, ""},
		{map[string]string{"password": testPassword}, 400, "email"},
		{map[string]string{"email": f.agentA.Email}, 400, "password"},
		{map[string]any{"email": 5, "password": testPassword}, 400, "email"},
	} {
		r := f.mustDo("POST", "/api/v1/login", "", c.body, c.code)
		if _, field := r.errField(t); field != c.field {
			t.Errorf("%v: field %q, want %q", c.body, field, c.field)
		}
	}
}

func TestLoginIsRateLimitedPerEmailAndRecovers(t *testing.T) {
	f := newFixture(t)
	wrong := map[string]string{"email": f.agentB.Email, "password": "wrong password"}
	for i := 0; i < 5; i++ {
		f.mustDo("POST", "/api/v1/login", "", wrong, 401)
	}
	r := f.mustDo("POST", "/api/v1/login", "", map[string]string{"email": f.agentB.Email, "password": testPassword}, 429)
	if code, _ := r.errField(t); code != protocol.CodeRateLimited || r.Hdr.Get("Retry-After") == "" {
		t.Fatalf("429 without rate_limited and Retry-After: %s %v", r.Body, r.Hdr)
	}
	// Another e-mail from the same address still gets in.
	f.mustDo("POST", "/api/v1/login", "", map[string]string{"email": f.agentA.Email, "password": testPassword}, 200)
	// A minute later one attempt is back.
	f.clock.Advance(13 * time.Second)
	f.mustDo("POST", "/api/v1/login", "", map[string]string{"email": f.agentB.Email, "password": testPassword}, 200)
}

func TestLoginIsRateLimitedPerAddress(t *testing.T) {
	f := newFixture(t)
	limited := 0
	for i := 0; i < 12; i++ {
		r := f.do("POST", "/api/v1/login", "", map[string]string{"email": f.uniq("who") + "@example.com", "password": "wrong password"})
		if r.Code == 429 {
			limited++
		}
	}
	if limited != 2 {
		t.Fatalf("%d of 12 attempts from one address limited, want 2 (burst 10)", limited)
	}
}

// Nobody can lock an agent out (docs/operations.md#login-limits): 50 wrong passwords
// for the owner from address A leave the owner's right password from address B
// working; A is refused (429) once its failures are spent, and its refusals are
// counted on the metric.
func TestWrongPasswordsElsewhereDoNotLockTheOwnerOut(t *testing.T) {
	f := newFixture(t)
	f.mkAgentAs(setup.DefaultOwnerEmail, "owner", nil)
	const addrA, addrB = "127.0.0.2", "127.0.0.3"
	wrong := map[string]string{"email": setup.DefaultOwnerEmail, "password": "wrong password"}
	codes := map[int]int{}
	first429 := 0
	for i := 1; i <= 50; i++ {
		r := f.doFrom(addrA, "POST", "/api/v1/login", "", wrong)
		codes[r.Code]++
		if r.Code == 429 && first429 == 0 {
			first429 = i
			if code, _ := r.errField(t); code != protocol.CodeRateLimited || r.Hdr.Get("Retry-After") == "" {
				t.Fatalf("429 without rate_limited and Retry-After: %s %v", r.Body, r.Hdr)
			}
		}
	}
	if codes[401] != loginlimit.LoginAccountBurst || codes[429] != 50-loginlimit.LoginAccountBurst || first429 != loginlimit.LoginAccountBurst+1 {
		t.Fatalf("50 wrong passwords from A: %v (first 429 at %d), want %d checked then 429", codes, first429, loginlimit.LoginAccountBurst)
	}
	right := map[string]string{"email": setup.DefaultOwnerEmail, "password": testPassword}
	f.doFrom(addrA, "POST", "/api/v1/login", "", right) // A has failed: refused even so
	if r := f.doFrom(addrA, "POST", "/api/v1/login", "", right); r.Code != 429 {
		t.Fatalf("the right password from A, which failed for the account: %d, want 429", r.Code)
	}
	r := f.doFrom(addrB, "POST", "/api/v1/login", "", right)
	if r.Code != 200 {
		t.Fatalf("the owner's right password from B after 50 failures from A: %d %s", r.Code, r.Body)
	}
	metrics := string(f.mustDo("GET", "/metrics", "", nil, 200).Body)
	if !strings.Contains(metrics, `gateway_logins_total{result="rate_limited"} 47`) {
		t.Errorf("rate-limited logins not counted as 47:\n%s", metrics)
	}
}

func TestTheLastOwnerStays(t *testing.T) {
	f := newFixture(t)
	tok := f.tokens["owner"]
	r := f.mustDo("DELETE", "/api/v1/agents/"+f.owner.ID, tok, nil, 409)
	if code, _ := r.errField(t); code != protocol.CodeConflict {
		t.Fatalf("code %q", code)
	}
	f.mustDo("PATCH", "/api/v1/agents/"+f.owner.ID, tok, map[string]any{"role": "admin"}, 409)
	second := f.mkAgent("owner", nil)
	f.mustDo("PATCH", "/api/v1/agents/"+f.owner.ID, tok, map[string]any{"role": "admin"}, 200)
	// The demoted first owner is an admin now and may not touch the remaining owner.
	f.mustDo("DELETE", "/api/v1/agents/"+second.ID, tok, nil, 403)
	f.mustDo("DELETE", "/api/v1/agents/"+second.ID, f.token(second), nil, 409)
}

func TestAgentChangesAndTheirLimits(t *testing.T) {
	f := newFixture(t)
	self := f.tokens["agentA"]
	path := "/api/v1/agents/" + f.agentA.ID
	cases := []struct {
		name  string
		token string
		body  any
		code  int
		field string
	}{
		{"agent may not change its role", self, map[string]any{"role": "admin"}, 403, "role"},
		{"agent may not change its sites", self, map[string]any{"sites": []string{}}, 403, "sites"},
		{"agent may not change its e-mail", self, map[string]any{"email": "me@example.com"}, 403, "email"},
		{"own password needs the current one", self, map[string]any{"password": "a new password"}, 400, "current_password"},
		{"current password must match", self, map[string]any{"password": "a new password", "current_password": "nope nope"}, 403, "current_password"},
		{"short password", self, map[string]any{"password": "short", "current_password": testPassword}, 400, "password"},
		{"idle out of range", self, map[string]any{"idle_minutes": -1}, 400, "idle_minutes"},
		{"admin may not make an owner", f.tokens["admin"], map[string]any{"role": "owner"}, 403, "role"},
		{"unknown site", f.tokens["admin"], map[string]any{"sites": []string{"nope"}}, 400, "sites[0]"},
		{"taken e-mail", f.tokens["admin"], map[string]any{"email": strings.ToUpper(f.agentB.Email)}, 409, "email"},
		{"bad max_chats", f.tokens["admin"], map[string]any{"max_chats": 0}, 400, "max_chats"},
		{"bad schedule", self, map[string]any{"schedule": map[string]any{"enabled": true, "timezone": "Europe/Nowhere"}}, 400, "schedule.timezone"},
		{"unknown field", self, map[string]any{"nickname": "x"}, 400, "nickname"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := f.mustDo("PATCH", path, c.token, c.body, c.code)
			if _, field := r.errField(t); field != c.field {
				t.Errorf("field %q, want %q", field, c.field)
			}
		})
	}
	// The agent changes its own password with the current one, and logs in with it
	// (the change ended its sessions: TestPasswordChangeRevokesTheAgentsTokens).
	f.mustDo("PATCH", path, self, map[string]any{"password": "a new password", "current_password": testPassword}, 200)
	self = f.mustDo("POST", "/api/v1/login", "", map[string]string{"email": f.agentA.Email, "password": "a new password"}, 200).json(t)["token"].(string)
	// An own schedule, then back to following the site's hours with null.
	m := f.mustDo("PUT", path+"/schedule", self, weekSchedule, 200).json(t)
	if m["schedule"] == nil {
		t.Fatalf("schedule not set: %v", m)
	}
	m = f.mustDo("PUT", path+"/schedule", self, "null", 200).json(t)
	if m["schedule"] != nil {
		t.Fatalf("schedule not cleared: %v", m)
	}
	// Admin presence override is kept.
	f.mustDo("PUT", path+"/presence", f.tokens["admin"], map[string]string{"status": "invisible"}, 200)
	if m := f.mustDo("GET", path, self, nil, 200).json(t); m["presence"] != "invisible" {
		t.Fatalf("presence %v", m["presence"])
	}
	f.mustDo("PUT", path+"/presence", f.tokens["admin"], map[string]string{"status": "busy"}, 400)
}

func TestCreateAgentValidates(t *testing.T) {
	f := newFixture(t)
	tok := f.tokens["admin"]
	for _, c := range []struct {
		body  map[string]any
		code  int
		field string
	}{
		{map[string]any{"name": "N", "password": testPassword}, 400, "email"},
		{map[string]any{"email": "x@example.com", "password": testPassword}, 400, "name"},
		{map[string]any{"email": "x@example.com", "name": "N"}, 400, "password"},
		{map[string]any{"email": "not-an-address", "name": "N", "password": testPassword}, 400, "email"},
		{map[string]any{"email": f.agentA.Email, "name": "N", "password": testPassword}, 409, "email"},
		{map[string]any{"email": "x@example.com", "name": "N", "password": testPassword, "role": "boss"}, 400, "role"},
		{map[string]any{"email": "x@example.com", "name": "N", "password": testPassword, "password_hash": "x"}, 400, "password_hash"},
	} {
		r := f.mustDo("POST", "/api/v1/agents", tok, c.body, c.code)
		if _, field := r.errField(t); field != c.field {
			t.Errorf("%v: field %q, want %q", c.body, field, c.field)
		}
	}
	m := f.mustDo("POST", "/api/v1/agents", tok, map[string]any{"email": "new@example.com", "name": "New", "password": testPassword, "sites": []string{f.siteA.ID}}, 201).json(t)
	if m["role"] != "agent" || m["max_chats"] != 5.0 || m["idle_minutes"] != 15.0 || m["shift_warning_minutes"] != 10.0 || m["schedule"] != nil {
		t.Fatalf("defaults: %v", m)
	}
	if _, ok := m["password_hash"]; ok {
		t.Fatal("password hash in the answer")
	}
}

func TestLogoutRevokesEveryToken(t *testing.T) {
	f := newFixture(t)
	tok := f.tokens["agentA"]
	f.mustDo("POST", "/api/v1/agents/"+f.agentA.ID+"/logout", f.tokens["admin"], nil, 204)
	f.mustDo("GET", "/api/v1/me", tok, nil, 401)
	// A new login works.
	m := f.mustDo("POST", "/api/v1/login", "", map[string]string{"email": f.agentA.Email, "password": testPassword}, 200).json(t)
	f.mustDo("GET", "/api/v1/me", m["token"].(string), nil, 200)
}

// A new password, set by the agent itself or by a manager, revokes every token the
// agent had, as logout does, and closes its sockets; the new password logs in.
func TestPasswordChangeRevokesTheAgentsTokens(t *testing.T) {
	f := newFixture(t)
	login := func(a *store.Agent, pw string, want int) string {
		t.Helper()
		r := f.mustDo("POST", "/api/v1/login", "", map[string]string{"email": a.Email, "password": pw}, want)
		if want != 200 {
			return ""
		}
		return r.json(t)["token"].(string)
	}
	for _, c := range []struct {
		name   string
		target *store.Agent
		by     func() string // the changer's token
		body   map[string]any
	}{
		{"by the agent", f.agentA, func() string { return f.tokens["agentA"] }, map[string]any{"password": "a new password", "current_password": testPassword}},
		{"by an admin", f.agentB, func() string { return f.tokens["admin"] }, map[string]any{"password": "set by the admin"}},
		{"by an owner", f.admin, func() string { return f.tokens["owner"] }, map[string]any{"password": "set by the owner"}},
	} {
		t.Logf("password changed %s", c.name) // f.mustDo fails the test itself: no subtests
		old := f.token(c.target)
		sock, _ := f.agentSocket(old)
		f.mustDo("GET", "/api/v1/me", old, nil, 200)
		f.mustDo("PATCH", "/api/v1/agents/"+c.target.ID, c.by(), c.body, 200)
		f.mustDo("GET", "/api/v1/me", old, nil, 401)
		sock.waitFor("force_logout")
		sock.closedWith(4002)
		login(c.target, testPassword, 401)
		fresh := login(c.target, c.body["password"].(string), 200)
		if m := f.mustDo("GET", "/api/v1/me", fresh, nil, 200).json(t); m["id"] != c.target.ID {
			t.Fatalf("me %v", m)
		}
		if c.target != f.agentA { // a manager's own session goes on
			f.mustDo("GET", "/api/v1/me", c.by(), nil, 200)
		}
	}
	// A change without a password leaves the tokens alone.
	tok := login(f.agentA, "a new password", 200)
	f.mustDo("PATCH", "/api/v1/agents/"+f.agentA.ID, tok, map[string]any{"name": "Ann"}, 200)
	f.mustDo("GET", "/api/v1/me", tok, nil, 200)
}

func TestHealthReadyMetricsAndUnknownRoutes(t *testing.T) {
	f := newFixture(t)
	f.mustDo("GET", "/healthz", "", nil, 200)
	f.mustDo("GET", "/readyz", "", nil, 200)
	f.mustDo("GET", "/api/v1/me", f.tokens["owner"], nil, 200)
	r := f.mustDo("GET", "/metrics", "", nil, 200)
	if !strings.Contains(string(r.Body), `gateway_http_requests_total{code="200",method="GET",route="GET /api/v1/me"} 1`) {
		t.Fatalf("metrics lack the request count:\n%s", r.Body)
	}
	r = f.mustDo("DELETE", "/api/v1/me", f.tokens["owner"], nil, 405)
	if r.Hdr.Get("Allow") == "" {
		t.Fatal("405 without Allow")
	}
	r.errField(t)
	f.mustDo("GET", "/api/v1/nothing-here", f.tokens["owner"], nil, 404).errField(t)
	f.srv.SetDraining()
	f.mustDo("GET", "/readyz", "", nil, 503)
}
