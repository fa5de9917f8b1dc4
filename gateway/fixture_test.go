package gateway

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/livedesk/gateway/clock"
	"github.com/livedesk/gateway/gateway/api"
	"github.com/livedesk/gateway/internal/testkit"
	"github.com/livedesk/gateway/internal/webhooktest"
	"github.com/livedesk/gateway/store"
	"github.com/livedesk/gateway/store/bolt"
	"golang.org/x/crypto/bcrypt"
)

// testStart is the fake clock's start: a Monday, 10:00 in Paris.
var testStart = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

const testPassword = "correct horse battery"

func init() { api.BcryptCost = bcrypt.MinCost } // the tests hash many passwords

// fixture is a running API server over a real embedded store with one agent of each
// role: owner, admin, agentA (serves site A) and agentB (serves site B).
type fixture struct {
	t      *testing.T
	dir    string
	clock  *clock.Fake
	store  store.Store
	srv    *Server
	http   *httptest.Server
	siteA  *store.Site
	siteB  *store.Site
	owner  *store.Agent
	admin  *store.Agent
	agentA *store.Agent
	agentB *store.Agent
	tokens map[string]string // by actor name
	n      int               // counter for unique names
	// extra may answer a request before the gateway does (test pages).
	extra func(w http.ResponseWriter, r *http.Request) bool
	mods  []func(*Options)
}

// options are the server's options over st, with the fixture's mods applied.
func (f *fixture) options(st store.Store) Options {
	o := Options{Store: st, Secret: testSecret, Clock: f.clock, Notify: NotifyOptions{Resolver: webhooktest.HostsOnlyResolver()}}
	for _, m := range f.mods {
		m(&o)
	}
	return o
}

// newFixture starts the gateway; mods adjust its Options (they are applied again on
// restart).
func newFixture(t *testing.T, mods ...func(*Options)) *fixture {
	t.Helper()
	dir := t.TempDir()
	st, err := bolt.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, dir: dir, clock: clock.NewFake(testStart), store: st, tokens: map[string]string{}, mods: mods}
	t.Cleanup(func() { f.store.Close() })
	f.srv, err = New(f.options(st))
	if err != nil {
		t.Fatal(err)
	}
	f.mkRecords()
	f.mkTokens()
	// The desk loads what is in the store now; later records go through the API or
	// are announced to the desk by mkSite/mkAgent.
	if err := f.srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.http = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f.extra != nil && f.extra(w, r) {
			return
		}
		f.srv.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(func() { f.srv.Stop(0); f.http.Close() })
	return f
}

var testSecret = []byte("0123456789abcdef0123456789abcdef")

// restart stops the gateway as a crash would leave it (sockets cut, no drain),
// reopens the same data dir and starts a new gateway on it, keeping the clock.
func (f *fixture) restart() {
	f.t.Helper()
	f.http.CloseClientConnections()
	f.srv.Stop(0)
	f.http.Close()
	if err := f.store.Close(); err != nil {
		f.t.Fatal(err)
	}
	st, err := bolt.Open(f.dir)
	if err != nil {
		f.t.Fatal(err)
	}
	f.store = st
	f.srv, err = New(f.options(st))
	if err != nil {
		f.t.Fatal(err)
	}
	if err := f.srv.Start(context.Background()); err != nil {
		f.t.Fatal(err)
	}
	f.http = httptest.NewServer(f.srv.Handler())
	srv, h := f.srv, f.http
	f.t.Cleanup(func() { srv.Stop(0); h.Close() })
}

// mkRecords makes the two sites and the four agents every test starts with.
func (f *fixture) mkRecords() {
	f.siteA = f.mkSite("Site A")
	f.siteB = f.mkSite("Site B")
	f.owner = f.mkAgent(store.RoleOwner, nil)
	f.admin = f.mkAgent(store.RoleAdmin, nil)
	f.agentA = f.mkAgent(store.RoleAgent, []string{f.siteA.ID})
	f.agentB = f.mkAgent(store.RoleAgent, []string{f.siteB.ID})
}

// mkTokens signs a token for each agent, by role name (needs f.srv).
func (f *fixture) mkTokens() {
	for name, a := range map[string]*store.Agent{"owner": f.owner, "admin": f.admin, "agentA": f.agentA, "agentB": f.agentB} {
		f.tokens[name] = f.token(a)
	}
}

func (f *fixture) uniq(prefix string) string {
	f.n++
	return fmt.Sprintf("%s%d", prefix, f.n)
}

func (f *fixture) mkSite(name string) *store.Site {
	f.t.Helper()
	s := api.NewSite(f.clock.Now())
	s.Name = name
	if err := f.store.CreateSite(context.Background(), s); err != nil {
		f.t.Fatal(err)
	}
	if f.http != nil {
		if err := f.srv.rt.Desk().SiteChanged(context.Background(), s); err != nil {
			f.t.Fatal(err)
		}
	}
	return s
}

func (f *fixture) mkAgent(role string, sites []string) *store.Agent {
	f.t.Helper()
	return f.mkAgentAs(f.uniq(role)+"@example.com", role, sites)
}

// mkAgentAs is mkAgent with a given e-mail.
func (f *fixture) mkAgentAs(email, role string, sites []string) *store.Agent {
	f.t.Helper()
	h, err := api.HashPassword(testPassword)
	if err != nil {
		f.t.Fatal(err)
	}
	a := &store.Agent{Email: email, Name: role, Role: role, Sites: sites, MaxChats: api.DefaultMaxChats,
		IdleMinutes: api.DefaultIdleMinutes, ShiftWarningMinutes: api.DefaultShiftWarningMinutes, PasswordHash: h}
	if err := f.store.CreateAgent(context.Background(), a); err != nil {
		f.t.Fatal(err)
	}
	if f.http != nil {
		f.srv.rt.AgentChanged(a)
	}
	return a
}

func (f *fixture) token(a *store.Agent) string {
	f.t.Helper()
	tok, _, err := f.srv.api.Tokens().Issue(a)
	if err != nil {
		f.t.Fatal(err)
	}
	return tok
}

// response is what a request got back.
type response testkit.Response

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	return testkit.Response(r).JSON(t)
}

// errField returns error.field and error.code of an error answer.
func (r response) errField(t *testing.T) (code, field string) {
	t.Helper()
	e, ok := r.json(t)["error"].(map[string]any)
	if !ok {
		t.Fatalf("no error object in %s", r.Body)
	}
	c, _ := e["code"].(string)
	fl, _ := e["field"].(string)
	if m, _ := e["message"].(string); m == "" {
		t.Errorf("error without a message: %s", r.Body)
	}
	return c, fl
}

// do sends a request with an optional bearer token and body (string or value).
func (f *fixture) do(method, path, token string, body any) response {
	f.t.Helper()
	return f.doWith(f.http.Client(), method, path, token, body)
}

// doFrom is do from source address src (a loopback IP such as 127.0.0.2: on Linux
// all of 127.0.0.0/8 is loopback), for what is counted per client address.
func (f *fixture) doFrom(src, method, path, token string, body any) response {
	f.t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}}
	c := &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
	defer c.CloseIdleConnections()
	return f.doWith(c, method, path, token, body)
}

// doWith is do through client c.
func (f *fixture) doWith(c *http.Client, method, path, token string, body any) response {
	f.t.Helper()
	return response(testkit.Do(f.t, c, method, f.http.URL+path, token, body))
}

func (f *fixture) mustDo(method, path, token string, body any, want int) response {
	f.t.Helper()
	r := f.do(method, path, token, body)
	if r.Code != want {
		f.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.Code, want, r.Body)
	}
	return r
}
