package protocol

import "encoding/json"

// Frame is any frame of the protocol: its wire type names it.
type Frame interface {
	// FrameType is the frame's `type`.
	FrameType() string
}

// Inbound is a client frame (client -> server), as Decode returns it.
type Inbound interface {
	Frame
	// FrameID is the frame's `id` ("" when it has none); replies carry it as `re`.
	FrameID() string
	// Validate checks the frame's fields against the contract's rules (required
	// fields, lengths, formats) in a fixed order and returns the first problem.
	// It needs nothing but the frame: the rules that need the server's state (a
	// site's offline form, a conversation's owner) are the server's.
	Validate() *Error
}

// The client frames of the visitor's socket
// (docs/protocol.md#visitor-socket).

// Ping asks for a Pong; it needs no hello first.
type Ping struct {
	ID string `json:"id,omitempty"`
}

// VisitorHello opens a visitor's session: its token (none: a new identity), the
// last seq it has seen (replay after it), and its language, zone and page.
type VisitorHello struct {
	ID           string `json:"id,omitempty"`
	VisitorToken string `json:"visitor_token,omitempty"`
	LastSeq      *int64 `json:"last_seq,omitempty"`
	Lang         string `json:"lang,omitempty"`
	Timezone     string `json:"timezone,omitempty"`
	Page         string `json:"page,omitempty"`
}

// ChatStart starts a chat with its first message (id required: it is idempotent).
// DepartmentID chooses the department (docs/protocol.md#departments); absent, the
// site's first online department in position order takes it.
type ChatStart struct {
	ID           string `json:"id"`
	Text         string `json:"text"`
	Name         string `json:"name,omitempty"`
	Email        string `json:"email,omitempty"`
	DepartmentID string `json:"department_id,omitempty"`
}

// VisitorMessage is a visitor's chat message to its conversation.
type VisitorMessage struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// VisitorTyping says whether the visitor is typing; state is required.
type VisitorTyping struct {
	ID    string `json:"id,omitempty"`
	State *bool  `json:"state"`
}

// VisitorChatEnd ends the visitor's queued or open chat.
type VisitorChatEnd struct {
	ID string `json:"id,omitempty"`
}

// OfflineSubmit leaves an offline message; Fields are the custom fields, checked
// against the site's form by CheckFields. DepartmentID is the department the
// message is for (absent: the site as a whole; docs/protocol.md#departments).
type OfflineSubmit struct {
	ID           string                     `json:"id"`
	Email        string                     `json:"email"`
	Message      string                     `json:"message"`
	Name         string                     `json:"name,omitempty"`
	DepartmentID string                     `json:"department_id,omitempty"`
	Fields       map[string]json.RawMessage `json:"fields,omitempty"`
}

// The client frames of the agent's socket (docs/protocol.md#agent-socket).

// AgentHello opens an agent's session with its API token.
type AgentHello struct {
	ID    string `json:"id,omitempty"`
	Token string `json:"token"`
}

// PresenceSet chooses the agent's presence: online, away or invisible.
type PresenceSet struct {
	ID     string `json:"id,omitempty"`
	Status string `json:"status"`
}

// Activity tells the server the agent is at its desk (resets idle-away).
type Activity struct {
	ID string `json:"id,omitempty"`
}

// AgentMessage is an agent's chat message to one of its open conversations.
type AgentMessage struct {
	ID             string `json:"id"`
	ConversationID string `json:"conversation_id"`
	Text           string `json:"text"`
}

// AgentTyping says whether the agent is typing in a conversation.
type AgentTyping struct {
	ID             string `json:"id,omitempty"`
	ConversationID string `json:"conversation_id"`
	State          *bool  `json:"state"`
}

// AgentChatEnd ends one of the agent's open conversations.
type AgentChatEnd struct {
	ID             string `json:"id,omitempty"`
	ConversationID string `json:"conversation_id"`
}

// ShiftSnooze extends the agent's shift by a snooze.
type ShiftSnooze struct {
	ID string `json:"id,omitempty"`
}

// ShiftSnoozeEnd cancels the running snooze (no Until) or shortens it to Until, an
// RFC 3339 time (extension).
type ShiftSnoozeEnd struct {
	ID    string `json:"id,omitempty"`
	Until string `json:"until,omitempty"`
}

// ChatTransfer hands one of the agent's open conversations to another agent
// (ToAgentID) or to a department (ToDepartmentID): exactly one of the two. Note
// is for the new agent only (docs/protocol.md#transfers).
type ChatTransfer struct {
	ID             string `json:"id"`
	ConversationID string `json:"conversation_id"`
	ToAgentID      string `json:"to_agent_id,omitempty"`
	ToDepartmentID string `json:"to_department_id,omitempty"`
	Note           string `json:"note,omitempty"`
}

// Unknown is a frame whose type the socket does not take; Validate answers it
// unknown_type. Decode returns it rather than an error so that the server can
// first insist on a hello.
type Unknown struct {
	Type string `json:"-"`
	ID   string `json:"id,omitempty"`
}

// FrameType, FrameID: see Inbound.

func (Ping) FrameType() string           { return "ping" }
func (VisitorHello) FrameType() string   { return "hello" }
func (ChatStart) FrameType() string      { return "chat.start" }
func (VisitorMessage) FrameType() string { return "message" }
func (VisitorTyping) FrameType() string  { return "typing" }
func (VisitorChatEnd) FrameType() string { return "chat.end" }
func (OfflineSubmit) FrameType() string  { return "offline.submit" }
func (AgentHello) FrameType() string     { return "hello" }
func (PresenceSet) FrameType() string    { return "presence.set" }
func (Activity) FrameType() string       { return "activity" }
func (AgentMessage) FrameType() string   { return "message" }
func (AgentTyping) FrameType() string    { return "typing" }
func (AgentChatEnd) FrameType() string   { return "chat.end" }
func (ShiftSnooze) FrameType() string    { return "shift.snooze" }
func (ShiftSnoozeEnd) FrameType() string { return "shift.snooze.end" }
func (ChatTransfer) FrameType() string   { return "chat.transfer" }
func (u Unknown) FrameType() string      { return u.Type }

func (f *Ping) FrameID() string           { return f.ID }
func (f *VisitorHello) FrameID() string   { return f.ID }
func (f *ChatStart) FrameID() string      { return f.ID }
func (f *VisitorMessage) FrameID() string { return f.ID }
func (f *VisitorTyping) FrameID() string  { return f.ID }
func (f *VisitorChatEnd) FrameID() string { return f.ID }
func (f *OfflineSubmit) FrameID() string  { return f.ID }
func (f *AgentHello) FrameID() string     { return f.ID }
func (f *PresenceSet) FrameID() string    { return f.ID }
func (f *Activity) FrameID() string       { return f.ID }
func (f *AgentMessage) FrameID() string   { return f.ID }
func (f *AgentTyping) FrameID() string    { return f.ID }
func (f *AgentChatEnd) FrameID() string   { return f.ID }
func (f *ShiftSnooze) FrameID() string    { return f.ID }
func (f *ShiftSnoozeEnd) FrameID() string { return f.ID }
func (f *ChatTransfer) FrameID() string   { return f.ID }
func (f *Unknown) FrameID() string        { return f.ID }
