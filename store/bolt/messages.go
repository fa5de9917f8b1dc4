package bolt

import (
	"context"
	"encoding/json"
	"fmt"

	"go.etcd.io/bbolt"

	"github.com/livedesk/gateway/store"
)

// Limits of ListMessages.
const (
	defaultMessageLimit = 200
	maxMessageLimit     = 1000
)

// AppendMessage adds m to its conversation with the next sequence number and moves
// the conversation's LastSeq in the same transaction. At is set to the current UTC
// time when zero; m itself is not changed. When the conversation already holds a
// message with the same non-empty ClientID, that message is returned with duplicate
// true and nothing is written. store.ErrNotFound if the conversation is unknown.
func (s *Store) AppendMessage(ctx context.Context, m *store.Message) (*store.Message, bool, error) {
	out, _, dup, err := s.appendMessage(ctx, "append message", m, false, "")
	return out, dup, err
}

// AppendLive is AppendMessage with store.CheckLiveWrite(conversation, m.From,
// party) applied in the same transaction, after the client id is looked up (so a
// resend is answered whatever the conversation's state) and before anything is
// written. It also returns the conversation as that transaction saw it, LastSeq
// included the new message.
func (s *Store) AppendLive(ctx context.Context, m *store.Message, party string) (*store.Message, *store.Conversation, bool, error) {
	return s.appendMessage(ctx, "append live", m, true, party)
}

// appendMessage is AppendMessage and, when live, AppendLive (with party).
func (s *Store) appendMessage(ctx context.Context, op string, m *store.Message, live bool, party string) (*store.Message, *store.Conversation, bool, error) {
	if m == nil {
		return nil, nil, false, fmt.Errorf("bolt: %s: nil message", op)
	}
	rec := store.MessageRecord(m, m.ConversationID)
	var check func(*store.Conversation) error
	if live {
		check = func(conv *store.Conversation) error { return store.CheckLiveWrite(conv, rec.From, party) }
	}
	var (
		out     *store.Message
		outConv *store.Conversation
		dup     bool
	)
	err := s.update(ctx, op, func(tx *bbolt.Tx) error {
		out, outConv, dup = nil, nil, false
		conv, err := getConversation(tx, rec.ConversationID)
		if err != nil {
			return err
		}
		if out, dup, err = appendTx(tx, conv, rec, check); err != nil {
			return err
		}
		outConv = conv
		return nil
	})
	if err != nil {
		return nil, nil, false, err
	}
	if !live {
		outConv = nil
	}
	return out, outConv, dup, nil
}

// appendTx appends rec (made by messageRecord) to conv, the stored conversation it
// names, within tx: when conv already holds a message with rec's non-empty
// ClientID, that message is returned with duplicate true and nothing is written;
// otherwise check, when not nil, may refuse the message (its error is returned and
// nothing is written), and else rec is stored with the next Seq, its ClientID
// indexed, and conv's LastSeq moved (in conv and in its stored record).
func appendTx(tx *bbolt.Tx, conv *store.Conversation, rec store.Message, check func(*store.Conversation) error) (stored *store.Message, duplicate bool, err error) {
	convKey := []byte(conv.ID)
	if cids := tx.Bucket(bktMessageClientIDs).Bucket(convKey); cids != nil && rec.ClientID != "" {
		if seq := cids.Get([]byte(rec.ClientID)); seq != nil {
			stored := new(store.Message)
			ok, err := getJSON(tx.Bucket(bktMessages).Bucket(convKey), string(seq), stored)
			if err != nil {
				return nil, false, err
			}
			if !ok {
				return nil, false, fmt.Errorf("client id %q names missing message %x", rec.ClientID, seq)
			}
			return stored, true, nil
		}
	}
	if check != nil {
		if err := check(conv); err != nil {
			return nil, false, err
		}
	}
	msg := rec
	msg.Seq = conv.LastSeq + 1
	msgs, err := tx.Bucket(bktMessages).CreateBucketIfNotExists(convKey)
	if err != nil {
		return nil, false, err
	}
	if err := putJSON(msgs, seqKey(msg.Seq), &msg); err != nil {
		return nil, false, err
	}
	if msg.ClientID != "" {
		cids, err := tx.Bucket(bktMessageClientIDs).CreateBucketIfNotExists(convKey)
		if err != nil {
			return nil, false, err
		}
		if err := cids.Put([]byte(msg.ClientID), seqKey(msg.Seq)); err != nil {
			return nil, false, err
		}
	}
	conv.LastSeq = msg.Seq
	if err := putJSON(tx.Bucket(bktConversations), convKey, conv); err != nil {
		return nil, false, err
	}
	return &msg, false, nil
}

// ListMessages returns up to limit messages of the conversation with Seq > afterSeq,
// oldest first. limit <= 0 means 200; more than 1000 means 1000.
// store.ErrNotFound if the conversation is unknown.
func (s *Store) ListMessages(ctx context.Context, conversationID string, afterSeq int64, limit int) ([]*store.Message, error) {
	limit = clampLimit(limit, defaultMessageLimit, maxMessageLimit)
	afterSeq = max(afterSeq, 0)
	out := []*store.Message{}
	err := s.view(ctx, "list messages", func(tx *bbolt.Tx) error {
		if _, err := getConversation(tx, conversationID); err != nil {
			return err
		}
		msgs := tx.Bucket(bktMessages).Bucket([]byte(conversationID))
		if msgs == nil {
			return nil
		}
		c := msgs.Cursor()
		for k, v := c.Seek(seqKey(afterSeq + 1)); k != nil && len(out) < limit; k, v = c.Next() {
			m := new(store.Message)
			if err := json.Unmarshal(v, m); err != nil {
				return fmt.Errorf("decode message %x: %w", k, err)
			}
			out = append(out, m)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
