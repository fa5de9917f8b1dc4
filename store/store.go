// Package store defines what the gateway keeps durably and the embedded (bbolt)
// implementation of it. Every implementation must pass the contract suite in
// store/storetest unchanged.
package store

import (
	"context"
	"errors"
	"time"
)

// Errors every implementation returns (possibly wrapped) so callers can tell them apart.
var (
	// ErrNotFound: no record with that key.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the write would break a uniqueness rule (an e-mail already taken).
	ErrConflict = errors.New("conflict")
	// ErrLastOwner: the write would leave the store without an owner.
	ErrLastOwner = errors.New("the last owner cannot be removed or demoted")
	// ErrUnavailable: the backing store cannot take the request now; retry later.
	ErrUnavailable = errors.New("store unavailable")
)

// Store keeps sites, departments, agents, conversations, messages, offline messages and settings.
//
// Durability promise: a write that returns nil survives a crash of the process
// (SIGKILL) right after it returns. Records handed in are copied; records handed out
// are the caller's to change. Update functions run inside the store's transaction:
// they may be called more than once and must not have side effects; an error they
// return aborts the update and is returned as is.
type Store interface {
	// CreateSite stores a new site. An empty ID is filled with a new one.
	CreateSite(ctx context.Context, s *Site) error
	// GetSite returns the site or ErrNotFound.
	GetSite(ctx context.Context, id string) (*Site, error)
	// ListSites returns every site, ordered by ID.
	ListSites(ctx context.Context) ([]*Site, error)
	// UpdateSite applies fn to the stored site and stores the result atomically.
	UpdateSite(ctx context.Context, id string, fn func(*Site) error) (*Site, error)
	// DeleteSite removes the site, and its departments, or returns ErrNotFound.
	DeleteSite(ctx context.Context, id string) error

	DepartmentStore
	RetentionStore
	VisitorDataStore

	// CreateAgent stores a new agent. An empty ID is filled in. The e-mail is unique
	// without regard to case: a duplicate gets ErrConflict.
	CreateAgent(ctx context.Context, a *Agent) error
	// GetAgent returns the agent or ErrNotFound.
	GetAgent(ctx context.Context, id string) (*Agent, error)
	// GetAgentByEmail finds an agent by e-mail, without regard to case, or ErrNotFound.
	GetAgentByEmail(ctx context.Context, email string) (*Agent, error)
	// ListAgents returns every agent, ordered by ID.
	ListAgents(ctx context.Context) ([]*Agent, error)
	// UpdateAgent applies fn atomically. A changed e-mail that is taken gets
	// ErrConflict; a change that leaves no owner gets ErrLastOwner.
	UpdateAgent(ctx context.Context, id string, fn func(*Agent) error) (*Agent, error)
	// DeleteAgent removes the agent; ErrLastOwner if it is the last owner.
	DeleteAgent(ctx context.Context, id string) error

	// CreateConversation stores a new conversation. An empty ID is filled in. The
	// messages in first (a chat's opening message) are appended in the same
	// transaction, as AppendMessage would in that order: each becomes its stored
	// record (the conversation's id, its Seq from 1, At filled when zero; a repeated
	// non-empty ClientID is stored once and both get that record), and c.LastSeq
	// counts them. Either the conversation and all of them are stored, or nothing
	// is, and on failure nothing handed in is changed.
	CreateConversation(ctx context.Context, c *Conversation, first ...*Message) error
	// GetConversation returns the conversation or ErrNotFound.
	GetConversation(ctx context.Context, id string) (*Conversation, error)
	// UpdateConversation applies fn atomically. The notifications in out are added
	// (as AddNotifications does) in the same transaction, and only when fn returns nil.
	UpdateConversation(ctx context.Context, id string, fn func(*Conversation) error, out ...*Notification) (*Conversation, error)
	// ListConversations returns matching conversations, newest first.
	ListConversations(ctx context.Context, f ConversationFilter) ([]*Conversation, error)

	// AppendMessage adds a message to its conversation with the next sequence number
	// (and the conversation's LastSeq moves with it). When the conversation already
	// holds a message with the same non-empty ClientID, that stored message is returned
	// with duplicate true and nothing is written. ErrNotFound if the conversation is
	// unknown.
	AppendMessage(ctx context.Context, m *Message) (stored *Message, duplicate bool, err error)
	// AppendLive is AppendMessage for a live chat, with the check of who may write
	// made in the same step as the write: m.From FromVisitor needs the conversation
	// queued or open and its VisitorID equal to party; FromAgent needs it open and
	// its AgentID equal to party (any other From is refused). A refused message is
	// not written and the error wraps ErrConflict; ErrNotFound if the conversation
	// is unknown. A resend of a stored message (same non-empty ClientID) returns it
	// with duplicate true even once the conversation has ended, so a client that
	// lost the ack gets it. conv is the conversation as the check saw it (LastSeq
	// included the new message), so a caller needs no read of its own to know who
	// to deliver the message to.
	AppendLive(ctx context.Context, m *Message, party string) (stored *Message, conv *Conversation, duplicate bool, err error)
	// ListMessages returns up to limit messages with Seq > afterSeq, oldest first.
	ListMessages(ctx context.Context, conversationID string, afterSeq int64, limit int) ([]*Message, error)

	// AddOfflineMessage stores an offline message, in state OfflineNew whatever
	// State it carries. An empty ID is filled with a time-ordered one. When the same
	// visitor of the same site already left one with the same non-empty ClientID,
	// that one is returned with duplicate true. The notifications in out are added
	// in the same transaction as the message, and not at all for a duplicate.
	AddOfflineMessage(ctx context.Context, m *OfflineMessage, out ...*Notification) (stored *OfflineMessage, duplicate bool, err error)
	// ListOfflineMessages returns up to limit messages of a site whose ID sorts after
	// `after` (all when empty), oldest first.
	ListOfflineMessages(ctx context.Context, siteID, after string, limit int) ([]*OfflineMessage, error)
	// ListOfflineByState is ListOfflineMessages restricted to the messages in state
	// (one of OfflineStates; every state when empty). Records written before states
	// existed are new. Any other state is an error.
	ListOfflineByState(ctx context.Context, siteID, state, after string, limit int) ([]*OfflineMessage, error)
	// SetOfflineState moves a site's offline message to state (one of OfflineStates)
	// and returns it; changed is false, and nothing is written, when it was in that
	// state already. ErrNotFound when the site holds no message with that id; any
	// other state is an error and writes nothing.
	SetOfflineState(ctx context.Context, siteID, id, state string) (m *OfflineMessage, changed bool, err error)
	// CountOffline counts a site's offline messages by state (records written before
	// states existed count as new). An unknown site has none.
	CountOffline(ctx context.Context, siteID string) (OfflineCounts, error)

	// AddNotifications stores the notifications whose ID is not stored yet and skips
	// the others (so writing the same event twice adds it once); it returns how many
	// it added. Each must have an ID, a Type, a Channel and a State; a zero CreatedAt
	// or NextAttemptAt is filled with the current time.
	AddNotifications(ctx context.Context, items ...*Notification) (added int, err error)
	// GetNotification returns the notification or ErrNotFound.
	GetNotification(ctx context.Context, id string) (*Notification, error)
	// UpdateNotification applies fn atomically (ID and CreatedAt cannot change) and
	// keeps the pending and due indexes in step with State and NextAttemptAt.
	UpdateNotification(ctx context.Context, id string, fn func(*Notification) error) (*Notification, error)
	// DueNotifications returns up to limit pending notifications whose NextAttemptAt
	// is not after now, soonest first. Limit <= 0 means 50; more than 500 means 500.
	DueNotifications(ctx context.Context, now time.Time, limit int) ([]*Notification, error)
	// ListNotifications returns matching notifications, newest first. Limit <= 0
	// means 50; more than 500 means 500.
	ListNotifications(ctx context.Context, f NotificationFilter) ([]*Notification, error)
	// OutboxStats counts the pending notifications and dates the oldest and the
	// next due.
	OutboxStats(ctx context.Context) (OutboxStats, error)

	// VisitorNumber returns the visitor's number on the site, allocating the site's
	// next one (1, 2, 3, … per site) the first time the visitor is asked for. The same
	// visitor of the same site always gets the same number, whoever asks and however
	// many ask at once; two visitors of a site never share one; each site counts on
	// its own. A visitor that has its number costs a read, not a write. Empty ids are
	// an error. The site need not exist; a number is never given twice.
	VisitorNumber(ctx context.Context, siteID, visitorID string) (int64, error)

	// GetSetting returns a setting's value or ErrNotFound.
	GetSetting(ctx context.Context, key string) ([]byte, error)
	// PutSetting stores a setting.
	PutSetting(ctx context.Context, key string, value []byte) error
	// PutSettingIfAbsent stores value unless the key exists, and returns what is
	// stored afterwards (so several nodes agree on one generated secret).
	PutSettingIfAbsent(ctx context.Context, key string, value []byte) ([]byte, error)

	// Ping reports whether the store can take requests now (for /readyz).
	Ping(ctx context.Context) error
	// Close releases the store. Nothing may be called after it.
	Close() error
}
