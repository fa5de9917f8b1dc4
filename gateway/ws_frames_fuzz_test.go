package gateway

import (
	"encoding/json"
	"testing"
)

// FuzzDecodeFrame: any bytes give a frame or an error, never a panic; an error names a
// code; a decoded frame has a type and an id of at most 64 characters; and the error
// frame built from any result is valid JSON.
func FuzzDecodeFrame(f *testing.F) {
	for _, seed := range []string{
		`{"type":"hello","visitor_token":"v1.a.b","last_seq":3,"lang":"fr","timezone":"Europe/Paris","page":"https://x"}`,
		`{"type":"chat.start","id":"c1","text":"hi","name":"Ann","email":"ann@example.com"}`,
		`{"type":"message","id":"m1","text":"é"}`, `{"type":"typing","state":true}`,
		`{"type":"offline.submit","id":"o1","email":"a@b.c","message":"x","fields":{"order":5,"ok":true,"n":null}}`,
		`{"type":"presence.set","id":"p","status":"away"}`, `{"type":"message","id":"m","conversation_id":"c","text":"t"}`,
		`{"type":`, `[]`, `null`, `"x"`, `{"type":1}`, `{"id":{"a":1}}`, `{"type":"a"}{"type":"b"}`, "\xff\xfe", `{"last_seq":-1}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fr, fe := decodeFrame(data)
		if fe != nil {
			if fe.Code == "" || fe.Message == "" {
				t.Fatalf("error without code or message: %+v", fe)
			}
			re := ""
			if fr != nil {
				re = fr.ID
			}
			if len(re) > maxFrameID {
				t.Fatalf("error re longer than %d", maxFrameID)
			}
			b := mustJSON(errorFrame{Type: "error", Re: re, Code: fe.Code, Message: fe.Message, Field: fe.Field})
			if !json.Valid(b) {
				t.Fatalf("error frame is not JSON: %s", b)
			}
			return
		}
		if fr == nil || fr.Type == "" || len(fr.ID) > maxFrameID {
			t.Fatalf("accepted a frame without a type or with a long id: %+v", fr)
		}
		_ = checkText(fr.Text, "text")
		if fr.Fields != nil {
			_, _ = offlineFields(nil, fr.Fields)
		}
	})
}
