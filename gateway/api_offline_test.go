package gateway

import (
	"context"
	"fmt"
	"testing"

	"github.com/livedesk/gateway/store"
)

// mkOffline stores an offline message of a site (as the visitor socket does).
func (f *fixture) mkOffline(siteID, text string) *store.OfflineMessage {
	f.t.Helper()
	m, _, err := f.store.AddOfflineMessage(context.Background(), &store.OfflineMessage{SiteID: siteID, VisitorID: "v1",
		Name: "Ann", Email: "ann@mail.example", Message: text, CreatedAt: f.clock.Now(), ClientID: f.uniq("c")})
	if err != nil {
		f.t.Fatal(err)
	}
	return m
}

// inboxIDs lists the ids and states a GET of a site's offline messages answers.
func inboxIDs(t *testing.T, r response) (ids, states []string) {
	t.Helper()
	list, _ := r.json(t)["messages"].([]any)
	for _, x := range list {
		m := x.(map[string]any)
		ids = append(ids, m["id"].(string))
		states = append(states, m["state"].(string))
	}
	return ids, states
}

func TestOfflineInboxStates(t *testing.T) {
	f := newFixture(t)
	a1, a2, a3 := f.mkOffline(f.siteA.ID, "one"), f.mkOffline(f.siteA.ID, "two"), f.mkOffline(f.siteA.ID, "three")
	b1 := f.mkOffline(f.siteB.ID, "other site")
	tok := f.tokens["agentA"]
	list := func(q string) string { return "/api/v1/sites/" + f.siteA.ID + "/offline-messages" + q }
	msg := func(id string) string { return "/api/v1/sites/" + f.siteA.ID + "/offline-messages/" + id }

	ids, states := inboxIDs(t, f.mustDo("GET", list(""), tok, nil, 200))
	if fmt.Sprint(ids, states) != fmt.Sprint([]string{a1.ID, a2.ID, a3.ID}, []string{"new", "new", "new"}) {
		t.Fatalf("all messages: %v %v", ids, states)
	}
	r := f.mustDo("PATCH", msg(a2.ID), tok, map[string]any{"state": "read"}, 200)
	if m := r.json(t); m["id"] != a2.ID || m["state"] != "read" || m["message"] != "two" {
		t.Fatalf("PATCH answer: %s", r.Body)
	}
	f.mustDo("PATCH", msg(a3.ID), tok, map[string]any{"state": "done", "id": a3.ID}, 200) // echoed id ignored
	for q, want := range map[string][]string{"?state=new": {a1.ID}, "?state=read": {a2.ID}, "?state=done": {a3.ID},
		"": {a1.ID, a2.ID, a3.ID}, "?state=new&after=" + a1.ID: nil} {
		if ids, _ := inboxIDs(t, f.mustDo("GET", list(q), tok, nil, 200)); fmt.Sprint(ids) != fmt.Sprint(want) {
			t.Errorf("GET %s: %v, want %v", q, ids, want)
		}
	}
	counts := f.mustDo("GET", "/api/v1/offline-messages/counts?site="+f.siteA.ID, tok, nil, 200)
	if string(counts.Body) != fmt.Sprintf(`{"new":1,"sites":[{"site_id":%q,"new":1,"read":1,"done":1}]}`+"\n", f.siteA.ID) {
		t.Fatalf("counts of site A: %s", counts.Body)
	}

	// Bad input: a clear 400 naming the field, and nothing changes.
	for _, c := range []struct {
		q, field string
	}{{"?state=", "state"}, {"?state=archived", "state"}, {"?state=NEW", "state"}, {"?limit=0&state=new", "limit"}} {
		r := f.mustDo("GET", list(c.q), tok, nil, 400)
		if _, fl := r.errField(t); fl != c.field {
			t.Errorf("GET %s: field %q, want %q", c.q, fl, c.field)
		}
	}
	for _, c := range []struct {
		body  any
		field string
	}{{map[string]any{}, "state"}, {map[string]any{"state": "archived"}, "state"}, {map[string]any{"state": 1}, "state"},
		{map[string]any{"state": nil}, "state"}, {map[string]any{"state": "done", "note": "x"}, "note"}, {"[]", ""}, {"", ""}} {
		r := f.mustDo("PATCH", msg(a1.ID), tok, c.body, 400)
		if _, fl := r.errField(t); fl != c.field {
			t.Errorf("PATCH %v: field %q, want %q", c.body, fl, c.field)
		}
	}
	// Unknown message, another site's message, a site the agent does not serve.
	f.mustDo("PATCH", msg("nope"), tok, map[string]any{"state": "done"}, 404)
	f.mustDo("PATCH", msg(b1.ID), tok, map[string]any{"state": "done"}, 404)
	f.mustDo("PATCH", "/api/v1/sites/"+f.siteB.ID+"/offline-messages/"+b1.ID, tok, map[string]any{"state": "done"}, 404)
	f.mustDo("GET", "/api/v1/offline-messages/counts?site="+f.siteB.ID, tok, nil, 404)
	f.mustDo("GET", "/api/v1/offline-messages/counts?site=nope", f.tokens["owner"], nil, 404)
	f.mustDo("GET", msg(a1.ID), tok, nil, 405)
	if ids, _ := inboxIDs(t, f.mustDo("GET", list("?state=new"), tok, nil, 200)); fmt.Sprint(ids) != fmt.Sprint([]string{a1.ID}) {
		t.Fatalf("new messages after the refused requests: %v", ids)
	}
	if ids, _ := inboxIDs(t, f.mustDo("GET", "/api/v1/sites/"+f.siteB.ID+"/offline-messages?state=new", f.tokens["agentB"], nil, 200)); fmt.Sprint(ids) != fmt.Sprint([]string{b1.ID}) {
		t.Fatalf("site B's messages after the refused requests: %v", ids)
	}

	// The counts of every site the caller is a member of.
	all := f.mustDo("GET", "/api/v1/offline-messages/counts", f.tokens["owner"], nil, 200).json(t)
	if all["new"] != float64(2) || len(all["sites"].([]any)) != 2 {
		t.Fatalf("owner's counts: %v", all)
	}
	mine := f.mustDo("GET", "/api/v1/offline-messages/counts", f.tokens["agentB"], nil, 200).json(t)
	if mine["new"] != float64(1) || len(mine["sites"].([]any)) != 1 {
		t.Fatalf("agent B's counts: %v", mine)
	}
}
