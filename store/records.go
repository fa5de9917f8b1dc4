package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// NewID returns a new time-ordered id (UUIDv7): ids made later sort after. The
// stores give it to records created without one.
func NewID() (string, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return "", fmt.Errorf("new id: %w", err)
	}
	return id.String(), nil
}

// MessageRecord is the record a store keeps of m in conversation convID: a copy
// with ConversationID set and At set to now (UTC) when zero. Seq is the store's to
// give.
func MessageRecord(m *Message, convID string) Message {
	rec := *m // Message holds no references: a plain copy is a deep one
	rec.ConversationID = convID
	if rec.At.IsZero() {
		rec.At = time.Now().UTC()
	}
	return rec
}

// NewConversationRecords checks the arguments of Store.CreateConversation and
// returns what a store writes for them, leaving c and first unchanged: a deep copy
// of c with its ID (a new one when empty) and LastSeq 0, and the records of first
// (MessageRecord) in that conversation. A nil conversation or message is an error.
func NewConversationRecords(c *Conversation, first []*Message) (*Conversation, []Message, error) {
	if c == nil {
		return nil, nil, errors.New("create conversation: nil conversation")
	}
	for i, m := range first {
		if m == nil {
			return nil, nil, fmt.Errorf("create conversation: first message %d is nil", i+1)
		}
	}
	data, err := json.Marshal(c)
	if err != nil {
		return nil, nil, fmt.Errorf("create conversation: encode: %w", err)
	}
	rec := new(Conversation)
	if err := json.Unmarshal(data, rec); err != nil {
		return nil, nil, fmt.Errorf("create conversation: decode: %w", err)
	}
	if rec.ID == "" {
		if rec.ID, err = NewID(); err != nil {
			return nil, nil, err
		}
	}
	rec.LastSeq = 0
	msgs := make([]Message, len(first))
	for i, m := range first {
		msgs[i] = MessageRecord(m, rec.ID)
	}
	return rec, msgs, nil
}

// NotificationRecords checks items (AddNotifications' rules, ValidateNotification)
// and returns the records a store keeps of them: deep copies with a zero CreatedAt
// or NextAttemptAt set to the current UTC time. The first invalid item fails the
// whole lot, and items are left unchanged.
func NotificationRecords(items []*Notification) ([]*Notification, error) {
	out := make([]*Notification, 0, len(items))
	now := time.Now().UTC()
	for i, n := range items {
		if n == nil {
			return nil, fmt.Errorf("notification %d: nil", i)
		}
		if err := ValidateNotification(n); err != nil {
			return nil, fmt.Errorf("notification %d: %w", i, err)
		}
		data, err := json.Marshal(n)
		if err != nil {
			return nil, fmt.Errorf("notification %d (%q): encode: %w", i, n.ID, err)
		}
		rec := new(Notification)
		if err := json.Unmarshal(data, rec); err != nil {
			return nil, fmt.Errorf("notification %d (%q): decode: %w", i, n.ID, err)
		}
		if rec.CreatedAt.IsZero() {
			rec.CreatedAt = now
		}
		if rec.NextAttemptAt.IsZero() {
			rec.NextAttemptAt = now
		}
		out = append(out, rec)
	}
	return out, nil
}
