package gateway

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/livedesk/gateway/protocol"
	"github.com/livedesk/gateway/routing"
	"github.com/livedesk/gateway/store"
)

// Frame limits (PROTOCOL.md §4).
const (
	maxFrameBytes = 16 << 10
	maxFrameID    = 64
	maxTextChars  = 4000
)

// The client frame types of each socket (docs/protocol.md). A frame of any other
// type is refused as unknown_type before a handler sees it (knownFrameType), so a
// new type must be listed here, and the authorization matrix
// (authz_matrix_test.go) fails until it has a row for it.
var (
	visitorFrameTypes = []string{"ping", "hello", "chat.start", "message", "typing", "chat.end", "offline.submit"}
	agentFrameTypes   = []string{"ping", "hello", "presence.set", "activity", "message", "typing", "chat.end", "shift.snooze", "shift.snooze.end"}
)

// knownFrameType reports whether typ is a client frame of the visitor's socket
// (visitor) or the agent's.
func knownFrameType(visitor bool, typ string) bool {
	if visitor {
		return slices.Contains(visitorFrameTypes, typ)
	}
	return slices.Contains(agentFrameTypes, typ)
}

// inFrame is every client frame's fields in one struct; each type reads its own.
// Unknown fields are ignored.
type inFrame struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	// hello
	VisitorToken string `json:"visitor_token"`
	LastSeq      *int64 `json:"last_seq"`
	Lang         string `json:"lang"`
	Timezone     string `json:"timezone"`
	Page         string `json:"page"`
	Token        string `json:"token"`
	// chat.start, message, offline.submit
	Text    string                     `json:"text"`
	Name    string                     `json:"name"`
	Email   string                     `json:"email"`
	Message string                     `json:"message"`
	Fields  map[string]json.RawMessage `json:"fields"`
	// typing, presence, agent frames
	State          *bool  `json:"state"`
	Status         string `json:"status"`
	ConversationID string `json:"conversation_id"`
	// shift.snooze.end: the snooze's new end, RFC 3339 (empty: cancel it).
	Until string `json:"until"`
}

// frameError is an error frame's content.
type frameError struct {
	Code, Message, Field string
}

func (e *frameError) Error() string { return e.Code + ": " + e.Message }

func frameErr(code, field, format string, args ...any) *frameError {
	return &frameError{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// decodeFrame parses one client frame. It never panics; a bad frame gets an error
// naming the field at fault, and the id when it could be read (so the error can
// carry `re`).
func decodeFrame(data []byte) (*inFrame, *frameError) {
	if !utf8.Valid(data) {
		return nil, frameErr(protocol.CodeBadRequest, "", "frame is not valid UTF-8")
	}
	var f inFrame
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&f); err != nil {
		var probe struct {
			ID any `json:"id"`
		}
		_ = json.Unmarshal(data, &probe)
		fe := frameErr(protocol.CodeBadRequest, "", "bad JSON frame: %s", protocol.JSONErrorText(err))
		if te, ok := err.(*json.UnmarshalTypeError); ok && te.Field != "" {
			fe.Field = te.Field
			fe.Message = fmt.Sprintf("%s: expected %s", te.Field, te.Type)
		}
		if id, ok := probe.ID.(string); ok && len(id) <= maxFrameID {
			return &inFrame{ID: id}, fe
		}
		return nil, fe
	}
	if dec.More() {
		return nil, frameErr(protocol.CodeBadRequest, "", "one JSON object per frame")
	}
	if len(f.ID) > maxFrameID {
		return nil, frameErr(protocol.CodeBadRequest, "id", "at most %d characters", maxFrameID)
	}
	if f.Type == "" {
		return &f, frameErr(protocol.CodeBadRequest, "type", "required")
	}
	return &f, nil
}

// text validates a chat text: 1 to maxTextChars characters, not only spaces.
func checkText(s, field string) *frameError {
	n := utf8.RuneCountInString(s)
	if n == 0 || len(bytes.TrimSpace([]byte(s))) == 0 {
		return frameErr(protocol.CodeBadRequest, field, "required")
	}
	if n > maxTextChars {
		return frameErr(protocol.CodeBadRequest, field, "at most %d characters", maxTextChars)
	}
	return nil
}

// Outgoing frames. Each is marshalled once; broadcasts share the bytes.

type errorFrame struct {
	Type    string `json:"type"`
	Re      string `json:"re,omitempty"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

type wsMessage struct {
	ConversationID string    `json:"conversation_id"`
	Seq            int64     `json:"seq"`
	From           string    `json:"from"`
	AgentName      string    `json:"agent_name,omitempty"`
	Text           string    `json:"text"`
	At             time.Time `json:"at"`
}

func toWSMessage(m *store.Message) wsMessage {
	return wsMessage{ConversationID: m.ConversationID, Seq: m.Seq, From: m.From, AgentName: m.AgentName, Text: m.Text, At: m.At.UTC()}
}

// wsVisitor is the visitor object agents get (lang, timezone and number:
// extensions, docs/protocol.md#visitor-number).
type wsVisitor struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Email    string `json:"email"`
	Page     string `json:"page"`
	Lang     string `json:"lang,omitempty"`
	Timezone string `json:"timezone,omitempty"`
	Number   int64  `json:"number,omitempty"`
}

// wsConversation is the conversation object of PROTOCOL.md §4, plus site_id and
// created_at (extensions).
type wsConversation struct {
	ID        string      `json:"id"`
	SiteID    string      `json:"site_id"`
	State     string      `json:"state"`
	Agent     *agentRef   `json:"agent"`
	CreatedAt time.Time   `json:"created_at"`
	Messages  []wsMessage `json:"messages"`
}

func toWSConversation(c *store.Conversation, msgs []*store.Message) wsConversation {
	wc := wsConversation{ID: c.ID, SiteID: c.SiteID, State: c.State, CreatedAt: c.CreatedAt.UTC(), Messages: make([]wsMessage, 0, len(msgs))}
	if c.AgentID != "" {
		wc.Agent = &agentRef{ID: c.AgentID, Name: c.AgentName}
	}
	for _, m := range msgs {
		wc.Messages = append(wc.Messages, toWSMessage(m))
	}
	return wc
}

func visitorOf(c *store.Conversation) wsVisitor {
	return wsVisitor{ID: c.VisitorID, Name: c.VisitorName, Email: c.VisitorEmail, Page: c.Page, Lang: c.VisitorLang, Timezone: c.VisitorTimezone,
		Number: c.VisitorNumber}
}

// agentChat is a conversation as an agent sees it: with its visitor.
type agentChat struct {
	Conversation wsConversation `json:"conversation"`
	Visitor      wsVisitor      `json:"visitor"`
}

type wsSite struct {
	ID     string         `json:"id"`
	Name   string         `json:"name"`
	Status routing.Status `json:"status"`
	Queue  int            `json:"queue"`
}

// mustJSON marshals a frame; the frames are the gateway's own structs, so failing is
// a programming error.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("gateway: cannot encode frame: " + err.Error())
	}
	return b
}

// frame builds {"type": t, ...fields} from a struct or map whose JSON is an object.
func frame(t string, fields any) []byte {
	body := mustJSON(fields)
	if len(body) < 2 || body[0] != '{' {
		panic("gateway: frame fields must encode as an object")
	}
	out := make([]byte, 0, len(body)+len(t)+12)
	out = append(out, `{"type":`...)
	out = strconv.AppendQuote(out, t)
	if len(body) > 2 {
		out = append(out, ',')
	}
	return append(out, body[1:]...)
}
