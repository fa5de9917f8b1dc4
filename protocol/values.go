package protocol

import "time"

// The objects frames carry (docs/protocol.md#visitor-socket and
// docs/protocol.md#agent-socket). Status, Presence, Shift, Prefill and
// FormField have the fields of the server's own types (routing, store), so the
// gateway converts those with a plain conversion.

// Status is a site's status: whether it takes chats, why, and when that changes.
type Status struct {
	Online   bool       `json:"online"`
	Reason   string     `json:"reason"`
	OpensAt  *time.Time `json:"opens_at"`
	ClosesAt *time.Time `json:"closes_at"`
}

// Presence is an agent's presence and what set it (reasons: manual, admin, idle,
// active, restored).
type Presence struct {
	Status string `json:"status"`
	Reason string `json:"reason"`
}

// Shift is an agent's shift: ends_at and starts_at are null when unknown or none;
// snoozed_until is present only while a snooze runs.
type Shift struct {
	OnShift      bool       `json:"on_shift"`
	EndsAt       *time.Time `json:"ends_at"`
	StartsAt     *time.Time `json:"starts_at"`
	SnoozedUntil *time.Time `json:"snoozed_until,omitempty"`
}

// Prefill is what a visitor's offline form is filled with when its chat could not
// be had.
type Prefill struct {
	Text  string `json:"text"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// OfflineForm is the site's offline form as the widget gets it; Fields is a list,
// never null, on the wire.
type OfflineForm struct {
	Enabled bool        `json:"enabled"`
	Fields  []FormField `json:"fields"`
}

// FormField is one custom field of an offline form.
type FormField struct {
	Name     string            `json:"name"`
	Label    string            `json:"label"`
	Labels   map[string]string `json:"labels,omitempty"`
	Type     string            `json:"type"`
	Required bool              `json:"required"`
}

// Message is a chat message: pushed as the frame "message" (MessageFrame) and
// listed in a Conversation. agent_name is left out of a visitor's.
type Message struct {
	ConversationID string    `json:"conversation_id"`
	Seq            int64     `json:"seq"`
	From           string    `json:"from"`
	AgentName      string    `json:"agent_name,omitempty"`
	Text           string    `json:"text"`
	At             time.Time `json:"at"`
}

// AgentRef names the agent of a conversation.
type AgentRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Conversation is a conversation with its messages; agent is null while nobody
// has it. site_id and created_at are extensions; department_id is left out for a
// conversation without a department (docs/protocol.md#departments).
type Conversation struct {
	ID           string    `json:"id"`
	SiteID       string    `json:"site_id"`
	DepartmentID string    `json:"department_id,omitempty"`
	State        string    `json:"state"`
	Agent        *AgentRef `json:"agent"`
	CreatedAt    time.Time `json:"created_at"`
	Messages     []Message `json:"messages"`
}

// Visitor is the visitor of a conversation as agents see it; lang, timezone and
// number are extensions (docs/protocol.md#visitor-number), left out when unknown.
type Visitor struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Email    string `json:"email"`
	Page     string `json:"page"`
	Lang     string `json:"lang,omitempty"`
	Timezone string `json:"timezone,omitempty"`
	Number   int64  `json:"number,omitempty"`
}

// AgentChat is a conversation as its agent sees it: with its visitor.
type AgentChat struct {
	Conversation Conversation `json:"conversation"`
	Visitor      Visitor      `json:"visitor"`
}

// SiteSummary is a site in the agent's welcome: its status and queue length (all
// its departments' together), and its departments in position order, left out for
// a site without any (docs/protocol.md#department-status).
type SiteSummary struct {
	ID          string              `json:"id"`
	Name        string              `json:"name"`
	Status      Status              `json:"status"`
	Queue       int                 `json:"queue"`
	Departments []DepartmentSummary `json:"departments,omitempty"`
}

// Department is a department of a site as the sockets show it: its id, name and
// own status (docs/protocol.md#department-status).
type Department struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Status Status `json:"status"`
}

// DepartmentSummary is a department in the agent's welcome: a Department with
// the length of its own queue.
type DepartmentSummary struct {
	Department
	Queue int `json:"queue"`
}

// Transfer says how a conversation came to the agent that gets it with
// chat.assigned: from which agent, with which note ("" when none)
// (docs/protocol.md#transfers).
type Transfer struct {
	FromAgent AgentRef `json:"from_agent"`
	Note      string   `json:"note"`
}

// TransferTarget is where a transfer went: an agent (AgentID, AgentName), or a
// department (DepartmentID), with the agent it was assigned to there, if any;
// a department transfer without an agent waits in that department's queue
// (docs/protocol.md#transfers).
type TransferTarget struct {
	AgentID      string `json:"agent_id,omitempty"`
	AgentName    string `json:"agent_name,omitempty"`
	DepartmentID string `json:"department_id,omitempty"`
}

// ShiftChat is an open conversation of an agent whose shift is ending, as
// shift.ending lists it: its id and who the visitor is (the name it gave, "" for
// none; its number, left out when it has none) (docs/protocol.md#handover).
type ShiftChat struct {
	ID            string `json:"id"`
	VisitorName   string `json:"visitor_name"`
	VisitorNumber int64  `json:"visitor_number,omitempty"`
}
