package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/livedesk/gateway/store"
)

// List defaults and caps for messages, as in the other stores.
const (
	defaultMessageLimit = 200
	maxMessageLimit     = 1000
)

// AppendMessage adds a message with the conversation's next sequence number, or
// returns the stored one with duplicate true for a resend of its client id.
func (s *Store) AppendMessage(ctx context.Context, m *store.Message) (*store.Message, bool, error) {
	out, _, dup, err := s.appendMessage(ctx, "append message", m, false, "")
	return out, dup, err
}

// AppendLive is AppendMessage with store.CheckLiveWrite made on the locked
// conversation, in the same transaction as the insert.
func (s *Store) AppendLive(ctx context.Context, m *store.Message, party string) (*store.Message, *store.Conversation, bool, error) {
	return s.appendMessage(ctx, "append live", m, true, party)
}

func (s *Store) appendMessage(ctx context.Context, op string, m *store.Message, live bool, party string) (*store.Message, *store.Conversation, bool, error) {
	if m == nil {
		return nil, nil, false, fmt.Errorf("postgres: %s: nil message", op)
	}
	rec := store.MessageRecord(m, m.ConversationID)
	var check func(*store.Conversation) error
	if live {
		check = func(conv *store.Conversation) error { return store.CheckLiveWrite(conv, rec.From, party) }
	}
	out, conv, dup, err := s.appendPipelined(ctx, op, rec, check)
	if err != nil {
		return nil, nil, false, err
	}
	if !live {
		conv = nil
	}
	return out, conv, dup, nil
}

// appendTx appends rec to conv, whose row the transaction has locked (or inserted):
// a resend of a stored client id returns that message; else check (when not nil)
// may refuse, and the message is inserted with Seq LastSeq+1 and conv's row and
// LastSeq move with it. The common case, a new message, costs two statements (the
// insert, which finds a resend by its conflict, and the conversation's update); the
// stored message is looked up only for a resend or a refusal.
func appendTx(ctx context.Context, tx pgx.Tx, conv *store.Conversation, rec store.Message, check func(*store.Conversation) error) (*store.Message, bool, error) {
	if check != nil {
		if err := check(conv); err != nil {
			if stored, found, lerr := storedResend(ctx, tx, conv.ID, rec.ClientID); lerr != nil || found {
				return stored, found, lerr
			}
			return nil, false, err
		}
	}
	msg := rec
	msg.Seq = conv.LastSeq + 1
	row, data, err := messageRow(&msg)
	if err != nil {
		return nil, false, err
	}
	tag, err := tx.Exec(ctx, insertMessageSQL+" ON CONFLICT (conversation_id, client_id) DO NOTHING", row...)
	if err != nil {
		return nil, false, err
	}
	if tag.RowsAffected() == 0 {
		// Only a stored client id conflicts (the row lock keeps Seq free).
		stored, found, err := storedResend(ctx, tx, conv.ID, rec.ClientID)
		if err == nil && !found {
			err = fmt.Errorf("%w: message %d of conversation %q not inserted", errData, msg.Seq, conv.ID)
		}
		return stored, found, err
	}
	conv.LastSeq = msg.Seq
	if _, err := writeConversation(ctx, tx, conv); err != nil {
		return nil, false, err
	}
	stored, err := decode[store.Message](data)
	return stored, false, err
}

// storedResend returns the conversation's message of client id clientID, if any.
func storedResend(ctx context.Context, tx pgx.Tx, convID, clientID string) (*store.Message, bool, error) {
	if clientID == "" {
		return nil, false, nil
	}
	var data []byte
	err := tx.QueryRow(ctx, "SELECT data FROM messages WHERE conversation_id = $1 AND client_id = $2", convID, clientID).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	stored, err := decode[store.Message](data)
	return stored, err == nil, err
}

// ListMessages returns up to limit messages with Seq > afterSeq, oldest first;
// store.ErrNotFound for an unknown conversation.
func (s *Store) ListMessages(ctx context.Context, conversationID string, afterSeq int64, limit int) ([]*store.Message, error) {
	limit = clampLimit(limit, defaultMessageLimit, maxMessageLimit)
	afterSeq = max(afterSeq, 0)
	var out []*store.Message
	err := s.read(ctx, "list messages", func(tx pgx.Tx) error {
		var one int
		err := tx.QueryRow(ctx, "SELECT 1 FROM conversations WHERE id = $1", conversationID).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("conversation %q: %w", conversationID, store.ErrNotFound)
		}
		if err != nil {
			return err
		}
		out, err = getAll[store.Message](ctx, tx,
			"SELECT data FROM messages WHERE conversation_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
			conversationID, afterSeq, limit)
		return err
	})
	return out, err
}
