package store

import (
	"context"
	"time"
)

// RetentionStore is the part of Store that forgets what a site keeps no longer
// than its retention_days (docs/protocol.md#retention).
type RetentionStore interface {
	// PurgeExpired deletes, for one site, at most limit records (limit <= 0 means
	// DefaultPurgeLimit; more than MaxPurgeLimit means MaxPurgeLimit) among:
	//   - its conversations that ConversationExpired says are over before
	//     `before`, each with its messages and the indexes that name it (lists and
	//     counts never show it again);
	//   - its offline messages that OfflineExpired says are handled and older.
	// Nothing else is touched: a queued or open conversation, a new or read
	// offline message, any other site's record, the outbox, visitor numbers.
	//
	// A conversation costs one record plus one per message. One whose messages do
	// not fit in what is left of limit loses as many of its messages as fit,
	// newest first, and goes (with the rest of them) in a later call: no call
	// deletes more than limit records, whatever a conversation holds, and a
	// conversation is either listed with a prefix of its messages or gone.
	//
	// Each call is short (its own transaction or transactions, none spanning
	// calls). A call whose counts total less than the limit found nothing more
	// to delete; calling again until then purges everything that expired.
	PurgeExpired(ctx context.Context, siteID string, before time.Time, limit int) (PurgeCounts, error)
}

// Limits of PurgeExpired.
const (
	DefaultPurgeLimit = 500
	MaxPurgeLimit     = 10000
)

// PurgeCounts is what one PurgeExpired call deleted.
type PurgeCounts struct {
	Conversations int `json:"conversations"`
	Messages      int `json:"messages"`
	Offline       int `json:"offline_messages"`
}

// Total is the number of records deleted, what PurgeExpired's limit bounds.
func (c PurgeCounts) Total() int { return c.Conversations + c.Messages + c.Offline }

// Add returns the sum of c and d.
func (c PurgeCounts) Add(d PurgeCounts) PurgeCounts {
	return PurgeCounts{Conversations: c.Conversations + d.Conversations, Messages: c.Messages + d.Messages, Offline: c.Offline + d.Offline}
}

// PurgeLimit applies PurgeExpired's default and cap to a requested limit.
func PurgeLimit(limit int) int {
	if limit <= 0 {
		return DefaultPurgeLimit
	}
	return min(limit, MaxPurgeLimit)
}

// ConversationEnd is when c was over: EndedAt for an ended or missed
// conversation (CreatedAt when it has no EndedAt, as a record written before end
// times were kept), and false for a queued or open one, which never expires.
func ConversationEnd(c *Conversation) (time.Time, bool) {
	if c.State != StateEnded && c.State != StateMissed {
		return time.Time{}, false
	}
	if c.EndedAt != nil {
		return *c.EndedAt, true
	}
	return c.CreatedAt, true
}

// ConversationExpired reports whether PurgeExpired deletes c for the cutoff
// before: it is over (ConversationEnd) strictly before it.
func ConversationExpired(c *Conversation, before time.Time) bool {
	end, ok := ConversationEnd(c)
	return ok && end.Before(before)
}

// OfflineExpired reports whether PurgeExpired deletes m for the cutoff before: it
// is handled (OfflineDone; a read one may still need an answer, so it stays) and
// was created strictly before it.
func OfflineExpired(m *OfflineMessage, before time.Time) bool {
	return m.State == OfflineDone && m.CreatedAt.Before(before)
}
