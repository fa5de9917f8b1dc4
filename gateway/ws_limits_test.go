package gateway

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

func TestUpgradeRefusals(t *testing.T) {
	f := newFixture(t)
	if _, resp, err := f.dial("/ws/visitor?site=nope", nil); err == nil || resp == nil || resp.StatusCode != 404 {
		t.Fatalf("unknown site: err %v, resp %v", err, resp)
	}
	f.mustDo("PATCH", "/api/v1/sites/"+f.siteA.ID, f.tokens["admin"], map[string]any{"allowed_origins": []string{"https://shop.example"}}, 200)
	hdr := http.Header{"Origin": []string{"https://evil.example"}}
	if _, resp, err := f.dial("/ws/visitor?site="+f.siteA.ID, hdr); err == nil || resp == nil || resp.StatusCode != 403 {
		t.Fatalf("foreign origin: err %v, resp %v", err, resp)
	}
	hdr.Set("Origin", "https://shop.example")
	if _, _, err := f.dial("/ws/visitor?site="+f.siteA.ID, hdr); err != nil {
		t.Fatalf("allowed origin refused: %v", err)
	}
}

func TestBadFramesGetErrorsAndTheConnectionStays(t *testing.T) {
	f := newFixture(t)
	v, _ := f.visitor(f.siteA.ID, nil)
	for _, c := range []struct {
		frame string
		code  string
		field string
		re    any
	}{
		{`{"type":`, "bad_request", "", nil},
		{`[1,2,3]`, "bad_request", "", nil},
		{`{"id":"x1"}`, "bad_request", "type", "x1"},
		{`{"type":"fly","id":"x2"}`, "unknown_type", "type", "x2"},
		{`{"type":"chat.start","id":"x3","text":""}`, "bad_request", "text", "x3"},
		{`{"type":"chat.start","id":"x4","text":"` + strings.Repeat("é", 4001) + `"}`, "bad_request", "text", "x4"},
		{`{"type":"chat.start","text":"hi"}`, "bad_request", "id", nil},
		{`{"type":"chat.start","id":"x5","text":"hi","email":"nope"}`, "bad_request", "email", "x5"},
		{`{"type":"message","id":"x6","text":"hi"}`, "conflict", "", "x6"},
		{`{"type":"typing","id":"x7"}`, "bad_request", "state", "x7"},
		{`{"type":"chat.start","id":"` + strings.Repeat("i", 65) + `","text":"hi"}`, "bad_request", "id", nil},
		{`{"type":"hello","id":"x8"}`, "bad_request", "type", "x8"},
		{`{"type":"chat.start","id":7,"text":"hi"}`, "bad_request", "id", nil},
	} {
		v.send(c.frame)
		m := v.expect("error")
		if m["code"] != c.code || (c.field != "" && m["field"] != c.field) || m["re"] != c.re || m["message"] == "" {
			t.Errorf("%s: got %v, want code %s field %q re %v", c.frame, m, c.code, c.field, c.re)
		}
	}
	v.quiet()
}

func TestOversizedFrameClosesWith1009(t *testing.T) {
	f := newFixture(t)
	v, _ := f.visitor(f.siteA.ID, nil)
	v.send(`{"type":"message","id":"big","text":"` + strings.Repeat("x", 17<<10) + `"}`)
	v.closedWith(websocket.StatusMessageTooBig)
}

func TestHelloMustComeFirstAndInTime(t *testing.T) {
	f := newFixture(t)
	late, _, err := f.dial("/ws/visitor?site="+f.siteA.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	// A pong proves the server armed its hello timer (before it reads anything).
	late.send(map[string]string{"type": "ping"})
	late.expect("pong")
	f.clock.Advance(10*time.Second - time.Millisecond)
	late.send(map[string]string{"type": "ping"})
	late.expect("pong")
	f.clock.Advance(time.Millisecond)
	late.closedWith(4001)

	wrong, _, err := f.dial("/ws/agent", nil)
	if err != nil {
		t.Fatal(err)
	}
	wrong.send(map[string]any{"type": "presence.set", "id": "p", "status": "online"})
	if m := wrong.expect("error"); m["code"] != "unauthorized" {
		t.Fatalf("frame before hello: %v", m)
	}
	wrong.closedWith(4001)

	forged, _, err := f.dial("/ws/agent", nil)
	if err != nil {
		t.Fatal(err)
	}
	forged.send(map[string]any{"type": "hello", "token": "not.a.token"})
	forged.expect("error")
	forged.closedWith(4001)
}

func TestRateLimitAnswersThenCloses(t *testing.T) {
	f := newFixture(t)
	v, _ := f.visitor(f.siteA.ID, nil)
	// The clock does not move: the bucket (burst 20, the hello took one) never refills.
	for i := 0; i < 19; i++ {
		v.send(map[string]string{"type": "ping"})
	}
	for i := 0; i < 19; i++ {
		v.expect("pong")
	}
	v.send(map[string]string{"type": "ping", "id": "over"})
	if m := v.expect("error"); m["code"] != "rate_limited" || m["re"] != "over" {
		t.Fatalf("over the limit: %v", m)
	}
	// A second later ten more frames are allowed again.
	f.clock.Advance(time.Second)
	v.send(map[string]string{"type": "ping"})
	v.expect("pong")
	// Sustained abuse: every frame over the limit, until the socket is closed (a
	// write may then fail: the server closed it first).
	for i := 0; i < 40; i++ {
		if v.trySend(map[string]string{"type": "ping"}) != nil {
			break
		}
	}
	v.closedWith(4004)
}

func TestMessageResendIsIdempotent(t *testing.T) {
	f := newFixture(t)
	agent := f.deskSetup()
	v, _ := f.visitor(f.siteA.ID, nil)
	start := map[string]any{"type": "chat.start", "id": "s1", "text": "hi"}
	v.send(start)
	conv := v.expect("chat.assigned")["conversation"].(map[string]any)["id"]
	agent.waitFor("chat.assigned")
	// The same chat.start again (a resend after a lost reply): the same answer.
	v.send(start)
	if m := v.expect("chat.assigned"); m["conversation"].(map[string]any)["id"] != conv || m["re"] != "s1" {
		t.Fatalf("resent chat.start: %v", m)
	}
	msg := map[string]any{"type": "message", "id": "m1", "text": "once"}
	v.send(msg)
	first := v.expect("message.ack")
	v.expect("message")
	v.send(msg)
	again := v.expect("message.ack")
	if first["seq"] != again["seq"] || first["at"] != again["at"] {
		t.Fatalf("resend acked differently: %v vs %v", first, again)
	}
	agent.expect("message")
	agent.quiet()
	v.send(map[string]any{"type": "chat.start", "id": "s2", "text": "another"})
	if m := v.expect("error"); m["code"] != "conflict" || m["re"] != "s2" {
		t.Fatalf("second chat.start: %v", m)
	}
	r := f.mustDo("GET", "/api/v1/conversations/"+conv.(string), f.tokens["admin"], nil, 200).json(t)
	if n := len(r["messages"].([]any)); n != 2 {
		t.Fatalf("%d messages stored, want 2", n)
	}
}

func TestOfflineFormIsValidatedAndStoredOnce(t *testing.T) {
	f := newFixture(t)
	f.mustDo("PATCH", "/api/v1/sites/"+f.siteA.ID, f.tokens["admin"], map[string]any{"mode": "offline",
		"offline_form": map[string]any{"fields": []any{map[string]any{"name": "order", "label": "Order number", "type": "number", "required": true}}}}, 200)
	v, w := f.visitor(f.siteA.ID, nil)
	if status(w)["reason"] != "paused" {
		t.Fatalf("welcome %v", w)
	}
	form := w["offline_form"].(map[string]any)
	if form["enabled"] != true || len(form["fields"].([]any)) != 1 {
		t.Fatalf("offline_form %v", form)
	}
	for _, c := range []struct {
		frame map[string]any
		field string
	}{
		{map[string]any{"email": "nope", "message": "hi", "fields": map[string]any{"order": 5}}, "email"},
		{map[string]any{"email": "a@b.example", "message": " ", "fields": map[string]any{"order": 5}}, "message"},
		{map[string]any{"email": "a@b.example", "message": strings.Repeat("m", 4001), "fields": map[string]any{"order": 5}}, "message"},
		{map[string]any{"email": "a@b.example", "message": "hi"}, "fields.order"},
		{map[string]any{"email": "a@b.example", "message": "hi", "fields": map[string]any{"order": "abc"}}, "fields.order"},
	} {
		c.frame["type"], c.frame["id"] = "offline.submit", "bad"
		v.send(c.frame)
		if m := v.expect("error"); m["field"] != c.field || m["code"] != "bad_request" {
			t.Errorf("%v: got %v, want field %s", c.frame, m, c.field)
		}
	}
	good := map[string]any{"type": "offline.submit", "id": "o1", "email": "ann@example.com", "name": "Ann", "message": "Call me back",
		"fields": map[string]any{"order": 1234, "unknown": "dropped"}}
	v.send(good)
	first := v.expect("offline.received")
	v.send(good)
	if again := v.expect("offline.received"); again["message_id"] != first["message_id"] || again["re"] != "o1" {
		t.Fatalf("resend: %v vs %v", again, first)
	}
	r := f.mustDo("GET", "/api/v1/sites/"+f.siteA.ID+"/offline-messages", f.tokens["agentA"], nil, 200).json(t)
	msgs := r["messages"].([]any)
	if len(msgs) != 1 {
		t.Fatalf("%d offline messages, want 1", len(msgs))
	}
	m := msgs[0].(map[string]any)
	if m["email"] != "ann@example.com" || m["message"] != "Call me back" || m["fields"].(map[string]any)["order"] != "1234" || m["id"] != first["message_id"] {
		t.Fatalf("stored %v", m)
	}
	if _, ok := m["fields"].(map[string]any)["unknown"]; ok {
		t.Fatal("a field the form does not have was stored")
	}
}

func TestForgedVisitorTokenGetsANewIdentity(t *testing.T) {
	f := newFixture(t)
	_, w := f.visitor(f.siteA.ID, nil)
	tok := w["visitor_token"].(string)
	_, again := f.visitor(f.siteA.ID, map[string]any{"visitor_token": tok})
	if again["visitor_id"] != w["visitor_id"] {
		t.Fatalf("a genuine token changed identity: %v vs %v", again["visitor_id"], w["visitor_id"])
	}
	forged := strings.Replace(tok, w["visitor_id"].(string), "someone-else", 1)
	_, other := f.visitor(f.siteA.ID, map[string]any{"visitor_token": forged})
	if other["visitor_id"] == w["visitor_id"] || other["visitor_id"] == "someone-else" {
		t.Fatalf("forged token accepted: %v", other)
	}
	// A token of another site is foreign there.
	_, foreign := f.visitor(f.siteB.ID, map[string]any{"visitor_token": tok})
	if foreign["visitor_id"] == w["visitor_id"] {
		t.Fatal("a token of site A was accepted on site B")
	}
}

// A draining node refuses new WebSockets (503, Retry-After) so clients go to another
// node, while the sockets it has keep working until they are closed with 1012.
func TestDrainingNodeRefusesNewSockets(t *testing.T) {
	f := newFixture(t)
	v, _ := f.visitor(f.siteA.ID, nil)
	f.srv.SetDraining()
	for _, path := range []string{"/ws/visitor?site=" + f.siteA.ID, "/ws/agent"} {
		_, resp, err := f.dial(path, nil)
		if err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "1" {
			t.Fatalf("%s while draining: %v %v", path, resp, err)
		}
	}
	v.send(map[string]any{"type": "ping"})
	v.expect("pong")
}
