package gateway

import (
	"strings"
	"testing"
	"time"

	"github.com/livedesk/gateway/gateway/api"
	"github.com/livedesk/gateway/protocol"
)

func TestSiteValidationNamesTheFieldAndChangesNothing(t *testing.T) {
	f := newFixture(t)
	tok := f.tokens["admin"]
	path := "/api/v1/sites/" + f.siteA.ID
	before := f.mustDo("GET", path, tok, nil, 200).Body
	cases := []struct {
		name   string
		method string
		path   string
		body   any
		code   int
		field  string
	}{
		{"bad JSON", "PATCH", path, `{"name":`, 400, ""},
		{"not an object", "PATCH", path, `[1,2]`, 400, ""},
		{"empty body", "PATCH", path, ``, 400, ""},
		{"unknown field", "PATCH", path, map[string]any{"closing_soon_minute": 5}, 400, "closing_soon_minute"},
		{"wrong type", "PATCH", path, map[string]any{"closing_soon_minutes": "5"}, 400, "closing_soon_minutes"},
		{"out of range", "PATCH", path, map[string]any{"queue_timeout_seconds": 1}, 400, "queue_timeout_seconds"},
		{"empty name", "PATCH", path, map[string]any{"name": "  "}, 400, "name"},
		{"good field then bad field", "PATCH", path, map[string]any{"name": "Renamed", "mode": "closed"}, 400, "mode"},
		{"bad origin", "PATCH", path, map[string]any{"allowed_origins": []string{"https://ok.example", "ftp://x"}}, 400, "allowed_origins[1]"},
		{"origin with path", "PATCH", path, map[string]any{"allowed_origins": []string{"https://ok.example/shop"}}, 400, "allowed_origins[0]"},
		{"bad notify e-mail", "PATCH", path, map[string]any{"notify": map[string]any{"emails": []string{"a@b.example", "nope"}}}, 400, "notify.emails[1]"},
		{"bad webhook", "PATCH", path, map[string]any{"notify": map[string]any{"webhook_url": "ftp://x.example/"}}, 400, "notify.webhook_url"},
		{"unknown notify field", "PATCH", path, map[string]any{"notify": map[string]any{"secret": "x"}}, 400, "notify.secret"},
		{"bad alert webhook", "PATCH", path, map[string]any{"presence_alerts": map[string]any{"webhook_url": "javascript:alert(1)"}}, 400, "presence_alerts.webhook_url"},
		{"bad alert e-mail", "PATCH", path, map[string]any{"presence_alerts": map[string]any{"emails": []string{"oncall"}}}, 400, "presence_alerts.emails[0]"},
		{"alert delay", "PATCH", path, map[string]any{"presence_alerts": map[string]any{"after_seconds": 0}}, 400, "presence_alerts.after_seconds"},
		{"form field name", "PATCH", path, map[string]any{"offline_form": map[string]any{"fields": []any{map[string]any{"name": "Bad Name", "label": "x"}}}}, 400, "offline_form.fields[0].name"},
		{"form field reserved", "PATCH", path, map[string]any{"offline_form": map[string]any{"fields": []any{map[string]any{"name": "email", "label": "x"}}}}, 400, "offline_form.fields[0].name"},
		{"form label tag", "PATCH", path, map[string]any{"offline_form": map[string]any{"fields": []any{map[string]any{"name": "order", "label": "Order", "labels": map[string]string{"de": "Bestellung", "en us": "Order"}}}}}, 400, "offline_form.fields[0].labels"},
		{"form label empty", "PATCH", path, map[string]any{"offline_form": map[string]any{"fields": []any{map[string]any{"name": "order", "label": "Order", "labels": map[string]string{"de": ""}}}}}, 400, "offline_form.fields[0].labels.de"},
		{"form label long", "PATCH", path, map[string]any{"offline_form": map[string]any{"fields": []any{map[string]any{"name": "order", "label": "Order", "labels": map[string]string{"fr": strings.Repeat("é", 201)}}}}}, 400, "offline_form.fields[0].labels.fr"},
		{"form label twice", "PATCH", path, map[string]any{"offline_form": map[string]any{"fields": []any{map[string]any{"name": "order", "label": "Order", "labels": map[string]string{"pt-BR": "Pedido", "pt-br": "Pedido"}}}}}, 400, "offline_form.fields[0].labels.pt-br"},
		{"form label type", "PATCH", path, map[string]any{"offline_form": map[string]any{"fields": []any{map[string]any{"name": "order", "label": "Order", "labels": []string{"Bestellung"}}}}}, 400, "offline_form.fields"},
		{"form field type", "PATCH", path, map[string]any{"offline_form": map[string]any{"fields": []any{map[string]any{"name": "order", "label": "Order", "type": "date-ish"}}}}, 400, "offline_form.fields[0].type"},
		{"schedule in patch", "PATCH", path, map[string]any{"schedule": map[string]any{"enabled": true, "timezone": "Europe/Paris", "weekly": map[string]any{"mon": []any{map[string]string{"from": "8:00", "to": "12:00"}}}}}, 400, "schedule.weekly.mon[0].from"},
		{"schedule zone", "PUT", path + "/schedule", map[string]any{"enabled": true, "timezone": "Mars/Olympus", "weekly": map[string]any{}}, 400, "timezone"},
		{"schedule from==to", "PUT", path + "/schedule", map[string]any{"enabled": true, "timezone": "UTC", "weekly": map[string]any{"tue": []any{map[string]string{"from": "09:00", "to": "09:00"}}}}, 400, "weekly.tue[0].to"},
		{"schedule duplicate date", "PUT", path + "/schedule", map[string]any{"enabled": true, "timezone": "UTC", "exceptions": []any{map[string]any{"date": "2026-12-25", "intervals": []any{}}, map[string]any{"date": "2026-12-25", "intervals": []any{}}}}, 400, "exceptions[1].date"},
		{"schedule bad date", "PUT", path + "/schedule", map[string]any{"enabled": true, "timezone": "UTC", "exceptions": []any{map[string]any{"date": "2026-02-30", "intervals": []any{}}}}, 400, "exceptions[0].date"},
		{"mode value", "PUT", path + "/mode", map[string]any{"mode": "closed"}, 400, "mode"},
		{"mode missing", "PUT", path + "/mode", map[string]any{}, 400, "mode"},
		{"create without name", "POST", "/api/v1/sites", map[string]any{"mode": "auto"}, 400, "name"},
		{"too large", "PATCH", path, `{"name":"` + strings.Repeat("x", api.MaxBodyBytes) + `"}`, 413, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := f.do(c.method, c.path, tok, c.body)
			if r.Code != c.code {
				t.Fatalf("status %d, want %d: %s", r.Code, c.code, r.Body)
			}
			code, field := r.errField(t)
			if code != protocol.CodeBadRequest {
				t.Errorf("code %q, want %q", code, protocol.CodeBadRequest)
			}
			if field != c.field {
				t.Errorf("field %q, want %q", field, c.field)
			}
			if after := f.mustDo("GET", path, tok, nil, 200).Body; string(after) != string(before) {
				t.Fatalf("a refused request changed the site:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

func TestSiteCreateDefaultsAndWriteOnlySecret(t *testing.T) {
	f := newFixture(t)
	r := f.mustDo("POST", "/api/v1/sites", f.tokens["owner"], map[string]any{
		"name": "Shop", "notify": map[string]any{"webhook_url": "https://hooks.example/x", "webhook_secret": "s3cret"},
	}, 201)
	if strings.Contains(string(r.Body), "s3cret") {
		t.Fatalf("the webhook secret came back: %s", r.Body)
	}
	m := r.json(t)
	if m["mode"] != "auto" || m["closing_soon_minutes"] != 10.0 || m["queue_timeout_seconds"] != 300.0 {
		t.Errorf("defaults wrong: %s", r.Body)
	}
	if n := m["notify"].(map[string]any); n["webhook_secret_set"] != true {
		t.Errorf("webhook_secret_set not true: %s", r.Body)
	}
	if pa := m["presence_alerts"].(map[string]any); pa["after_seconds"] != 60.0 {
		t.Errorf("presence_alerts.after_seconds default: %v", pa["after_seconds"])
	}
	sch := m["schedule"].(map[string]any)
	if sch["enabled"] != false || len(sch["weekly"].(map[string]any)) != 7 {
		t.Errorf("default schedule: %v", sch)
	}
	// A PATCH of notify without the secret keeps it.
	id := m["id"].(string)
	f.mustDo("PATCH", "/api/v1/sites/"+id, f.tokens["owner"], map[string]any{"notify": map[string]any{"emails": []string{"desk@example.com"}}}, 200)
	st, err := f.store.GetSite(t.Context(), id)
	if err != nil || st.Notify.WebhookSecret != "s3cret" || len(st.Notify.Emails) != 1 {
		t.Fatalf("secret or e-mails not kept: %+v %v", st.Notify, err)
	}
}

func TestAgentSeesOnlyItsSites(t *testing.T) {
	f := newFixture(t)
	r := f.mustDo("GET", "/api/v1/sites", f.tokens["agentB"], nil, 200)
	sites := r.json(t)["sites"].([]any)
	if len(sites) != 1 || sites[0].(map[string]any)["id"] != f.siteB.ID {
		t.Fatalf("agentB sees %s", r.Body)
	}
	r = f.mustDo("GET", "/api/v1/sites", f.tokens["admin"], nil, 200)
	if n := len(r.json(t)["sites"].([]any)); n != 2 {
		t.Fatalf("admin sees %d sites, want 2", n)
	}
	f.mkConversation(f.siteA.ID)
	f.mkConversation(f.siteB.ID)
	r = f.mustDo("GET", "/api/v1/conversations", f.tokens["agentB"], nil, 200)
	convs := r.json(t)["conversations"].([]any)
	if len(convs) != 1 || convs[0].(map[string]any)["site_id"] != f.siteB.ID {
		t.Fatalf("agentB lists %s", r.Body)
	}
}

func TestModeAndScheduleDriveTheStatus(t *testing.T) {
	f := newFixture(t)
	tok := f.tokens["admin"]
	path := "/api/v1/sites/" + f.siteA.ID
	// Always open by default, but nobody has ever had a socket: no agents, from the
	// first instant (no restart grace for agents that were not there).
	m := f.mustDo("GET", path+"/status", tok, nil, 200).json(t)
	if m["online"] != false || m["reason"] != "no_agents" || m["closes_at"] != nil || m["opens_at"] != nil || m["available_agents"] != 0.0 {
		t.Fatalf("default status: %v", m)
	}
	f.clock.Advance(15 * time.Second)
	// Monday 2026-11-23 10:00 Paris: hours open until 12:00 (11:00Z), nobody there.
	f.mustDo("PUT", path+"/schedule", tok, weekSchedule, 200)
	m = f.mustDo("GET", path+"/status", tok, nil, 200).json(t)
	if m["online"] != false || m["reason"] != "no_agents" || m["closes_at"] != "2026-11-23T11:00:00Z" || m["opens_at"] != nil {
		t.Fatalf("status at 10:00 Paris: %v", m)
	}
	// 12:30 Paris: lunch, outside hours until 13:00 (12:00Z).
	f.clock.Advance(150*time.Minute - 15*time.Second)
	m = f.mustDo("GET", path+"/status", tok, nil, 200).json(t)
	if m["online"] != false || m["reason"] != "outside_hours" || m["opens_at"] != "2026-11-23T12:00:00Z" || m["closes_at"] != nil {
		t.Fatalf("status at 12:30 Paris: %v", m)
	}
	// Paused beats everything.
	f.mustDo("PUT", path+"/mode", tok, map[string]string{"mode": "offline"}, 200)
	m = f.mustDo("GET", path+"/status", tok, nil, 200).json(t)
	if m["online"] != false || m["reason"] != "paused" {
		t.Fatalf("paused status: %v", m)
	}
}

func TestHoursPreviewInUTCAcrossDST(t *testing.T) {
	f := newFixture(t)
	tok := f.tokens["owner"]
	path := "/api/v1/sites/" + f.siteA.ID
	f.mustDo("PUT", path+"/schedule", tok, map[string]any{"enabled": true, "timezone": "Europe/Paris",
		"weekly": map[string]any{"sat": []any{map[string]string{"from": "09:00", "to": "12:00"}}, "sun": []any{map[string]string{"from": "09:00", "to": "12:00"}}}}, 200)
	// Paris leaves summer time on Sunday 2026-10-25: 09:00 is 07:00Z on Saturday, 08:00Z on Sunday.
	m := f.mustDo("GET", path+"/hours?from=2026-10-24&to=2026-10-25", tok, nil, 200).json(t)
	ps := m["periods"].([]any)
	want := [][2]string{{"2026-10-24T07:00:00Z", "2026-10-24T10:00:00Z"}, {"2026-10-25T08:00:00Z", "2026-10-25T11:00:00Z"}}
	if len(ps) != len(want) {
		t.Fatalf("periods %v, want %v", ps, want)
	}
	for i, p := range ps {
		pm := p.(map[string]any)
		if pm["start"] != want[i][0] || pm["end"] != want[i][1] {
			t.Errorf("period %d = %v, want %v", i, pm, want[i])
		}
	}
	for _, c := range []struct{ query, field string }{
		{"from=2026-13-01", "from"}, {"from=2026-10-24&to=2026-10-23", "to"},
		{"from=2026-01-01&to=2027-01-02", "to"}, {"to=yesterday", "to"},
	} {
		r := f.mustDo("GET", path+"/hours?"+c.query, tok, nil, 400)
		if _, field := r.errField(t); field != c.field {
			t.Errorf("%s: field %q, want %q", c.query, field, c.field)
		}
	}
	// 366 days inclusive is allowed.
	f.mustDo("GET", path+"/hours?from=2026-01-01&to=2027-01-01", tok, nil, 200)
}
