package schedule

import (
	"errors"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	const ok = `{"from":"08:00","to":"12:00"}`
	thirteen := strings.Repeat(ok+",", 12) + ok
	tests := []struct {
		name, js, path, msg string
	}{
		// Document level.
		{"syntax", `{"enabled":true,`, "", "invalid JSON"},
		{"trailing data", `{} {}`, "", "invalid JSON"},
		{"not an object", `[1]`, "", "must be a schedule object"},
		{"null", ` null `, "", "must be a schedule object"},
		// Timezone.
		{"unknown zone", `{"enabled":true,"timezone":"Mars/Olympus"}`, "timezone", "unknown time zone"},
		{"unknown zone when disabled", `{"enabled":false,"timezone":"Mars/Olympus"}`, "timezone", "unknown time zone"},
		{"missing zone when enabled", `{"enabled":true}`, "timezone", "required"},
		{"Local", `{"enabled":true,"timezone":"Local"}`, "timezone", "not Local"},
		{"path traversal", `{"enabled":true,"timezone":"../../etc/passwd"}`, "timezone", "unknown time zone"},
		// Times.
		{"bad from", `{"enabled":false,"weekly":{"mon":[` + ok + `,{"from":"8:00","to":"12:00"}]}}`, "weekly.mon[1].from", "must be HH:MM"},
		{"from 24:00", `{"weekly":{"mon":[{"from":"24:00","to":"12:00"}]}}`, "weekly.mon[0].from", "only as to"},
		{"hour 25", `{"weekly":{"sun":[{"from":"25:00","to":"12:00"}]}}`, "weekly.sun[0].from", "must be HH:MM"},
		{"minute 60", `{"weekly":{"sun":[{"from":"10:60","to":"12:00"}]}}`, "weekly.sun[0].from", "must be HH:MM"},
		{"24:30", `{"weekly":{"sun":[{"from":"10:00","to":"24:30"}]}}`, "weekly.sun[0].to", "must be HH:MM"},
		{"seconds", `{"weekly":{"sun":[{"from":"10:00:00","to":"12:00"}]}}`, "weekly.sun[0].from", "must be HH:MM"},
		{"sign", `{"weekly":{"sun":[{"from":"+1:00","to":"12:00"}]}}`, "weekly.sun[0].from", "must be HH:MM"},
		{"missing to", `{"weekly":{"tue":[{"from":"10:00"}]}}`, "weekly.tue[0].to", "must be HH:MM"},
		{"from equals to", `{"weekly":{"wed":[{"from":"10:00","to":"10:00"}]}}`, "weekly.wed[0].to", "must differ"},
		{"00:00 to 00:00", `{"weekly":{"wed":[{"from":"00:00","to":"00:00"}]}}`, "weekly.wed[0].to", "must differ"},
		{"bad exception time", `{"exceptions":[{"date":"2026-12-24","intervals":[]},{"date":"2026-12-25","intervals":[{"from":"10:00","to":"1000"}]}]}`,
			"exceptions[1].intervals[0].to", "must be HH:MM"},
		// Days.
		{"13 intervals", `{"weekly":{"tue":[` + thirteen + `]}}`, "weekly.tue", "at most 12"},
		{"13 intervals in an exception", `{"exceptions":[{"date":"2026-12-24","intervals":[` + thirteen + `]}]}`, "exceptions[0].intervals", "at most 12"},
		{"unknown weekday", `{"weekly":{"monday":[],"zzz":[],"mon":[]}}`, "weekly.monday", "unknown weekday"},
		{"weekday case matters", `{"weekly":{"Mon":[]}}`, "weekly.Mon", "unknown weekday"},
		{"known days first", `{"weekly":{"aaa":[],"sun":[{"from":"x","to":"12:00"}]}}`, "weekly.sun[0].from", "must be HH:MM"},
		// Dates.
		{"bad date", `{"exceptions":[{"date":"2026-1-01","intervals":[]}]}`, "exceptions[0].date", "YYYY-MM-DD"},
		{"not a real date", `{"exceptions":[{"date":"2026-02-29","intervals":[]}]}`, "exceptions[0].date", "real calendar date"},
		{"missing date", `{"exceptions":[{"intervals":[]}]}`, "exceptions[0].date", "YYYY-MM-DD"},
		{"year 1899", `{"exceptions":[{"date":"1899-12-31","intervals":[]}]}`, "exceptions[0].date", "between 1900 and 2199"},
		{"year 2200", `{"exceptions":[{"date":"2200-01-01","intervals":[]}]}`, "exceptions[0].date", "between 1900 and 2199"},
		{"duplicate date", `{"exceptions":[{"date":"2026-12-24","intervals":[]},{"date":"2026-12-25","intervals":[]},` +
			`{"date":"2026-12-26","intervals":[]},{"date":"2026-12-24","intervals":[]}]}`, "exceptions[3].date", "duplicate date 2026-12-24 (also exceptions[0])"},
		// Wrong JSON types.
		{"enabled string", `{"enabled":"yes"}`, "enabled", "must be true or false"},
		{"timezone number", `{"timezone":1}`, "timezone", "must be a string"},
		{"weekly array", `{"weekly":[]}`, "weekly", "must be an object"},
		{"weekday not array", `{"weekly":{"fri":{}}}`, "weekly.fri", "must be an array"},
		{"interval not object", `{"weekly":{"fri":[` + ok + `,"08:00-12:00"]}}`, "weekly.fri[1]", "must be an object"},
		{"from number", `{"weekly":{"mon":[` + ok + `,{"from":8,"to":"12:00"}]}}`, "weekly.mon[1].from", "must be a string"},
		{"to in capitals", `{"weekly":{"mon":[{"from":"08:00","TO":false}]}}`, "weekly.mon[0].to", "must be a string"},
		{"exceptions object", `{"exceptions":{}}`, "exceptions", "must be an array"},
		{"exception not object", `{"exceptions":[1]}`, "exceptions[0]", "must be an object"},
		{"date number", `{"exceptions":[{"date":20261224}]}`, "exceptions[0].date", "must be a string"},
		{"exception intervals", `{"exceptions":[{"date":"2026-12-24","intervals":{}}]}`, "exceptions[0].intervals", "must be an array"},
		{"exception interval to", `{"exceptions":[{"date":"2026-12-24","intervals":[{"from":"08:00","to":[]}]}]}`, "exceptions[0].intervals[0].to", "must be a string"},
		{"unknown weekday, wrong type", `{"weekly":{"monday":1}}`, "weekly.monday", "must be an array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.js))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse(%s) = %v, want an *Error", tt.js, err)
			}
			assertEqual(t, "path", e.Path, tt.path)
			if !strings.Contains(e.Message, tt.msg) {
				t.Errorf("message %q does not contain %q", e.Message, tt.msg)
			}
			if tt.path != "" && !strings.HasPrefix(e.Error(), tt.path+": ") {
				t.Errorf("Error() = %q, want it to start with the path", e.Error())
			}
			// Compile reports the same error on the decoded schedule (when it decodes).
			if s, ok := decodeLoose(tt.js); ok {
				if _, err := Compile(s); err == nil || err.Error() != e.Error() {
					t.Errorf("Compile error %v, want %v", err, e)
				}
			}
		})
	}
}

func TestParseAccepts(t *testing.T) {
	tests := []string{
		`{"enabled":true,"timezone":"Europe/Paris","weekly":{"mon":[{"from":"08:00","to":"12:00"},{"from":"13:00","to":"17:00"}],` +
			`"tue":[],"wed":[],"thu":[],"fri":[],"sat":[],"sun":[]},"exceptions":[{"date":"2026-12-25","intervals":[]},` +
			`{"date":"2026-12-24","intervals":[{"from":"08:00","to":"12:00"}]}]}`, // docs/protocol.md's example
		`{"enabled":true,"timezone":"UTC"}`,
		`{"enabled":false}`,
		`{"enabled":false,"timezone":""}`,
		`{"enabled":true,"timezone":"Asia/Kolkata","weekly":{"mon":null},"exceptions":null}`,
		`{"enabled":true,"timezone":"UTC","weekly":{"mon":[{"from":"00:00","to":"24:00"},{"from":"22:00","to":"00:00"},{"from":"23:59","to":"00:00"}]}}`,
		`{"enabled":true,"timezone":"UTC","exceptions":[{"date":"1900-01-01","intervals":[]},{"date":"2199-12-31","intervals":null}]}`,
		`{"Enabled":true,"TIMEZONE":"UTC","unknown":{"ignored":[1,2]}}`,
		`{"enabled":true,"timezone":"UTC","weekly":{"mon":[` + strings.Repeat(`{"from":"08:00","to":"12:00"},`, 11) + `{"from":"08:00","to":"12:00"}]}}`,
	}
	for _, js := range tests {
		s, err := Parse([]byte(js))
		if err != nil {
			t.Errorf("Parse(%s): %v", js, err)
			continue
		}
		if _, err := Compile(s); err != nil {
			t.Errorf("Compile(%s): %v", js, err)
		}
	}
}

func TestNormalize(t *testing.T) {
	s, err := Parse([]byte(`{"enabled":true,"timezone":"UTC","weekly":{"mon":[{"from":"08:00","to":"12:00"}],"tue":null},` +
		`"exceptions":[{"date":"2026-12-25"}]}`))
	assertNoError(t, err)
	n := s.Normalize()
	assertEqual(t, "weekday keys", len(n.Weekly), 7)
	for _, d := range Weekdays {
		if n.Weekly[d] == nil {
			t.Errorf("Weekly[%s] is nil", d)
		}
	}
	assertEqual(t, "mon", n.Weekly["mon"], []Interval{{From: "08:00", To: "12:00"}})
	if n.Exceptions[0].Intervals == nil {
		t.Error("exception intervals are nil")
	}
	n.Weekly["mon"][0].From = "09:00" // a deep copy: the original is untouched
	assertEqual(t, "original", s.Weekly["mon"][0].From, "08:00")
	assertEqual(t, "empty exceptions", Schedule{}.Normalize().Exceptions != nil, true)
	assertEqual(t, "AlwaysOpen is normal", AlwaysOpen().Normalize(), AlwaysOpen())
	assertNoError(t, AlwaysOpen().Validate())
}

// decodeLoose decodes a JSON schedule without validating it; false when it does not decode.
func decodeLoose(js string) (Schedule, bool) {
	var s Schedule
	if err := jsonUnmarshal([]byte(js), &s); err != nil || strings.TrimSpace(js) == "null" {
		return s, false
	}
	return s, true
}
