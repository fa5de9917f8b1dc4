package protocol

import (
	"bytes"
	"encoding/json"
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The field rules of the client frames (docs/protocol.md#visitor-socket,
// docs/protocol.md#agent-socket). Each Validate checks its fields in a fixed
// order and returns the first problem (see Inbound).

func (f *Ping) Validate() *Error           { return nil }
func (f *VisitorHello) Validate() *Error   { return nil } // its fields are kept or dropped, never refused
func (f *AgentHello) Validate() *Error     { return nil } // the token is the server's to judge
func (f *VisitorChatEnd) Validate() *Error { return nil }
func (f *Activity) Validate() *Error       { return nil }
func (f *ShiftSnooze) Validate() *Error    { return nil }

// Validate answers unknown_type: the socket does not take this frame type.
func (f *Unknown) Validate() *Error {
	return Errorf(CodeUnknownType, "type", "unknown frame type %q", f.Type)
}

func (f *ChatStart) Validate() *Error {
	if fe := requireID(f.ID); fe != nil {
		return fe
	}
	if fe := CheckText(f.Text, "text"); fe != nil {
		return fe
	}
	if fe := checkName(f.Name); fe != nil {
		return fe
	}
	if f.Email != "" && !ValidEmail(f.Email) {
		return Errorf(CodeBadRequest, "email", "not a valid e-mail address")
	}
	return checkRef(f.DepartmentID, "department_id")
}

func (f *VisitorMessage) Validate() *Error {
	if fe := requireID(f.ID); fe != nil {
		return fe
	}
	return CheckText(f.Text, "text")
}

func (f *VisitorTyping) Validate() *Error { return requireState(f.State) }

// Validate checks the offline message's own fields; its custom fields are checked
// against the site's form by CheckFields.
func (f *OfflineSubmit) Validate() *Error {
	if fe := requireID(f.ID); fe != nil {
		return fe
	}
	if !ValidEmail(strings.TrimSpace(f.Email)) {
		return Errorf(CodeBadRequest, "email", "a valid e-mail address is required")
	}
	if fe := CheckText(f.Message, "message"); fe != nil {
		return fe
	}
	if fe := checkName(f.Name); fe != nil {
		return fe
	}
	return checkRef(f.DepartmentID, "department_id")
}

// Presence statuses an agent may choose.
const (
	PresenceOnline    = "online"
	PresenceAway      = "away"
	PresenceInvisible = "invisible"
)

func (f *PresenceSet) Validate() *Error {
	if f.Status != PresenceOnline && f.Status != PresenceAway && f.Status != PresenceInvisible {
		return Errorf(CodeBadRequest, "status", "must be online, away or invisible")
	}
	return nil
}

func (f *AgentMessage) Validate() *Error {
	if fe := requireID(f.ID); fe != nil {
		return fe
	}
	if fe := CheckText(f.Text, "text"); fe != nil {
		return fe
	}
	return requireConversation(f.ConversationID)
}

func (f *AgentTyping) Validate() *Error {
	if fe := requireState(f.State); fe != nil {
		return fe
	}
	return requireConversation(f.ConversationID)
}

func (f *AgentChatEnd) Validate() *Error { return requireConversation(f.ConversationID) }

func (f *ShiftSnoozeEnd) Validate() *Error {
	_, fe := f.UntilTime()
	return fe
}

// UntilTime is Until as a time: zero when absent (cancel the snooze).
func (f *ShiftSnoozeEnd) UntilTime() (time.Time, *Error) {
	if f.Until == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, f.Until)
	if err != nil {
		return time.Time{}, Errorf(CodeBadRequest, "until", "until must be an RFC 3339 time, like 2026-11-23T18:30:00Z")
	}
	return t, nil
}

// Validate checks the transfer's shape: id, conversation_id, exactly one target,
// ids of at most MaxRefChars and a note of at most MaxNoteChars. Whether the
// target can take the conversation is the server's (docs/protocol.md#transfers).
func (f *ChatTransfer) Validate() *Error {
	if fe := requireID(f.ID); fe != nil {
		return fe
	}
	if fe := requireConversation(f.ConversationID); fe != nil {
		return fe
	}
	if fe := checkRef(f.ConversationID, "conversation_id"); fe != nil {
		return fe
	}
	switch {
	case f.ToAgentID == "" && f.ToDepartmentID == "":
		return Errorf(CodeBadRequest, "to_agent_id", "a transfer needs to_agent_id or to_department_id")
	case f.ToAgentID != "" && f.ToDepartmentID != "":
		return Errorf(CodeBadRequest, "to_department_id", "a transfer goes to an agent or to a department, not both")
	}
	if fe := checkRef(f.ToAgentID, "to_agent_id"); fe != nil {
		return fe
	}
	if fe := checkRef(f.ToDepartmentID, "to_department_id"); fe != nil {
		return fe
	}
	if utf8.RuneCountInString(f.Note) > MaxNoteChars {
		return Errorf(CodeBadRequest, "note", "at most %d characters", MaxNoteChars)
	}
	return nil
}

// checkRef refuses an id of field longer than MaxRefChars; an empty one is
// absent and passes.
func checkRef(id, field string) *Error {
	if len(id) > MaxRefChars {
		return Errorf(CodeBadRequest, field, "at most %d characters", MaxRefChars)
	}
	return nil
}

func requireID(id string) *Error {
	if id == "" {
		return Errorf(CodeBadRequest, "id", "required")
	}
	return nil
}

func requireState(s *bool) *Error {
	if s == nil {
		return Errorf(CodeBadRequest, "state", "required: true or false")
	}
	return nil
}

func requireConversation(id string) *Error {
	if id == "" {
		return Errorf(CodeBadRequest, "conversation_id", "required")
	}
	return nil
}

func checkName(s string) *Error {
	if utf8.RuneCountInString(s) > MaxNameChars {
		return Errorf(CodeBadRequest, "name", "at most %d characters", MaxNameChars)
	}
	return nil
}

// CheckText validates a chat text of field: 1 to MaxTextChars code points, not
// only spaces.
func CheckText(s, field string) *Error {
	n := utf8.RuneCountInString(s)
	if n == 0 || len(bytes.TrimSpace([]byte(s))) == 0 {
		return Errorf(CodeBadRequest, field, "required")
	}
	if n > MaxTextChars {
		return Errorf(CodeBadRequest, field, "at most %d characters", MaxTextChars)
	}
	return nil
}

// ValidEmail reports whether s is an e-mail address the contract accepts: one
// bare address of at most 254 bytes, without spaces around it. The HTTP API uses
// the same rule.
func ValidEmail(s string) bool {
	if len(s) == 0 || len(s) > 254 || strings.TrimSpace(s) != s {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && at < len(s)-1
}

// CheckFields checks the custom fields against the site's form and returns their
// values as strings: required ones present (a required checkbox true), e-mail and
// number fields valid, values at most MaxFieldChars; fields the form does not have
// are dropped. Errors name the field as fields.<name>.
func (f *OfflineSubmit) CheckFields(form []FormField) (map[string]string, *Error) {
	out := map[string]string{}
	for _, ff := range form {
		raw, ok := f.Fields[ff.Name]
		path := "fields." + ff.Name
		var v string
		if ok && string(raw) != "null" {
			var s string
			var b bool
			var n float64
			switch {
			case json.Unmarshal(raw, &s) == nil:
				v = strings.TrimSpace(s)
			case json.Unmarshal(raw, &b) == nil:
				v = strconv.FormatBool(b)
			case json.Unmarshal(raw, &n) == nil:
				v = strconv.FormatFloat(n, 'f', -1, 64)
			default:
				return nil, Errorf(CodeBadRequest, path, "must be a string, number or boolean")
			}
		}
		if ff.Required && (v == "" || (ff.Type == "checkbox" && v == "false")) {
			return nil, Errorf(CodeBadRequest, path, "%s is required", ff.Label)
		}
		if utf8.RuneCountInString(v) > MaxFieldChars {
			return nil, Errorf(CodeBadRequest, path, "at most %d characters", MaxFieldChars)
		}
		if v != "" && ff.Type == "email" && !ValidEmail(v) {
			return nil, Errorf(CodeBadRequest, path, "not a valid e-mail address")
		}
		if v != "" && ff.Type == "number" {
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				return nil, Errorf(CodeBadRequest, path, "must be a number")
			}
		}
		if v != "" {
			out[ff.Name] = v
		}
	}
	return out, nil
}
