package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/livedesk/gateway/store"
)

// List defaults and caps for conversations, as in the other stores.
const (
	defaultConversationLimit = 50
	maxConversationLimit     = 500
)

// CreateConversation stores a new conversation and its first messages in one
// transaction (see store.Store); on failure nothing handed in is changed.
func (s *Store) CreateConversation(ctx context.Context, c *store.Conversation, first ...*store.Message) error {
	rec, msgs, err := store.NewConversationRecords(c, first)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	conv, out := numberFirst(rec, msgs)
	convRow, err := conversationRow(conv)
	if err != nil {
		return fmt.Errorf("postgres: create conversation: %w", err)
	}
	b := &pgx.Batch{}
	b.Queue(insertConversationSQL, convRow...)
	for _, m := range out {
		if m.written {
			continue
		}
		m.written = true
		row, _, err := messageRow(m.msg)
		if err != nil {
			return fmt.Errorf("postgres: create conversation: %w", err)
		}
		b.Queue(insertMessageSQL, row...)
	}
	if err := s.batchTx(ctx, "create conversation", b); err != nil {
		return err
	}
	c.ID, c.LastSeq = conv.ID, conv.LastSeq
	for i, m := range first {
		*m = *out[i].msg
	}
	return nil
}

// firstMessage is one of a new conversation's first messages as stored: msg is
// shared by the messages of one client id, and written is set once it is queued.
type firstMessage struct {
	msg     *store.Message
	written bool
}

// numberFirst gives a new conversation's first messages their Seq from 1, as
// AppendMessage would one after the other (a repeated non-empty client id is one
// message: the later ones get the first's record), and returns the conversation
// with its LastSeq and, for each message in order, its stored record.
func numberFirst(rec *store.Conversation, msgs []store.Message) (*store.Conversation, []*firstMessage) {
	conv := *rec
	out := make([]*firstMessage, len(msgs))
	byClient := map[string]*firstMessage{}
	for i := range msgs {
		if fm, ok := byClient[msgs[i].ClientID]; ok && msgs[i].ClientID != "" {
			out[i] = fm
			continue
		}
		m := msgs[i]
		conv.LastSeq++
		m.Seq = conv.LastSeq
		out[i] = &firstMessage{msg: &m}
		if m.ClientID != "" {
			byClient[m.ClientID] = out[i]
		}
	}
	return &conv, out
}

// GetConversation returns the conversation or store.ErrNotFound.
func (s *Store) GetConversation(ctx context.Context, id string) (*store.Conversation, error) {
	var out *store.Conversation
	err := s.read(ctx, "get conversation", func(tx pgx.Tx) error {
		var err error
		out, err = getOne[store.Conversation](ctx, tx, fmt.Sprintf("conversation %q", id),
			"SELECT data FROM conversations WHERE id = $1", id)
		return err
	})
	return out, err
}

// UpdateConversation applies fn to the locked conversation (ID and LastSeq cannot
// change) and adds the notifications in out in the same transaction.
func (s *Store) UpdateConversation(ctx context.Context, id string, fn func(*store.Conversation) error, notes ...*store.Notification) (*store.Conversation, error) {
	outbox, err := store.NotificationRecords(notes)
	if err != nil {
		return nil, fmt.Errorf("postgres: update conversation: %w", err)
	}
	var out *store.Conversation
	err = s.tx(ctx, "update conversation", func(tx pgx.Tx) error {
		cur, err := lockConversation(ctx, tx, id)
		if err != nil {
			return err
		}
		last := cur.LastSeq
		if err := fn(cur); err != nil {
			return &callerError{err}
		}
		cur.ID, cur.LastSeq = id, last
		if out, err = writeConversation(ctx, tx, cur); err != nil {
			return err
		}
		_, err = insertNotifications(ctx, tx, outbox)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListConversations returns matching conversations, newest (highest id) first.
func (s *Store) ListConversations(ctx context.Context, f store.ConversationFilter) ([]*store.Conversation, error) {
	limit := clampLimit(f.Limit, defaultConversationLimit, maxConversationLimit)
	var (
		where []string
		args  []any
	)
	add := func(col, v string) {
		if v != "" {
			args = append(args, v)
			where = append(where, fmt.Sprintf("%s = $%d", col, len(args)))
		}
	}
	add("site_id", f.SiteID)
	add("state", f.State)
	add("visitor_id", f.VisitorID)
	add("department_id", f.DepartmentID)
	if f.Before != "" {
		args = append(args, f.Before)
		where = append(where, fmt.Sprintf("id < $%d", len(args)))
	}
	sql := "SELECT data FROM conversations"
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	args = append(args, limit)
	sql += fmt.Sprintf(" ORDER BY id DESC LIMIT $%d", len(args))
	var out []*store.Conversation
	err := s.read(ctx, "list conversations", func(tx pgx.Tx) error {
		var err error
		out, err = getAll[store.Conversation](ctx, tx, sql, args...)
		return err
	})
	return out, err
}

// insertConversation inserts c's row (a taken id is store.ErrConflict).
func insertConversation(ctx context.Context, tx pgx.Tx, c *store.Conversation) error {
	row, err := conversationRow(c)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, insertConversationSQL, row...)
	return err
}

// updateConversationSQL stores a conversation over its row, its arguments in
// conversationColumns' order (conversationRow).
const updateConversationSQL = `UPDATE conversations SET site_id = $2, state = $3, visitor_id = $4,
		department_id = $5, last_seq = $6, data = $7 WHERE id = $1`

// writeConversation stores c over its row and returns it as stored.
func writeConversation(ctx context.Context, tx pgx.Tx, c *store.Conversation) (*store.Conversation, error) {
	row, err := conversationRow(c)
	if err != nil {
		return nil, err
	}
	if _, err = tx.Exec(ctx, updateConversationSQL, row...); err != nil {
		return nil, err
	}
	return decode[store.Conversation](row[len(row)-1].([]byte))
}

// lockConversation reads the conversation and locks its row for the transaction.
func lockConversation(ctx context.Context, tx pgx.Tx, id string) (*store.Conversation, error) {
	return getOne[store.Conversation](ctx, tx, fmt.Sprintf("conversation %q", id),
		"SELECT data FROM conversations WHERE id = $1 FOR UPDATE", id)
}
