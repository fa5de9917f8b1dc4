package gateway

import (
	"testing"

	"github.com/livedesk/gateway/protocol"
)

// retention_days (docs/protocol.md#retention): null by default and when cleared,
// a whole number of days from 1 to 3650 otherwise; anything else is a 400 naming
// the field that changes nothing.
func TestSiteRetentionDaysField(t *testing.T) {
	f := newFixture(t)
	tok := f.tokens["admin"]
	path := "/api/v1/sites/" + f.siteA.ID
	days := func() any { t.Helper(); return f.mustDo("GET", path, tok, nil, 200).json(t)["retention_days"] }
	if m := f.mustDo("GET", path, tok, nil, 200).json(t); m["retention_days"] != nil {
		t.Fatalf("default retention_days %v, want null", m["retention_days"])
	} else if _, ok := m["retention_days"]; !ok {
		t.Fatal("GET does not show retention_days")
	}
	for _, c := range []struct {
		body any
		want any
	}{
		{30, 30.0}, {1, 1.0}, {3650, 3650.0}, {nil, nil}, {90, 90.0},
	} {
		got := f.mustDo("PATCH", path, tok, map[string]any{"retention_days": c.body}, 200).json(t)["retention_days"]
		if got != c.want || days() != c.want {
			t.Fatalf("PATCH retention_days %v: answered %v, stored %v", c.body, got, days())
		}
	}
	for _, bad := range []any{0, -1, 3651, "30", 1.5, true, map[string]any{}} {
		r := f.do("PATCH", path, tok, map[string]any{"retention_days": bad, "name": "Renamed"})
		if r.Code != 400 {
			t.Fatalf("retention_days %v: status %d: %s", bad, r.Code, r.Body)
		}
		if code, field := r.errField(t); code != protocol.CodeBadRequest || field != "retention_days" {
			t.Fatalf("retention_days %v: error %q on %q", bad, code, field)
		}
		if days() != 90.0 || f.mustDo("GET", path, tok, nil, 200).json(t)["name"] == "Renamed" {
			t.Fatalf("a refused retention_days %v changed the site", bad)
		}
	}
	created := f.mustDo("POST", "/api/v1/sites", f.tokens["owner"], map[string]any{"name": "Kept a week", "retention_days": 7}, 201).json(t)
	if created["retention_days"] != 7.0 {
		t.Fatalf("created with retention_days %v", created["retention_days"])
	}
	f.mustDo("POST", "/api/v1/sites", f.tokens["owner"], map[string]any{"name": "Bad", "retention_days": 0}, 400)
}
