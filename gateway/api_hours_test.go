package gateway

import (
	"fmt"
	"strings"
	"testing"
)

// The preview answers what GET /hours would for an unsaved schedule, with the
// intervals it merges, and stores nothing.
func TestHoursPreviewOfUnsavedSchedule(t *testing.T) {
	f := newFixture(t)
	tok := f.tokens["admin"]
	site := "/api/v1/sites/" + f.siteA.ID
	before := f.mustDo("GET", site, tok, nil, 200).Body
	// Monday 2026-11-23 in Paris: a morning and an afternoon that touch at 12:00, and
	// an overlap on Tuesday; Christmas Eve's special hours replace Thursday's.
	iv := func(from, to string) map[string]string { return map[string]string{"from": from, "to": to} }
	draft := map[string]any{"enabled": true, "timezone": "Europe/Paris",
		"weekly": map[string]any{
			"mon": []any{iv("09:00", "12:00"), iv("12:00", "17:00")},
			"tue": []any{iv("14:00", "18:00"), iv("09:00", "15:00")},
			"thu": []any{iv("09:00", "17:00")},
		},
		"exceptions": []any{map[string]any{"date": "2026-11-26", "intervals": []any{iv("10:00", "11:00")}}},
	}
	m := f.mustDo("POST", site+"/hours/preview?from=2026-11-23&to=2026-11-26", tok, draft, 200).json(t)
	if m["timezone"] != "Europe/Paris" || m["from"] != "2026-11-23" || m["to"] != "2026-11-26" {
		t.Fatalf("preview %v", m)
	}
	if got := fmt.Sprint(m["periods"]); got != "[map[end:2026-11-23T16:00:00Z start:2026-11-23T08:00:00Z] "+
		"map[end:2026-11-24T17:00:00Z start:2026-11-24T08:00:00Z] map[end:2026-11-26T10:00:00Z start:2026-11-26T09:00:00Z]]" {
		t.Errorf("periods %s", got)
	}
	if got := fmt.Sprint(m["merges"]); got != "[map[indices:[0 1] intervals:[map[from:09:00 to:12:00] map[from:12:00 to:17:00]] into:map[from:09:00 to:17:00] path:weekly.mon] "+
		"map[indices:[0 1] intervals:[map[from:14:00 to:18:00] map[from:09:00 to:15:00]] into:map[from:09:00 to:18:00] path:weekly.tue]]" {
		t.Errorf("merges %s", got)
	}
	// The saved hours are unchanged: always open, no merges.
	if after := f.mustDo("GET", site, tok, nil, 200).Body; string(after) != string(before) {
		t.Fatalf("the preview changed the site:\nbefore %s\nafter  %s", before, after)
	}
	// Without a range: 14 days from today in the draft's zone.
	m = f.mustDo("POST", site+"/hours/preview", tok, draft, 200).json(t)
	if m["from"] != "2026-11-23" || m["to"] != "2026-12-06" {
		t.Errorf("default range %v..%v", m["from"], m["to"])
	}
	// Nothing merges: an empty list, not null.
	r := f.mustDo("POST", site+"/hours/preview", tok, map[string]any{"enabled": true, "timezone": "UTC", "weekly": map[string]any{"mon": []any{iv("09:00", "12:00"), iv("13:00", "17:00")}}}, 200)
	if !strings.Contains(string(r.Body), `"merges":[]`) {
		t.Errorf("no merges: %s", r.Body)
	}
}

// Range bounds and bad schedules are refused as GET /hours refuses them, each naming
// its field; an invalid schedule lists every problem.
func TestHoursPreviewRefusals(t *testing.T) {
	f := newFixture(t)
	tok := f.tokens["admin"]
	site := "/api/v1/sites/" + f.siteA.ID
	good := map[string]any{"enabled": true, "timezone": "UTC", "weekly": map[string]any{}}
	cases := []struct {
		name, query string
		body        any
		status      int
		field       string
		problems    int // expected len(error.errors); 0: none
	}{
		{"366 days", "from=2026-01-01&to=2027-01-01", good, 200, "", 0},
		{"367 days", "from=2026-01-01&to=2027-01-02", good, 400, "to", 0},
		{"to before from", "from=2026-10-24&to=2026-10-23", good, 400, "to", 0},
		{"to alone before today", "to=2026-11-22", good, 400, "to", 0},
		{"bad from", "from=2026-13-01", good, 400, "from", 0},
		{"bad to", "to=tomorrow", good, 400, "to", 0},
		{"bad zone", "", map[string]any{"enabled": true, "timezone": "Mars/Olympus"}, 400, "timezone", 1},
		{"Local zone", "", map[string]any{"enabled": true, "timezone": "Local"}, 400, "timezone", 1},
		{"bad zone and bad range", "from=2026-13-01", map[string]any{"enabled": true, "timezone": "Mars/Olympus"}, 400, "timezone", 1},
		{"several problems", "", map[string]any{"enabled": true, "timezone": "",
			"weekly": map[string]any{"mon": []any{map[string]string{"from": "9", "to": "9"}}, "fun": []any{}}}, 400, "timezone", 4},
		{"not a schedule", "", `"hours"`, 400, "", 1},
		{"empty body", "", ``, 400, "", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := f.mustDo("POST", site+"/hours/preview?"+c.query, tok, c.body, c.status)
			if c.status == 200 {
				return
			}
			if _, field := r.errField(t); field != c.field {
				t.Errorf("field %q, want %q: %s", field, c.field, r.Body)
			}
			if c.problems > 0 {
				if got := r.problems(t); len(got) != c.problems {
					t.Errorf("problems %q, want %d", got, c.problems)
				}
			}
		})
	}
	// An unknown site is not found, for a manager too.
	f.mustDo("POST", "/api/v1/sites/nope/hours/preview", tok, good, 404)
}
