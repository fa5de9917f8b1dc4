package protocol

import (
	"slices"
	"strings"
	"testing"
)

// Decode and Validate give the error the contract names: its code, its field and
// the id the answer carries as re.
func TestDecodeErrors(t *testing.T) {
	long := strings.Repeat("i", MaxFrameID+1)
	for _, c := range []struct {
		side              Side
		in                string
		code, field, re   string
		validated, decodd bool
	}{
		{VisitorSide, "\xff", CodeBadRequest, "", "", false, false},
		{VisitorSide, `{"type":`, CodeBadRequest, "", "", false, false},
		{VisitorSide, `[1,2,3]`, CodeBadRequest, "", "", false, false},
		{VisitorSide, `{"type":"a"}{"type":"b"}`, CodeBadRequest, "", "", false, false},
		{VisitorSide, `{"id":"x1"}`, CodeBadRequest, "type", "x1", false, false},
		{VisitorSide, `{"type":1,"id":"x1"}`, CodeBadRequest, "type", "x1", false, false},
		{VisitorSide, `{"type":"chat.start","id":7,"text":"hi"}`, CodeBadRequest, "id", "", false, false},
		{VisitorSide, `{"type":"chat.start","id":"` + long + `","text":"hi"}`, CodeBadRequest, "id", "", false, false},
		{VisitorSide, `{"type":"hello","id":"h","last_seq":"x"}`, CodeBadRequest, "last_seq", "h", false, false},
		{VisitorSide, `{"type":"offline.submit","id":"o","fields":5}`, CodeBadRequest, "fields", "o", false, false},
		{VisitorSide, `{"type":"fly","id":"x2"}`, CodeUnknownType, "type", "x2", true, true},
		{VisitorSide, `{"type":"presence.set","id":"x2","status":"away"}`, CodeUnknownType, "type", "x2", true, true},
		{AgentSide, `{"type":"offline.submit","id":"x2"}`, CodeUnknownType, "type", "x2", true, true},
		{VisitorSide, `{"type":"chat.start","id":"x3","text":""}`, CodeBadRequest, "text", "x3", true, true},
		{VisitorSide, `{"type":"chat.start","id":"x3","text":"   "}`, CodeBadRequest, "text", "x3", true, true},
		{VisitorSide, `{"type":"chat.start","id":"x4","text":"` + strings.Repeat("é", MaxTextChars+1) + `"}`, CodeBadRequest, "text", "x4", true, true},
		{VisitorSide, `{"type":"chat.start","text":"hi"}`, CodeBadRequest, "id", "", true, true},
		{VisitorSide, `{"type":"chat.start","id":"x5","text":"hi","email":"nope"}`, CodeBadRequest, "email", "x5", true, true},
		{VisitorSide, `{"type":"chat.start","id":"x5","text":"hi","name":"` + strings.Repeat("n", MaxNameChars+1) + `"}`, CodeBadRequest, "name", "x5", true, true},
		{VisitorSide, `{"type":"message","id":"m","text":""}`, CodeBadRequest, "text", "m", true, true},
		{VisitorSide, `{"type":"typing","id":"x7"}`, CodeBadRequest, "state", "x7", true, true},
		{VisitorSide, `{"type":"offline.submit","id":"o","email":"a@b","message":""}`, CodeBadRequest, "message", "o", true, true},
		{VisitorSide, `{"type":"offline.submit","id":"o","email":" ","message":"x"}`, CodeBadRequest, "email", "o", true, true},
		{AgentSide, `{"type":"presence.set","id":"p","status":"busy"}`, CodeBadRequest, "status", "p", true, true},
		{AgentSide, `{"type":"message","id":"m","text":"hi"}`, CodeBadRequest, "conversation_id", "m", true, true},
		{AgentSide, `{"type":"typing","conversation_id":"c"}`, CodeBadRequest, "state", "", true, true},
		{AgentSide, `{"type":"typing","state":false}`, CodeBadRequest, "conversation_id", "", true, true},
		{AgentSide, `{"type":"chat.end","id":"e"}`, CodeBadRequest, "conversation_id", "e", true, true},
		{AgentSide, `{"type":"shift.snooze.end","id":"s","until":"tomorrow"}`, CodeBadRequest, "until", "s", true, true},
	} {
		f, fe := Decode(c.side, []byte(c.in))
		if c.decodd {
			if fe != nil {
				t.Errorf("%.60s: decode error %+v", c.in, fe)
				continue
			}
			fe = f.Validate()
		}
		if fe == nil || fe.Code != c.code || fe.Field != c.field || fe.Message == "" {
			t.Errorf("%.60s: got %+v, want %s field %q", c.in, fe, c.code, c.field)
			continue
		}
		re := ""
		if f != nil {
			re = f.FrameID()
		}
		if re != c.re {
			t.Errorf("%.60s: re %q, want %q", c.in, re, c.re)
		}
	}
}

// Unknown fields are ignored, and a frame of each side decodes as that side's
// struct.
func TestDecodeSides(t *testing.T) {
	f, fe := Decode(VisitorSide, []byte(`{"type":"message","id":"m","text":"hi","conversation_id":"c","extra":[1]}`))
	if fe != nil || f.Validate() != nil {
		t.Fatalf("visitor message: %+v %+v", f, fe)
	}
	if m, ok := f.(*VisitorMessage); !ok || m.Text != "hi" {
		t.Fatalf("visitor message decoded as %#v", f)
	}
	f, fe = Decode(AgentSide, []byte(`{"type":"message","id":"m","text":"hi","conversation_id":"c"}`))
	if m, ok := f.(*AgentMessage); fe != nil || !ok || m.ConversationID != "c" {
		t.Fatalf("agent message decoded as %#v, %+v", f, fe)
	}
	want := map[Side][]string{
		VisitorSide: {"chat.end", "chat.start", "hello", "message", "offline.submit", "ping", "typing"},
		AgentSide:   {"activity", "chat.end", "hello", "message", "ping", "presence.set", "shift.snooze", "shift.snooze.end", "typing"},
	}
	for side, types := range want {
		if got := Types(side); !slices.Equal(got, types) {
			t.Errorf("Types(%d) = %v, want %v", side, got, types)
		}
	}
}

// CheckFields keeps the form's fields only, as strings, and names the one at
// fault.
func TestCheckFields(t *testing.T) {
	form := []FormField{{Name: "order", Label: "Order", Type: "number", Required: true}, {Name: "ok", Label: "OK", Type: "checkbox", Required: true},
		{Name: "mail", Type: "email"}}
	decode := func(s string) *OfflineSubmit {
		f, fe := Decode(VisitorSide, []byte(`{"type":"offline.submit","fields":`+s+`}`))
		if fe != nil {
			t.Fatalf("%s: %+v", s, fe)
		}
		return f.(*OfflineSubmit)
	}
	got, fe := decode(`{"order":5,"ok":true,"mail":" a@b.c ","other":"x"}`).CheckFields(form)
	if fe != nil || len(got) != 3 || got["order"] != "5" || got["ok"] != "true" || got["mail"] != "a@b.c" {
		t.Fatalf("got %v, %+v", got, fe)
	}
	for in, field := range map[string]string{
		`{"ok":true}`:                         "fields.order",
		`{"order":"x","ok":true}`:             "fields.order",
		`{"order":1,"ok":false}`:              "fields.ok",
		`{"order":1,"ok":true,"mail":"nope"}`: "fields.mail",
		`{"order":[1],"ok":true}`:             "fields.order",
		`{"order":1,"ok":true,"mail":"` + strings.Repeat("a", MaxFieldChars+1) + `"}`: "fields.mail",
	} {
		if _, fe := decode(in).CheckFields(form); fe == nil || fe.Field != field || fe.Code != CodeBadRequest {
			t.Errorf("%.50s: got %+v, want %s", in, fe, field)
		}
	}
}
