package gateway

import (
	"fmt"
	"testing"

	"github.com/livedesk/gateway/store"
)

// coverageSite is a site whose hours leave known gaps in the week of Monday
// 2026-12-07: Paris, weekdays 09:00-17:00, closed on Tuesday 8. Ann (Paris) is
// rostered 09:00-13:00 every weekday; Bob (New York) 07:00-10:00, 13:00-16:00 in Paris,
// and 07:00-11:00 on Wednesday 9. So 16:00-17:00 Paris (15:00Z-16:00Z) is uncovered on
// Monday, Thursday and Friday. The owner and the admin (who follow the site's hours)
// are moved to site A, and an agent of site B with no schedule serves elsewhere: none
// of them counts.
type coverageSite struct {
	site     *store.Site
	ann, bob *store.Agent
	from, to string
	gaps     []string // "start end" in UTC
}

func (f *fixture) mkCoverageSite() coverageSite {
	f.t.Helper()
	owner := f.tokens["owner"]
	iv := func(from, to string) []any { return []any{map[string]string{"from": from, "to": to}} }
	week := func(from, to string) map[string]any {
		return map[string]any{"mon": iv(from, to), "tue": iv(from, to), "wed": iv(from, to), "thu": iv(from, to), "fri": iv(from, to)}
	}
	c := coverageSite{site: f.mkSite("Coverage"), from: "2026-12-07", to: "2026-12-11"}
	f.mustDo("PUT", "/api/v1/sites/"+c.site.ID+"/schedule", owner, map[string]any{"enabled": true, "timezone": "Europe/Paris",
		"weekly": week("09:00", "17:00"), "exceptions": []any{map[string]any{"date": "2026-12-08", "intervals": []any{}}}}, 200)
	for _, a := range []*store.Agent{f.owner, f.admin} {
		f.mustDo("PATCH", "/api/v1/agents/"+a.ID, owner, map[string]any{"sites": []string{f.siteA.ID}}, 200)
	}
	c.ann = f.mkAgentAs(f.uniq("ann")+"@example.com", store.RoleAgent, []string{c.site.ID})
	f.mustDo("PUT", "/api/v1/agents/"+c.ann.ID+"/schedule", owner, map[string]any{"enabled": true, "timezone": "Europe/Paris", "weekly": week("09:00", "13:00")}, 200)
	c.bob = f.mkAgentAs(f.uniq("bob")+"@example.com", store.RoleAgent, []string{c.site.ID, f.siteB.ID})
	f.mustDo("PUT", "/api/v1/agents/"+c.bob.ID+"/schedule", owner, map[string]any{"enabled": true, "timezone": "America/New_York", "weekly": week("07:00", "10:00"),
		"exceptions": []any{map[string]any{"date": "2026-12-09", "intervals": iv("07:00", "11:00")}}}, 200)
	f.mkAgent(store.RoleAgent, []string{f.siteB.ID})
	c.gaps = []string{
		"2026-12-07T15:00:00Z 2026-12-07T16:00:00Z",
		"2026-12-10T15:00:00Z 2026-12-10T16:00:00Z",
		"2026-12-11T15:00:00Z 2026-12-11T16:00:00Z",
	}
	return c
}

// gapsOf returns a coverage answer's gaps as "start end" strings.
func gapsOf(t *testing.T, r response) []string {
	t.Helper()
	list, ok := r.json(t)["gaps"].([]any)
	if !ok {
		t.Fatalf("no gaps list in %s", r.Body)
	}
	out := []string{}
	for _, g := range list {
		m := g.(map[string]any)
		out = append(out, fmt.Sprint(m["start"], " ", m["end"]))
	}
	return out
}

// The gaps of a week with agents in two zones and special dates of both the site and
// an agent; an agent following the site's hours closes them; a site no one serves is
// all gaps.
func TestCoverageGaps(t *testing.T) {
	f := newFixture(t)
	c := f.mkCoverageSite()
	path := "/api/v1/sites/" + c.site.ID + "/coverage?from=" + c.from + "&to=" + c.to
	for _, who := range []string{"owner", "admin"} {
		if got := gapsOf(t, f.mustDo("GET", path, f.tokens[who], nil, 200)); fmt.Sprint(got) != fmt.Sprint(c.gaps) {
			t.Fatalf("as %s: gaps %q, want %q", who, got, c.gaps)
		}
	}
	// Without a range: 14 days from today (Monday 2026-11-23 in Paris), Bob's
	// Wednesday exception not among them: the ten weekdays each leave their hour.
	if got := gapsOf(t, f.mustDo("GET", "/api/v1/sites/"+c.site.ID+"/coverage", f.tokens["admin"], nil, 200)); len(got) != 10 ||
		got[0] != "2026-11-23T15:00:00Z 2026-11-23T16:00:00Z" || got[9] != "2026-12-04T15:00:00Z 2026-12-04T16:00:00Z" {
		t.Fatalf("default range: %q", got)
	}
	// Presence plays no part: Ann away changes nothing.
	f.mustDo("PUT", "/api/v1/agents/"+c.ann.ID+"/presence", f.tokens["owner"], map[string]string{"status": "away"}, 200)
	if got := gapsOf(t, f.mustDo("GET", path, f.tokens["owner"], nil, 200)); fmt.Sprint(got) != fmt.Sprint(c.gaps) {
		t.Fatalf("with Ann away: %q", got)
	}
	// An agent of the site with no schedule follows its hours: no gap left.
	carl := f.mkAgent(store.RoleAgent, []string{c.site.ID})
	if got := gapsOf(t, f.mustDo("GET", path, f.tokens["owner"], nil, 200)); len(got) != 0 {
		t.Fatalf("with an agent following the hours: %q", got)
	}
	f.mustDo("DELETE", "/api/v1/agents/"+carl.ID, f.tokens["owner"], nil, 204)
	// No one serves this site: every open period is a gap.
	nobody := f.mkSite("Nobody")
	f.mustDo("PUT", "/api/v1/sites/"+nobody.ID+"/schedule", f.tokens["owner"], map[string]any{"enabled": true, "timezone": "UTC",
		"weekly": map[string]any{"mon": []any{map[string]string{"from": "22:00", "to": "02:00"}}}}, 200)
	got := gapsOf(t, f.mustDo("GET", "/api/v1/sites/"+nobody.ID+"/coverage?from=2026-12-06&to=2026-12-07", f.tokens["owner"], nil, 200))
	if fmt.Sprint(got) != "[2026-12-07T22:00:00Z 2026-12-08T00:00:00Z]" {
		t.Fatalf("no one serves: %q", got)
	}
}

// The range is read as GET /hours reads it, each refusal naming its field; only
// owners and admins may ask, and an unknown site is not found.
func TestCoverageRefusals(t *testing.T) {
	f := newFixture(t)
	site := "/api/v1/sites/" + f.siteA.ID + "/coverage"
	cases := []struct {
		name, query string
		status      int
		field       string
	}{
		{"366 days", "from=2026-01-01&to=2027-01-01", 200, ""},
		{"367 days", "from=2026-01-01&to=2027-01-02", 400, "to"},
		{"to before from", "from=2026-10-24&to=2026-10-23", 400, "to"},
		{"to alone before today", "to=2026-11-22", 400, "to"},
		{"bad from", "from=2026-13-01", 400, "from"},
		{"bad to", "to=tomorrow", 400, "to"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			coverage := f.mustDo("GET", site+"?"+c.query, f.tokens["admin"], nil, c.status)
			hours := f.mustDo("GET", "/api/v1/sites/"+f.siteA.ID+"/hours?"+c.query, f.tokens["admin"], nil, c.status)
			if c.status == 200 {
				return
			}
			_, field := coverage.errField(t)
			if field != c.field {
				t.Errorf("field %q, want %q: %s", field, c.field, coverage.Body)
			}
			if fmt.Sprint(coverage.json(t)["error"]) != fmt.Sprint(hours.json(t)["error"]) {
				t.Errorf("coverage refuses %s, /hours %s", coverage.Body, hours.Body)
			}
		})
	}
	f.mustDo("GET", site, f.tokens["agentA"], nil, 403)
	f.mustDo("GET", "/api/v1/sites/nope/coverage", f.tokens["admin"], nil, 404)
}
