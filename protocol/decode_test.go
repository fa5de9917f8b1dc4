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

// The department and transfer fields (docs/protocol.md#transfers): each refusal
// names its field and carries the frame's id; the bounds themselves pass.
func TestDecodeDepartmentAndTransferErrors(t *testing.T) {
	ref := strings.Repeat("d", MaxRefChars)
	long := ref + "d"
	note := strings.Repeat("é", MaxNoteChars)
	transfer := func(fields string) string { return `{"type":"chat.transfer","id":"t"` + fields + `}` }
	for _, c := range []struct {
		name        string
		side        Side
		in          string
		code, field string // "" code: valid
		decoded     bool   // refused by Validate, not by Decode
	}{
		{"start in a department", VisitorSide, `{"type":"chat.start","id":"t","text":"hi","department_id":"` + ref + `"}`, "", "", true},
		{"start: long department", VisitorSide, `{"type":"chat.start","id":"t","text":"hi","department_id":"` + long + `"}`, CodeBadRequest, "department_id", true},
		{"start: department not a string", VisitorSide, `{"type":"chat.start","id":"t","text":"hi","department_id":7}`, CodeBadRequest, "department_id", false},
		{"offline: long department", VisitorSide, `{"type":"offline.submit","id":"t","email":"a@b.c","message":"x","department_id":"` + long + `"}`, CodeBadRequest, "department_id", true},
		{"offline: department not a string", VisitorSide, `{"type":"offline.submit","id":"t","department_id":["d"]}`, CodeBadRequest, "department_id", false},
		{"transfer at the bounds", AgentSide, transfer(`,"conversation_id":"` + ref + `","to_agent_id":"` + ref + `","note":"` + note + `"`), "", "", true},
		{"transfer to a department", AgentSide, transfer(`,"conversation_id":"c","to_department_id":"` + ref + `"`), "", "", true},
		{"transfer without id", AgentSide, `{"type":"chat.transfer","conversation_id":"c","to_agent_id":"a"}`, CodeBadRequest, "id", true},
		{"transfer without conversation", AgentSide, transfer(`,"to_agent_id":"a"`), CodeBadRequest, "conversation_id", true},
		{"transfer: long conversation", AgentSide, transfer(`,"conversation_id":"` + long + `","to_agent_id":"a"`), CodeBadRequest, "conversation_id", true},
		{"transfer to nobody", AgentSide, transfer(`,"conversation_id":"c"`), CodeBadRequest, "to_agent_id", true},
		{"transfer to nobody, empty ids", AgentSide, transfer(`,"conversation_id":"c","to_agent_id":"","to_department_id":""`), CodeBadRequest, "to_agent_id", true},
		{"transfer to both", AgentSide, transfer(`,"conversation_id":"c","to_agent_id":"a","to_department_id":"d"`), CodeBadRequest, "to_department_id", true},
		{"transfer: long agent", AgentSide, transfer(`,"conversation_id":"c","to_agent_id":"` + long + `"`), CodeBadRequest, "to_agent_id", true},
		{"transfer: long department", AgentSide, transfer(`,"conversation_id":"c","to_department_id":"` + long + `"`), CodeBadRequest, "to_department_id", true},
		{"transfer: long note", AgentSide, transfer(`,"conversation_id":"c","to_agent_id":"a","note":"` + note + `é"`), CodeBadRequest, "note", true},
		{"transfer: agent not a string", AgentSide, transfer(`,"conversation_id":"c","to_agent_id":5`), CodeBadRequest, "to_agent_id", false},
		{"transfer: note not a string", AgentSide, transfer(`,"conversation_id":"c","to_agent_id":"a","note":{}`), CodeBadRequest, "note", false},
		{"transfer on the visitor socket", VisitorSide, transfer(`,"conversation_id":"c","to_agent_id":"a"`), CodeUnknownType, "type", true},
	} {
		f, fe := Decode(c.side, []byte(c.in))
		if c.decoded && fe == nil {
			fe = f.Validate()
		} else if c.decoded {
			t.Errorf("%s: decode error %+v", c.name, fe)
			continue
		}
		if c.code == "" {
			if fe != nil {
				t.Errorf("%s: refused %+v", c.name, fe)
			}
			continue
		}
		if fe == nil || fe.Code != c.code || fe.Field != c.field || fe.Message == "" {
			t.Errorf("%s: got %+v, want %s field %q", c.name, fe, c.code, c.field)
			continue
		}
		wantRe := "t"
		if !strings.Contains(c.in, `"id":"t"`) {
			wantRe = ""
		}
		if f == nil || f.FrameID() != wantRe {
			t.Errorf("%s: the error cannot carry re %q (frame %#v)", c.name, wantRe, f)
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
		AgentSide:   {"activity", "chat.end", "chat.transfer", "hello", "message", "ping", "presence.set", "shift.snooze", "shift.snooze.end", "typing"},
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
