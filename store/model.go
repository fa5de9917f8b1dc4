package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/livedesk/gateway/routing/schedule"
)

// Roles an agent can hold, from most to least powerful.
const (
	RoleOwner = "owner"
	RoleAdmin = "admin"
	RoleAgent = "agent"
)

// Site modes: auto follows hours and presence; offline is the manual switch.
const (
	ModeAuto    = "auto"
	ModeOffline = "offline"
)

// Presence values an agent chooses (or an admin sets). Whether an agent is really
// reachable also depends on its sockets; that is the hub's business, not the store's.
const (
	PresenceOnline    = "online"
	PresenceAway      = "away"
	PresenceInvisible = "invisible"
)

// Conversation states: queued -> open -> ended, or queued -> missed.
const (
	StateQueued = "queued"
	StateOpen   = "open"
	StateEnded  = "ended"
	StateMissed = "missed"
)

// Message authors.
const (
	FromVisitor = "visitor"
	FromAgent   = "agent"
	FromSystem  = "system"
)

// FormField is one custom field of a site's offline form.
type FormField struct {
	Name  string `json:"name"`
	Label string `json:"label"`
	// Labels are the label in other languages, by language tag ("fr", "pt-BR"); the
	// widget shows the visitor's language's, else Label.
	Labels   map[string]string `json:"labels,omitempty"`
	Type     string            `json:"type"`
	Required bool              `json:"required"`
}

// OfflineForm is what a visitor sees when the site is offline. When it is disabled
// and the site is offline, the widget hides itself.
type OfflineForm struct {
	Enabled bool        `json:"enabled"`
	Fields  []FormField `json:"fields"`
}

// Notify says where offline messages and transcripts go.
type Notify struct {
	Emails        []string `json:"emails"`
	WebhookURL    string   `json:"webhook_url"`
	WebhookSecret string   `json:"webhook_secret"`
}

// PresenceAlerts says who learns that a site's status changed and held for
// AfterSeconds.
type PresenceAlerts struct {
	Emails       []string `json:"emails"`
	WebhookURL   string   `json:"webhook_url"`
	AfterSeconds int      `json:"after_seconds"`
}

// Site is one website or brand with its own widget, schedule and settings.
type Site struct {
	ID                  string            `json:"id"`
	Name                string            `json:"name"`
	Mode                string            `json:"mode"`
	Schedule            schedule.Schedule `json:"schedule"`
	AllowedOrigins      []string          `json:"allowed_origins"`
	ClosingSoonMinutes  int               `json:"closing_soon_minutes"`
	QueueTimeoutSeconds int               `json:"queue_timeout_seconds"`
	OfflineForm         OfflineForm       `json:"offline_form"`
	Notify              Notify            `json:"notify"`
	PresenceAlerts      PresenceAlerts    `json:"presence_alerts"`
	// ShiftEnd is ShiftEndKeep or ShiftEndHandover; empty reads as keep
	// (ShiftEndOrKeep).
	ShiftEnd string `json:"shift_end"`
	// RetentionDays is how many days the site's ended conversations and handled
	// offline messages are kept (docs/protocol.md#retention); nil keeps them.
	RetentionDays *int      `json:"retention_days,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// ShiftEndOrKeep is the site's shift-end setting, ShiftEndKeep when none is set.
func (s *Site) ShiftEndOrKeep() string {
	if s.ShiftEnd == "" {
		return ShiftEndKeep
	}
	return s.ShiftEnd
}

// Agent is a person who answers chats. Sites empty means all sites. PasswordHash is
// a bcrypt hash; the plain password is never stored. TokenVersion is bumped to revoke
// every token issued before. Schedule nil means the agent follows the site's hours.
type Agent struct {
	ID                  string             `json:"id"`
	Email               string             `json:"email"`
	Name                string             `json:"name"`
	Role                string             `json:"role"`
	Sites               []string           `json:"sites"`
	MaxChats            int                `json:"max_chats"`
	IdleMinutes         int                `json:"idle_minutes"`
	ShiftWarningMinutes int                `json:"shift_warning_minutes"`
	Schedule            *schedule.Schedule `json:"schedule"`
	Presence            string             `json:"presence"`
	PasswordHash        string             `json:"password_hash"`
	TokenVersion        int64              `json:"token_version"`
	CreatedAt           time.Time          `json:"created_at"`
	UpdatedAt           time.Time          `json:"updated_at"`
	// HadSocket is the routing desk's record that the agent has a live socket: set
	// when its first socket opens, cleared once its last one closed and the
	// disconnect grace ran out. A node that stops (a drain or a crash) leaves it
	// set, so the next desk gives the restart grace to exactly those agents. Not
	// shown by the API; written on those transitions only.
	HadSocket bool `json:"had_socket,omitempty"`
}

// Serves reports whether the agent serves the site (an empty list serves every site).
func (a *Agent) Serves(siteID string) bool {
	if len(a.Sites) == 0 {
		return true
	}
	for _, s := range a.Sites {
		if s == siteID {
			return true
		}
	}
	return false
}

// Conversation is one chat between a visitor and the desk of a site.
type Conversation struct {
	ID           string `json:"id"`
	SiteID       string `json:"site_id"`
	VisitorID    string `json:"visitor_id"`
	VisitorName  string `json:"visitor_name"`
	VisitorEmail string `json:"visitor_email"`
	Page         string `json:"page"`
	// VisitorLang and VisitorTimezone are what the widget said in its hello
	// (language code, IANA zone), so the agent can answer accordingly.
	VisitorLang     string `json:"visitor_lang,omitempty"`
	VisitorTimezone string `json:"visitor_timezone,omitempty"`
	// VisitorNumber is the visitor's number on the site (Store.VisitorNumber), so
	// agents can tell visitors without a name apart; 0 when not known.
	VisitorNumber int64      `json:"visitor_number,omitempty"`
	State         string     `json:"state"`
	AgentID       string     `json:"agent_id"`
	AgentName     string     `json:"agent_name"`
	CreatedAt     time.Time  `json:"created_at"`
	AssignedAt    *time.Time `json:"assigned_at"`
	EndedAt       *time.Time `json:"ended_at"`
	EndedBy       string     `json:"ended_by"`
	LastSeq       int64      `json:"last_seq"`
	// DepartmentID is the department of the site the chat is for; empty when
	// the site has none.
	DepartmentID string `json:"department_id,omitempty"`
	// StartID is the id of the chat.start frame that created it, so a resend of that
	// frame gets the same answer.
	StartID string `json:"start_id,omitempty"`
	// Handoff is the transfer that queued it in a department, kept until it is
	// assigned so the agent who gets it is told who handed it on and the note,
	// also after a restart or a change of leader; nil otherwise.
	Handoff *Handoff `json:"handoff,omitempty"`
}

// Handoff is a transfer's sender and note (docs/protocol.md#transfers).
type Handoff struct {
	FromAgentID   string `json:"from_agent_id"`
	FromAgentName string `json:"from_agent_name"`
	Note          string `json:"note"`
	// At is when it was handed on (a queued chat's wait counts from then).
	At time.Time `json:"at"`
}

// Message is one line of a conversation. Seq starts at 1 and has no gaps. ClientID is
// the id of the frame that carried it, kept so a resend stores nothing twice.
type Message struct {
	ConversationID string    `json:"conversation_id"`
	Seq            int64     `json:"seq"`
	From           string    `json:"from"`
	AgentID        string    `json:"agent_id,omitempty"`
	AgentName      string    `json:"agent_name,omitempty"`
	Text           string    `json:"text"`
	At             time.Time `json:"at"`
	ClientID       string    `json:"client_id,omitempty"`
}

// OfflineMessage is what a visitor leaves through the offline form. Its ID sorts by
// creation time (UUIDv7), which is what listing "after" an id relies on.
type OfflineMessage struct {
	ID        string            `json:"id"`
	SiteID    string            `json:"site_id"`
	VisitorID string            `json:"visitor_id"`
	Name      string            `json:"name"`
	Email     string            `json:"email"`
	Message   string            `json:"message"`
	Fields    map[string]string `json:"fields"`
	Page      string            `json:"page"`
	Lang      string            `json:"lang,omitempty"`
	Timezone  string            `json:"timezone,omitempty"`
	// VisitorNumber is the visitor's number on the site (Store.VisitorNumber); 0
	// when not known.
	VisitorNumber int64     `json:"visitor_number,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	ClientID      string    `json:"client_id,omitempty"`
	// DepartmentID is the department the message was left for; empty for the
	// site as a whole.
	DepartmentID string `json:"department_id,omitempty"`
	// State is OfflineNew, OfflineRead or OfflineDone. Records written before
	// states existed have none; stores hand them out as OfflineNew (FillState).
	State string `json:"state,omitempty"`
}

// Offline message states: new until an agent opens it, read once opened, done when
// handled. Any state may follow any other.
const (
	OfflineNew  = "new"
	OfflineRead = "read"
	OfflineDone = "done"
)

// OfflineStates are the offline message states, in their order.
var OfflineStates = []string{OfflineNew, OfflineRead, OfflineDone}

// ValidOfflineState reports whether s is one of OfflineStates.
func ValidOfflineState(s string) bool {
	return s == OfflineNew || s == OfflineRead || s == OfflineDone
}

// FillState gives a record without a state (one written before states existed) the
// state OfflineNew. Stores call it on every offline message they hand out.
func (m *OfflineMessage) FillState() {
	if m.State == "" {
		m.State = OfflineNew
	}
}

// OfflineCounts counts a site's offline messages by state.
type OfflineCounts struct {
	New  int `json:"new"`
	Read int `json:"read"`
	Done int `json:"done"`
}

// ConversationFilter narrows ListConversations. Empty fields match everything.
// Results come newest first; Before (a conversation id) pages backwards.
type ConversationFilter struct {
	SiteID    string
	State     string
	VisitorID string
	// DepartmentID keeps the conversations of that department.
	DepartmentID string
	Before       string
	Limit        int
}

// Notification states: pending until delivered, failed when every attempt within
// the retry window failed.
const (
	NotificationPending   = "pending"
	NotificationDelivered = "delivered"
	NotificationFailed    = "failed"
)

// Notification channels.
const (
	ChannelEmail   = "email"
	ChannelWebhook = "webhook"
)

// Notification is one delivery of one event to one destination: an e-mail to a list
// of addresses, or a webhook POST to one URL. It is written in the same step as the
// thing it announces and kept after delivery with its attempts (the outbox).
//
// ID is time-ordered (UUIDv7 layout), which is what listing newest first and
// "before" an id rely on. EventID is shared by the e-mail and the webhook of one
// event and is the "id" of the webhook body, stable across retries. Secret is the
// webhook's HMAC key at the time the event happened; the API never shows it.
type Notification struct {
	ID            string          `json:"id"`
	EventID       string          `json:"event_id"`
	Type          string          `json:"type"`
	SiteID        string          `json:"site_id"`
	Channel       string          `json:"channel"`
	To            []string        `json:"to,omitempty"`
	URL           string          `json:"url,omitempty"`
	Secret        string          `json:"secret,omitempty"`
	Data          json.RawMessage `json:"data"`
	State         string          `json:"state"`
	Attempts      int             `json:"attempts"`
	LastError     string          `json:"last_error,omitempty"`
	CreatedAt     time.Time       `json:"created_at"`
	NextAttemptAt time.Time       `json:"next_attempt_at"`
	LastAttemptAt *time.Time      `json:"last_attempt_at,omitempty"`
	DeliveredAt   *time.Time      `json:"delivered_at,omitempty"`
}

// NotificationFilter narrows ListNotifications. Empty fields match everything.
// Results come newest first (highest ID); Before (an id) pages backwards.
type NotificationFilter struct {
	State  string
	SiteID string
	Before string
	Limit  int
}

// OutboxStats summarises the pending notifications.
type OutboxStats struct {
	// Pending counts the notifications not yet delivered nor given up.
	Pending int
	// OldestPending is the CreatedAt of the oldest pending one (zero when none).
	OldestPending time.Time
	// NextAttempt is the earliest NextAttemptAt among them (zero when none).
	NextAttempt time.Time
}

// ValidateNotification checks what every stored notification has: an ID, a Type, a
// Channel and a known State. Stores refuse the others and write nothing.
func ValidateNotification(n *Notification) error {
	switch {
	case n.ID == "":
		return errors.New("empty id")
	case n.Type == "":
		return fmt.Errorf("%q: empty type", n.ID)
	case n.Channel == "":
		return fmt.Errorf("%q: empty channel", n.ID)
	}
	switch n.State {
	case NotificationPending, NotificationDelivered, NotificationFailed:
		return nil
	case "":
		return fmt.Errorf("%q: empty state", n.ID)
	}
	return fmt.Errorf("%q: unknown state %q", n.ID, n.State)
}

// CheckLiveWrite is the rule of AppendLive, for stores to apply inside their write
// (and for anyone who wants to know in advance): nil when party may add a message
// from `from` to c, else an error that wraps ErrConflict and says why. A visitor
// (FromVisitor) writes to a conversation whose VisitorID is party while it is
// queued or open; an agent (FromAgent) to one whose AgentID is party while it is
// open; no other author writes live, and nobody without an id.
func CheckLiveWrite(c *Conversation, from, party string) error {
	if party == "" {
		return fmt.Errorf("a message to conversation %q needs its author's id: %w", c.ID, ErrConflict)
	}
	switch from {
	case FromVisitor:
		if c.VisitorID != party {
			return fmt.Errorf("conversation %q is not visitor %q's: %w", c.ID, party, ErrConflict)
		}
		if c.State != StateQueued && c.State != StateOpen {
			return fmt.Errorf("conversation %q is %s: %w", c.ID, c.State, ErrConflict)
		}
	case FromAgent:
		if c.AgentID != party {
			return fmt.Errorf("conversation %q is not agent %q's: %w", c.ID, party, ErrConflict)
		}
		if c.State != StateOpen {
			return fmt.Errorf("conversation %q is %s: %w", c.ID, c.State, ErrConflict)
		}
	default:
		return fmt.Errorf("a message from %q cannot be written live: %w", from, ErrConflict)
	}
	return nil
}
