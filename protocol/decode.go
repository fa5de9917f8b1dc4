package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"unicode/utf8"
)

// Side is the socket a frame arrives on: each takes its own frame types.
type Side int

const (
	VisitorSide Side = iota // GET /ws/visitor
	AgentSide               // GET /ws/agent
)

// inbound lists each side's client frame types with a constructor of their
// struct. A frame of any other type decodes as Unknown.
var inbound = [...]map[string]func() Inbound{
	VisitorSide: {
		"ping":           func() Inbound { return &Ping{} },
		"hello":          func() Inbound { return &VisitorHello{} },
		"chat.start":     func() Inbound { return &ChatStart{} },
		"message":        func() Inbound { return &VisitorMessage{} },
		"typing":         func() Inbound { return &VisitorTyping{} },
		"chat.end":       func() Inbound { return &VisitorChatEnd{} },
		"offline.submit": func() Inbound { return &OfflineSubmit{} },
	},
	AgentSide: {
		"ping":             func() Inbound { return &Ping{} },
		"hello":            func() Inbound { return &AgentHello{} },
		"presence.set":     func() Inbound { return &PresenceSet{} },
		"activity":         func() Inbound { return &Activity{} },
		"message":          func() Inbound { return &AgentMessage{} },
		"typing":           func() Inbound { return &AgentTyping{} },
		"chat.end":         func() Inbound { return &AgentChatEnd{} },
		"shift.snooze":     func() Inbound { return &ShiftSnooze{} },
		"shift.snooze.end": func() Inbound { return &ShiftSnoozeEnd{} },
		"chat.transfer":    func() Inbound { return &ChatTransfer{} },
	},
}

// Types lists the client frame types side takes, sorted. A new type must be added
// to the decoder's table, and the gateway's authorization matrix then fails until
// it has a row for it.
func Types(side Side) []string {
	var out []string
	for t := range inbound[side] {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// envelope is what every client frame has.
type envelope struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// Decode parses one client frame of side. It never panics. A frame that is not
// one JSON object with a string `type` and an `id` of at most MaxFrameID
// characters, or whose fields have the wrong JSON types, gets a bad_request Error
// naming the field at fault; the frame is then non-nil (an Unknown) when its id
// could be read, so the error can carry it as `re`. A frame of a type the side
// does not take decodes as an Unknown without error (see Unknown). Decode does not
// apply the field rules: that is the frame's Validate.
func Decode(side Side, data []byte) (Inbound, *Error) {
	if !utf8.Valid(data) {
		return nil, Errorf(CodeBadRequest, "", "frame is not valid UTF-8")
	}
	var env envelope
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&env); err != nil {
		var probe struct {
			ID any `json:"id"`
		}
		_ = json.Unmarshal(data, &probe)
		fe := typeError(err)
		if id, ok := probe.ID.(string); ok && len(id) <= MaxFrameID {
			return &Unknown{ID: id}, fe
		}
		return nil, fe
	}
	if dec.More() {
		return nil, Errorf(CodeBadRequest, "", "one JSON object per frame")
	}
	if len(env.ID) > MaxFrameID {
		return nil, Errorf(CodeBadRequest, "id", "at most %d characters", MaxFrameID)
	}
	if env.Type == "" {
		return &Unknown{ID: env.ID}, Errorf(CodeBadRequest, "type", "required")
	}
	mk := inbound[side][env.Type]
	if mk == nil {
		return &Unknown{Type: env.Type, ID: env.ID}, nil
	}
	f := mk()
	if err := json.Unmarshal(data, f); err != nil {
		return &Unknown{Type: env.Type, ID: env.ID}, typeError(err)
	}
	return f, nil
}

// typeError is the bad_request of a frame JSON could not decode: the field with a
// wrong type, or the frame as a whole.
func typeError(err error) *Error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field != "" {
			return Errorf(CodeBadRequest, te.Field, "%s: expected %s", te.Field, te.Type)
		}
		return Errorf(CodeBadRequest, "", "bad JSON frame: expected a JSON object, got JSON %s", te.Value)
	}
	return Errorf(CodeBadRequest, "", "bad JSON frame: %s", JSONErrorText(err))
}

// JSONErrorText describes a JSON decoding error for people: where the syntax
// breaks, or which type was expected.
func JSONErrorText(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("invalid JSON at byte %d: %v", se.Offset, se)
	case errors.As(err, &te):
		return fmt.Sprintf("expected %s, got JSON %s", te.Type, te.Value)
	default:
		return err.Error()
	}
}
