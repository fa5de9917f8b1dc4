package gateway

import (
	"encoding/json"
	"testing"

	"github.com/livedesk/gateway/gateway/api"
	"github.com/livedesk/gateway/protocol"
)

// problems returns error.errors of an error answer as "path: message" strings, after
// checking that each has a path, the code and a message, and that the first one is
// the error's own field and message.
func (r response) problems(t *testing.T) []string {
	t.Helper()
	var body struct {
		Error struct {
			Code    string             `json:"code"`
			Message string             `json:"message"`
			Field   string             `json:"field"`
			Errors  []api.FieldProblem `json:"errors"`
		} `json:"error"`
	}
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatalf("answer is not JSON: %v: %s", err, r.Body)
	}
	e := body.Error
	if len(e.Errors) == 0 {
		t.Fatalf("no error.errors in %s", r.Body)
	}
	if e.Code != protocol.CodeBadRequest || e.Field != e.Errors[0].Path || e.Message != e.Errors[0].Message {
		t.Errorf("error %q/%q/%q does not lead with its first problem %+v", e.Code, e.Field, e.Message, e.Errors[0])
	}
	out := make([]string, len(e.Errors))
	for i, p := range e.Errors {
		if p.Code != protocol.CodeBadRequest || p.Message == "" {
			t.Errorf("problem %d: %+v", i, p)
		}
		out[i] = p.Path + ": " + p.Message
	}
	return out
}

// A schedule with several problems is refused with every one of them, each at its
// field, on every endpoint that takes a schedule; nothing is stored.
func TestScheduleSaveListsEveryProblem(t *testing.T) {
	f := newFixture(t)
	tok := f.tokens["admin"]
	bad := map[string]any{"enabled": true, "timezone": "Mars/Olympus",
		"weekly": map[string]any{
			"mon": []any{map[string]string{"from": "8:00", "to": "12:00"}, map[string]string{"from": "13:00", "to": "13:00"}},
			"tue": []any{map[string]string{"from": "09:00", "to": "25:00"}},
		},
		"exceptions": []any{map[string]any{"date": "2026-12-25", "intervals": []any{}}, map[string]any{"date": "2026-12-25", "intervals": []any{}}},
	}
	want := []string{
		`timezone: unknown time zone "Mars/Olympus"`,
		"weekly.mon[0].from: must be HH:MM between 00:00 and 23:59",
		"weekly.mon[1].to: must differ from from (use 00:00 to 24:00 for a whole day)",
		"weekly.tue[0].to: must be HH:MM between 00:00 and 24:00",
		"exceptions[1].date: duplicate date 2026-12-25 (also exceptions[0])",
	}
	prefixed := make([]string, len(want))
	for i, w := range want {
		prefixed[i] = "schedule." + w
	}
	site := "/api/v1/sites/" + f.siteA.ID
	agent := "/api/v1/agents/" + f.agentA.ID
	cases := []struct {
		name, method, path, get string
		body                    any
		want                    []string
	}{
		{"PUT site schedule", "PUT", site + "/schedule", site, bad, want},
		{"PATCH site", "PATCH", site, site, map[string]any{"schedule": bad}, prefixed},
		{"PUT agent schedule", "PUT", agent + "/schedule", agent, bad, want},
		{"PATCH agent", "PATCH", agent, agent, map[string]any{"schedule": bad}, prefixed},
		// A document that cannot be decoded has one problem, for the document.
		{"not an object", "PUT", site + "/schedule", site, `[1]`, []string{": must be a schedule object"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := f.mustDo("GET", c.get, tok, nil, 200).Body
			got := f.mustDo(c.method, c.path, tok, c.body, 400).problems(t)
			if len(got) != len(c.want) {
				t.Fatalf("problems\n%q\nwant\n%q", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Errorf("problem %d: %q, want %q", i, got[i], c.want[i])
				}
			}
			if after := f.mustDo("GET", c.get, tok, nil, 200).Body; string(after) != string(before) {
				t.Fatalf("a refused schedule changed the record:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}
