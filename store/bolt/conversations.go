package bolt

import (
	"context"
	"encoding/json"
	"fmt"

	"go.etcd.io/bbolt"

	"github.com/livedesk/gateway/store"
)

// Limits of ListConversations.
const (
	defaultConversationLimit = 50
	maxConversationLimit     = 500
)

// CreateConversation stores a new conversation and appends the messages in first,
// in that order, as AppendMessage would, in one transaction. An empty ID is filled
// with a new time-ordered one (written back to c); an ID that exists already gets
// store.ErrConflict. LastSeq starts at 0 whatever c says and counts the messages
// stored (written back to c). A nil message fails the call before anything is
// written. Each message is stored with ConversationID c.ID, the next Seq, and At
// set to the current UTC time when zero, and that stored record is written back to
// it; a message whose non-empty ClientID an earlier one of first already has is not
// stored again, and gets that earlier message's record, as AppendMessage would
// answer a resend. Nothing handed in is changed when the call fails.
func (s *Store) CreateConversation(ctx context.Context, c *store.Conversation, first ...*store.Message) error {
	rec, msgs, err := store.NewConversationRecords(c, first)
	if err != nil {
		return fmt.Errorf("bolt: %w", err)
	}
	var (
		lastSeq int64
		out     []*store.Message
	)
	err = s.update(ctx, "create conversation", func(tx *bbolt.Tx) error {
		lastSeq, out = 0, nil
		b := tx.Bucket(bktConversations)
		if b.Get([]byte(rec.ID)) != nil {
			return fmt.Errorf("id %q taken: %w", rec.ID, store.ErrConflict)
		}
		if err := putJSON(b, []byte(rec.ID), rec); err != nil {
			return err
		}
		if err := reindexConversation(tx, nil, rec); err != nil {
			return err
		}
		conv := *rec // appendTx moves its LastSeq; rec stays as it was, should fn run again
		stored := make([]*store.Message, len(msgs))
		for i := range msgs {
			var err error
			if stored[i], _, err = appendTx(tx, &conv, msgs[i], nil); err != nil {
				return err
			}
		}
		lastSeq, out = conv.LastSeq, stored
		return nil
	})
	if err != nil {
		return err
	}
	c.ID, c.LastSeq = rec.ID, lastSeq
	for i, m := range first {
		*m = *out[i]
	}
	return nil
}

// GetConversation returns the conversation or store.ErrNotFound.
func (s *Store) GetConversation(ctx context.Context, id string) (*store.Conversation, error) {
	var out *store.Conversation
	err := s.view(ctx, "get conversation", func(tx *bbolt.Tx) error {
		var err error
		out, err = getConversation(tx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateConversation applies fn to the stored conversation and stores the result
// atomically. fn may run more than once; an error from it is returned as is and
// nothing is written. ID and LastSeq are put back if fn changes them: the ID is the
// key, and LastSeq belongs to AppendMessage. The notifications in notes are added
// (as AddNotifications does) in the same transaction, only when fn returns nil; an
// invalid one fails the call before fn runs.
func (s *Store) UpdateConversation(ctx context.Context, id string, fn func(*store.Conversation) error, notes ...*store.Notification) (*store.Conversation, error) {
	outbox, err := store.NotificationRecords(notes)
	if err != nil {
		return nil, fmt.Errorf("bolt: update conversation: %w", err)
	}
	var out *store.Conversation
	err = s.update(ctx, "update conversation", func(tx *bbolt.Tx) error {
		cur, err := getConversation(tx, id)
		if err != nil {
			return err
		}
		old := *cur
		if err := fn(cur); err != nil {
			return &callerError{err}
		}
		cur.ID, cur.LastSeq = id, old.LastSeq
		if out, err = cloneJSON(cur); err != nil {
			return err
		}
		if err := putJSON(tx.Bucket(bktConversations), []byte(id), out); err != nil {
			return err
		}
		if err := reindexConversation(tx, &old, out); err != nil {
			return err
		}
		_, err = insertNotifications(tx, outbox)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListConversations returns the conversations matching f, newest (highest ID)
// first. f.Before, when set, keeps only IDs that sort before it. f.Limit <= 0 means
// 50; more than 500 means 500.
func (s *Store) ListConversations(ctx context.Context, f store.ConversationFilter) ([]*store.Conversation, error) {
	limit := clampLimit(f.Limit, defaultConversationLimit, maxConversationLimit)
	out := []*store.Conversation{}
	err := s.view(ctx, "list conversations", func(tx *bbolt.Tx) error {
		convs := tx.Bucket(bktConversations)
		path := filterPath(f)
		b := convs
		if path != nil {
			b = bucketAt(tx, path)
			if b == nil {
				return nil // nothing was ever indexed there
			}
		}
		c := b.Cursor()
		k, v := lastBefore(c, f.Before)
		for ; k != nil && len(out) < limit; k, v = c.Prev() {
			if path != nil { // an index entry: the record is in conversations
				v = convs.Get(k)
				if v == nil {
					return fmt.Errorf("index %q names missing conversation %q", path, k)
				}
			}
			conv := new(store.Conversation)
			if err := json.Unmarshal(v, conv); err != nil {
				return fmt.Errorf("decode conversation %q: %w", k, err)
			}
			if matches(conv, f) {
				out = append(out, conv)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// getConversation decodes the stored conversation or returns store.ErrNotFound.
func getConversation(tx *bbolt.Tx, id string) (*store.Conversation, error) {
	c := new(store.Conversation)
	ok, err := getJSON(tx.Bucket(bktConversations), id, c)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("conversation %q: %w", id, store.ErrNotFound)
	}
	return c, nil
}

// matches reports whether c passes every set field of f (Before and Limit aside).
func matches(c *store.Conversation, f store.ConversationFilter) bool {
	return (f.SiteID == "" || c.SiteID == f.SiteID) &&
		(f.State == "" || c.State == f.State) &&
		(f.VisitorID == "" || c.VisitorID == f.VisitorID) &&
		(f.DepartmentID == "" || c.DepartmentID == f.DepartmentID)
}

// lastBefore positions c on the last key that sorts strictly before `before` (the
// last key of all when before is empty) and returns it; nil when there is none.
func lastBefore(c *bbolt.Cursor, before string) ([]byte, []byte) {
	if before == "" {
		return c.Last()
	}
	k, _ := c.Seek([]byte(before))
	if k == nil {
		return c.Last()
	}
	return c.Prev()
}
