package protocol

import (
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// FuzzDecode: any bytes on either side give a frame or an error, never a panic; an
// error names a code and a message; a decoded frame has a type and an id of at most
// MaxFrameID characters, and validates without panicking; and the error frame built
// from any result is valid JSON. A transfer that validates has exactly one target
// and ids and a note within their bounds.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		`{"type":"hello","visitor_token":"v1.a.b","last_seq":3,"lang":"fr","timezone":"Europe/Paris","page":"https://x"}`,
		`{"type":"chat.start","id":"c1","text":"hi","name":"Ann","email":"ann@example.com"}`,
		`{"type":"message","id":"m1","text":"é"}`, `{"type":"typing","state":true}`,
		`{"type":"offline.submit","id":"o1","email":"a@b.c","message":"x","fields":{"order":5,"ok":true,"n":null}}`,
		`{"type":"presence.set","id":"p","status":"away"}`, `{"type":"message","id":"m","conversation_id":"c","text":"t"}`,
		`{"type":"shift.snooze.end","id":"s","until":"2026-11-23T18:30:00Z"}`, `{"type":"hello","token":"t"}`,
		`{"type":"chat.start","id":"c2","text":"hi","department_id":"sales"}`,
		`{"type":"offline.submit","id":"o2","email":"a@b.c","message":"x","department_id":"sales","fields":{"order":5}}`,
		`{"type":"chat.transfer","id":"t1","conversation_id":"c","to_agent_id":"a2","note":"wants a refund"}`,
		`{"type":"chat.transfer","id":"t2","conversation_id":"c","to_department_id":"billing"}`,
		`{"type":"chat.transfer","id":"t3","conversation_id":"c","to_agent_id":"a2","to_department_id":"billing"}`,
		`{"type":"chat.transfer","id":"t4","conversation_id":7,"note":null}`,
		`{"type":`, `[]`, `null`, `"x"`, `{"type":1}`, `{"id":{"a":1}}`, `{"type":"a"}{"type":"b"}`, "\xff\xfe", `{"last_seq":-1}`,
	} {
		f.Add([]byte(seed), false)
		f.Add([]byte(seed), true)
	}
	form := []FormField{{Name: "order", Type: "number", Required: true, Label: "Order"}, {Name: "ok", Type: "checkbox"},
		{Name: "mail", Type: "email"}, {Name: "n", Type: "text"}}
	f.Fuzz(func(t *testing.T, data []byte, agent bool) {
		side := VisitorSide
		if agent {
			side = AgentSide
		}
		fr, fe := Decode(side, data)
		if fe != nil {
			if fe.Code == "" || fe.Message == "" {
				t.Fatalf("error without code or message: %+v", fe)
			}
			re := ""
			if fr != nil {
				re = fr.FrameID()
			}
			if len(re) > MaxFrameID {
				t.Fatalf("error re longer than %d", MaxFrameID)
			}
			if b := Encode(fe.Frame(re)); !json.Valid(b) {
				t.Fatalf("error frame is not JSON: %s", b)
			}
			return
		}
		if fr == nil || fr.FrameType() == "" || len(fr.FrameID()) > MaxFrameID {
			t.Fatalf("accepted a frame without a type or with a long id: %+v", fr)
		}
		if ve := fr.Validate(); ve != nil && (ve.Code == "" || ve.Message == "") {
			t.Fatalf("validation error without code or message: %+v", ve)
		}
		if os, ok := fr.(*OfflineSubmit); ok {
			_, _ = os.CheckFields(form)
		}
		if ct, ok := fr.(*ChatTransfer); ok && fr.Validate() == nil {
			if (ct.ToAgentID == "") == (ct.ToDepartmentID == "") || ct.ConversationID == "" || len(ct.ToAgentID) > MaxRefChars ||
				len(ct.ToDepartmentID) > MaxRefChars || len(ct.ConversationID) > MaxRefChars || utf8.RuneCountInString(ct.Note) > MaxNoteChars {
				t.Fatalf("accepted a transfer the contract refuses: %+v", ct)
			}
		}
		if !json.Valid(Encode(fr)) {
			t.Fatalf("decoded frame does not encode as JSON: %+v", fr)
		}
	})
}
