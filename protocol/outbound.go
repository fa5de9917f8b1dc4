package protocol

import (
	"encoding/json"
	"strconv"
	"time"
)

// The server frames (server -> client). Each struct is a frame's fields; Encode
// writes it with its `type` first. A `re` is the id of the client frame answered.

// Pong answers a Ping.
type Pong struct{}

// ErrorFrame is a contract error; the connection stays unless a close follows.
type ErrorFrame struct {
	Re      string `json:"re,omitempty"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// VisitorWelcome answers a visitor's hello. Now is the server's clock (extension);
// Conversation is the visitor's queued or open one (null when none) with the
// messages after its last_seq; Departments are the site's in position order, a
// list on the wire even when nil (docs/protocol.md#department-status).
type VisitorWelcome struct {
	Now          time.Time     `json:"now"`
	VisitorID    string        `json:"visitor_id"`
	VisitorToken string        `json:"visitor_token"`
	Status       Status        `json:"status"`
	OfflineForm  OfflineForm   `json:"offline_form"`
	Conversation *Conversation `json:"conversation"`
	Departments  []Department  `json:"departments"`
}

// MarshalJSON writes the welcome with departments [] rather than null when it
// has none.
func (w VisitorWelcome) MarshalJSON() ([]byte, error) {
	type plain VisitorWelcome // without this method
	if w.Departments == nil {
		w.Departments = []Department{}
	}
	return json.Marshal(plain(w))
}

// AgentWelcome answers an agent's hello. Agent is the agent as the HTTP API shows
// it (GET /me); that shape is the API's, so it travels here already encoded.
type AgentWelcome struct {
	Now           time.Time       `json:"now"`
	Agent         json.RawMessage `json:"agent"`
	Presence      Presence        `json:"presence"`
	Shift         Shift           `json:"shift"`
	Conversations []AgentChat     `json:"conversations"`
	Sites         []SiteSummary   `json:"sites"`
}

// StatusFrame is "status": a site's status, to its visitors.
type StatusFrame struct {
	Status Status `json:"status"`
}

// SiteStatus is "site.status": a site's status, to its agents, with each of its
// departments' in position order (left out for a site without departments;
// docs/protocol.md#department-status).
type SiteStatus struct {
	SiteID      string       `json:"site_id"`
	Status      Status       `json:"status"`
	Departments []Department `json:"departments,omitempty"`
}

// DepartmentStatus is "department.status": a department's status changed, to the
// visitors and agents of its site (docs/protocol.md#department-status).
type DepartmentStatus struct {
	DepartmentID string `json:"department_id"`
	Status       Status `json:"status"`
}

// ClosingSoon says the site closes at ClosesAt.
type ClosingSoon struct {
	ClosesAt time.Time `json:"closes_at"`
}

// Queue is a site's queue length, to its agents; with DepartmentID, the length
// of that department's queue (docs/protocol.md#department-status).
type Queue struct {
	SiteID       string `json:"site_id"`
	DepartmentID string `json:"department_id,omitempty"`
	Length       int    `json:"length"`
}

// QueuePosition is a queued visitor's place in its site's queue.
type QueuePosition struct {
	ConversationID string `json:"conversation_id"`
	Position       int    `json:"position"`
}

// ChatAssigned says a conversation has its agent: to the visitor as the answer to
// its chat.start (with re), after a queue or after a transfer, and to the agent
// with Visitor, and with Transfer when the conversation was transferred to it
// (docs/protocol.md#transfers).
type ChatAssigned struct {
	Re           string       `json:"re,omitempty"`
	Conversation Conversation `json:"conversation"`
	Visitor      *Visitor     `json:"visitor,omitempty"`
	Transfer     *Transfer    `json:"transfer,omitempty"`
}

// ChatTransferred answers the agent whose chat.transfer (re) succeeded: the
// conversation is no longer its own, and went To (docs/protocol.md#transfers).
type ChatTransferred struct {
	Re             string         `json:"re,omitempty"`
	ConversationID string         `json:"conversation_id"`
	To             TransferTarget `json:"to"`
}

// ChatQueued answers a chat.start that went to the site's queue.
type ChatQueued struct {
	Re           string       `json:"re"`
	Conversation Conversation `json:"conversation"`
	Position     int          `json:"position"`
}

// ChatOffline says no chat can be had: the answer to a chat.start (with re), or a
// queued chat missed (with conversation_id), with the offline form to fill in;
// DepartmentID is the department that could not take it, left out for none
// (docs/protocol.md#departments).
type ChatOffline struct {
	Re             string      `json:"re,omitempty"`
	ConversationID string      `json:"conversation_id,omitempty"`
	DepartmentID   string      `json:"department_id,omitempty"`
	Reason         string      `json:"reason"`
	OfflineForm    OfflineForm `json:"offline_form"`
	Prefill        Prefill     `json:"prefill"`
}

// MessageAck says a message was stored (or had been: a resend).
type MessageAck struct {
	Re             string    `json:"re"`
	ConversationID string    `json:"conversation_id"`
	Seq            int64     `json:"seq"`
	At             time.Time `json:"at"`
}

// MessageFrame is "message": a chat message, to both sides of the conversation.
type MessageFrame Message

// TypingFrame is "typing": the other side is typing or stopped; an agent's carries
// the conversation.
type TypingFrame struct {
	ConversationID string `json:"conversation_id,omitempty"`
	State          bool   `json:"state"`
}

// ChatEnded says a conversation ended, and by whom (visitor, agent, ...); re is
// the chat.end that asked for it, on both sides' sockets.
type ChatEnded struct {
	Re             string `json:"re,omitempty"`
	ConversationID string `json:"conversation_id"`
	By             string `json:"by"`
}

// OfflineReceived says an offline message was stored.
type OfflineReceived struct {
	Re        string `json:"re"`
	MessageID string `json:"message_id"`
}

// PresenceFrame is "presence": the agent's presence, to all its sockets, and with
// re to the socket that asked.
type PresenceFrame struct {
	Re string `json:"re,omitempty"`
	Presence
}

// ShiftFrame is "shift": the agent's shift, to all its sockets; re is the
// shift.snooze or shift.snooze.end it answers.
type ShiftFrame struct {
	Re string `json:"re,omitempty"`
	Shift
}

// ShiftEnding warns that the agent's shift ends at EndsAt; Conversations are its
// open conversations then, left out when it has none (docs/protocol.md#handover).
type ShiftEnding struct {
	EndsAt        time.Time   `json:"ends_at"`
	Conversations []ShiftChat `json:"conversations,omitempty"`
}

// ShiftEnded says the agent's shift is over.
type ShiftEnded struct{}

// ForceLogout comes before the agent's sockets close with CloseLoggedOut.
type ForceLogout struct{}

// OfflineMessage is "offline.message" (docs/protocol.md#offline-inbox-frames): an
// offline message of the site was stored. Message is as the HTTP API shows it
// (docs/protocol.md#offline-inbox), already encoded; Unread is left out when the
// server could not count.
type OfflineMessage struct {
	Message json.RawMessage `json:"message"`
	Unread  *int            `json:"unread,omitempty"`
}

// OfflineState is "offline.state": an offline message changed state.
type OfflineState struct {
	SiteID string `json:"site_id"`
	ID     string `json:"id"`
	State  string `json:"state"`
	Unread *int   `json:"unread,omitempty"`
}

// FrameType: see Frame.

func (Pong) FrameType() string             { return "pong" }
func (ErrorFrame) FrameType() string       { return "error" }
func (VisitorWelcome) FrameType() string   { return "welcome" }
func (AgentWelcome) FrameType() string     { return "welcome" }
func (StatusFrame) FrameType() string      { return "status" }
func (SiteStatus) FrameType() string       { return "site.status" }
func (DepartmentStatus) FrameType() string { return "department.status" }
func (ClosingSoon) FrameType() string      { return "closing_soon" }
func (Queue) FrameType() string            { return "queue" }
func (QueuePosition) FrameType() string    { return "queue.position" }
func (ChatAssigned) FrameType() string     { return "chat.assigned" }
func (ChatTransferred) FrameType() string  { return "chat.transferred" }
func (ChatQueued) FrameType() string       { return "chat.queued" }
func (ChatOffline) FrameType() string      { return "chat.offline" }
func (MessageAck) FrameType() string       { return "message.ack" }
func (MessageFrame) FrameType() string     { return "message" }
func (TypingFrame) FrameType() string      { return "typing" }
func (ChatEnded) FrameType() string        { return "chat.ended" }
func (OfflineReceived) FrameType() string  { return "offline.received" }
func (PresenceFrame) FrameType() string    { return "presence" }
func (ShiftFrame) FrameType() string       { return "shift" }
func (ShiftEnding) FrameType() string      { return "shift.ending" }
func (ShiftEnded) FrameType() string       { return "shift.ended" }
func (ForceLogout) FrameType() string      { return "force_logout" }
func (OfflineMessage) FrameType() string   { return "offline.message" }
func (OfflineState) FrameType() string     { return "offline.state" }

// Encode writes f as a frame: {"type": f.FrameType(), ...f's fields}. f must
// encode as a JSON object (every frame of this package does, inbound ones too, so a
// client can encode its frames with it); anything else is a programming error and
// panics.
func Encode(f Frame) []byte { return EncodeAs(f.FrameType(), f) }

// EncodeAs writes {"type": typ, ...fields} for fields that encode as a JSON
// object. Encode is the typed way; this is for code that holds a frame's fields in
// another shape.
func EncodeAs(typ string, fields any) []byte {
	body, err := json.Marshal(fields)
	if err != nil {
		panic("protocol: cannot encode frame " + typ + ": " + err.Error())
	}
	if len(body) < 2 || body[0] != '{' {
		panic("protocol: frame fields must encode as an object")
	}
	out := make([]byte, 0, len(body)+len(typ)+12)
	out = append(out, `{"type":`...)
	out = strconv.AppendQuote(out, typ)
	if len(body) > 2 {
		out = append(out, ',')
	}
	return append(out, body[1:]...)
}
