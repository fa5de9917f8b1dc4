package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/livedesk/gateway/store"
)

// A chat message is the store's hottest write, and each round trip to the server
// holds the conversation's row lock a little longer. appendPipelined makes the
// same transaction as appendTx in two round trips instead of six (BEGIN, lock,
// client-id lookup, insert, update, COMMIT each waiting for the last): the first
// batch begins, locks and reads the conversation and looks for the client id;
// the check runs here, between the two; the second batch inserts the message,
// moves the conversation and commits. A resend or a refusal ends with ROLLBACK
// instead, and so does any error (or, when that fails too, the pool drops the
// connection: pgxpool never reuses one left inside a transaction).

// rollbackTimeout bounds the ROLLBACK after a failed append; a server that does
// not answer it within that loses the connection instead.
const rollbackTimeout = 2 * time.Second

// appendPipelined appends rec as appendTx does, in a transaction of its own; a
// transaction the server aborted for a deadlock runs again, as tx does.
func (s *Store) appendPipelined(ctx context.Context, op string, rec store.Message, check func(*store.Conversation) error) (
	*store.Message, *store.Conversation, bool, error) {
	if err := s.check(ctx, op); err != nil {
		return nil, nil, false, err
	}
	var (
		out  *store.Message
		conv *store.Conversation
		dup  bool
		err  error
	)
	for range maxAttempts {
		out, conv, dup, err = s.appendOnce(ctx, rec, check)
		if !retryable(err) {
			break
		}
	}
	if err != nil {
		return nil, nil, false, s.wrap(ctx, op, err)
	}
	return out, conv, dup, nil
}

// appendOnce is one attempt of appendPipelined on one pooled connection.
func (s *Store) appendOnce(ctx context.Context, rec store.Message, check func(*store.Conversation) error) (
	out *store.Message, conv *store.Conversation, dup bool, err error) {
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, nil, false, err
	}
	defer c.Release()
	committed := false
	defer func() {
		if !committed {
			rollback(ctx, c)
		}
	}()

	convData, dupData, err := lockAndLookup(ctx, c, rec)
	if err != nil {
		return nil, nil, false, err
	}
	if conv, err = decode[store.Conversation](convData); err != nil {
		return nil, nil, false, err
	}
	if dupData != nil {
		stored, err := decode[store.Message](dupData)
		return stored, conv, err == nil, err
	}
	if check != nil {
		if err := check(conv); err != nil {
			return nil, nil, false, err
		}
	}
	msg := rec
	msg.Seq = conv.LastSeq + 1
	msgRow, msgData, err := messageRow(&msg)
	if err != nil {
		return nil, nil, false, err
	}
	conv.LastSeq = msg.Seq
	convRow, err := conversationRow(conv)
	if err != nil {
		return nil, nil, false, err
	}
	newConv := convRow[len(convRow)-1].([]byte)
	b := &pgx.Batch{}
	b.Queue(insertMessageSQL, msgRow...)
	b.Queue(updateConversationSQL, convRow...)
	b.Queue("COMMIT")
	if err := c.SendBatch(ctx, b).Close(); err != nil {
		return nil, nil, false, err
	}
	committed = true
	if out, err = decode[store.Message](msgData); err != nil {
		return nil, nil, false, err
	}
	if conv, err = decode[store.Conversation](newConv); err != nil {
		return nil, nil, false, err
	}
	return out, conv, false, nil
}

// lockAndLookup sends BEGIN, the conversation's row lock and read, and (for a
// message with a client id) the lookup of a stored message with that id, as one
// batch; it returns the conversation's data and the stored message's, nil when
// there is none. An unknown conversation is store.ErrNotFound.
func lockAndLookup(ctx context.Context, c *pgxpool.Conn, rec store.Message) (convData, dupData []byte, err error) {
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	b.Queue("SELECT data FROM conversations WHERE id = $1 FOR UPDATE", rec.ConversationID)
	if rec.ClientID != "" {
		b.Queue("SELECT data FROM messages WHERE conversation_id = $1 AND client_id = $2", rec.ConversationID, rec.ClientID)
	}
	br := c.SendBatch(ctx, b)
	defer func() {
		if cerr := br.Close(); err == nil {
			err = cerr
		}
	}()
	if _, err := br.Exec(); err != nil {
		return nil, nil, err
	}
	if err := br.QueryRow().Scan(&convData); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, nil, fmt.Errorf("conversation %q: %w", rec.ConversationID, store.ErrNotFound)
		}
		return nil, nil, err
	}
	if rec.ClientID != "" {
		if err := br.QueryRow().Scan(&dupData); err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return nil, nil, err
		}
	}
	return convData, dupData, nil
}

// rollback ends the transaction an append left open on c, if any; when the
// server does not take the ROLLBACK, c stays inside it and the pool destroys it
// at Release.
func rollback(ctx context.Context, c *pgxpool.Conn) {
	if c.Conn().PgConn().TxStatus() == 'I' {
		return
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rollbackTimeout)
	defer cancel()
	_, _ = c.Exec(rctx, "ROLLBACK")
}
