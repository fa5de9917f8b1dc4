package notify

import (
	"time"
)

// Event types (docs/protocol.md#notifications-outbox).
const (
	TypeOfflineMessage = "offline_message.created"
	TypeStatusChanged  = "site.status_changed"
	TypeConversation   = "conversation.ended"
)

// SiteRef names the site an event belongs to; Timezone is the site's schedule zone,
// in which e-mails show times.
type SiteRef struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Timezone string `json:"timezone"`
}

// OfflineMessageData is the data of offline_message.created.
type OfflineMessageData struct {
	Site    SiteRef        `json:"site"`
	Message OfflineMessage `json:"message"`
}

// OfflineMessage is what the visitor left through the offline form.
type OfflineMessage struct {
	ID        string            `json:"id"`
	VisitorID string            `json:"visitor_id"`
	Name      string            `json:"name"`
	Email     string            `json:"email"`
	Message   string            `json:"message"`
	Fields    map[string]string `json:"fields"`
	Page      string            `json:"page"`
	Lang      string            `json:"lang,omitempty"`
	Timezone  string            `json:"timezone,omitempty"`
	CreatedAt time.Time         `json:"created_at"`
	// DepartmentID is the department the message was left for; absent for the
	// site as a whole.
	DepartmentID string `json:"department_id,omitempty"`
}

// ConversationData is the data of conversation.ended. The outbox stores it without
// Transcript; the worker reads the transcript from the store when it delivers (an
// ended conversation no longer changes, so every attempt sends the same body).
type ConversationData struct {
	Site         SiteRef          `json:"site"`
	Conversation Conversation     `json:"conversation"`
	Transcript   []TranscriptLine `json:"transcript"`
}

// Conversation describes the ended conversation.
type Conversation struct {
	ID           string     `json:"id"`
	VisitorID    string     `json:"visitor_id"`
	VisitorName  string     `json:"visitor_name"`
	VisitorEmail string     `json:"visitor_email"`
	Page         string     `json:"page"`
	AgentID      string     `json:"agent_id"`
	AgentName    string     `json:"agent_name"`
	CreatedAt    time.Time  `json:"created_at"`
	AssignedAt   *time.Time `json:"assigned_at"`
	EndedAt      time.Time  `json:"ended_at"`
	EndedBy      string     `json:"ended_by"`
}

// TranscriptLine is one message of a transcript; From is visitor, agent or system.
type TranscriptLine struct {
	Seq       int64     `json:"seq"`
	From      string    `json:"from"`
	AgentName string    `json:"agent_name,omitempty"`
	Text      string    `json:"text"`
	At        time.Time `json:"at"`
}

// StatusChangedData is the data of site.status_changed: the status that held for
// the site's after_seconds, since when, and the one it replaced.
type StatusChangedData struct {
	Site     SiteRef   `json:"site"`
	Status   Status    `json:"status"`
	Since    time.Time `json:"since"`
	Previous *Status   `json:"previous"`
	// AfterSeconds is how long the status had to hold before this alert.
	AfterSeconds int `json:"after_seconds"`
}

// Status is a site's status as alerts tell it (docs/protocol.md#status reasons).
type Status struct {
	Online   bool       `json:"online"`
	Reason   string     `json:"reason"`
	Since    *time.Time `json:"since,omitempty"`
	OpensAt  *time.Time `json:"opens_at"`
	ClosesAt *time.Time `json:"closes_at"`
}

// Email is one message ready for a Mailer: plain text, UTF-8.
type Email struct {
	To []string
	// ReplyTo, when set, is where answers go (the visitor of an offline message).
	ReplyTo     string
	ReplyToName string
	Subject     string
	Text        string
	// MessageID is the Message-ID header without angle brackets; the same event
	// gets the same one on every attempt so mail clients can drop duplicates.
	MessageID string
	Date      time.Time
}
