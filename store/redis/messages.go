package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/livedesk/gateway/store"
)

// Limits of ListMessages.
const (
	defaultMessageLimit = 200
	maxMessageLimit     = 1000
)

// AppendMessage adds m to its conversation with the next sequence number (one Lua
// script: the conversation's LastSeq is the length of its message list, so it moves
// with it). At is set to the current UTC time when zero; m itself is not changed.
// When the conversation already holds a message with the same non-empty ClientID,
// that message is returned with duplicate true and nothing is written.
// store.ErrNotFound if the conversation is unknown.
func (s *Store) AppendMessage(ctx context.Context, m *store.Message) (*store.Message, bool, error) {
	const op = "append message"
	if m == nil {
		return nil, false, errors.New("redis: append message: nil message")
	}
	if err := s.begin(ctx, op); err != nil {
		return nil, false, err
	}
	rec := *m // Message holds no references: a plain copy is a deep one
	if rec.At.IsZero() {
		rec.At = time.Now().UTC()
	}
	rec.Seq = -1 // the placeholder the script replaces
	data, err := encode(&rec)
	if err != nil {
		return nil, false, s.wrap(ctx, op, err)
	}
	conv := rec.ConversationID
	keys := []string{s.k.conv(conv), s.k.msgs(conv), s.k.msgCID(conv)}
	res, err := appendScript.Run(ctx, s.rdb, keys, rec.ClientID, data).Slice()
	if err != nil {
		return nil, false, s.wrap(ctx, op, err)
	}
	switch code, _ := res[0].(int64); {
	case code == -1:
		return nil, false, s.wrap(ctx, op, fmt.Errorf("conversation %q: %w", conv, store.ErrNotFound))
	case code == 0 && len(res) == 2:
		seq, _ := res[1].(int64)
		rec.Seq = seq
		return &rec, false, nil
	case code == 1 && len(res) == 3:
		seq, _ := res[1].(int64)
		data, ok := res[2].(string)
		if !ok {
			return nil, false, s.wrap(ctx, op, dataErr(fmt.Sprintf("client id %q names missing message %d", rec.ClientID, seq), nil))
		}
		stored := new(store.Message)
		if err := decode(s.k.msgs(conv), data, stored); err != nil {
			return nil, false, s.wrap(ctx, op, err)
		}
		stored.Seq = seq
		return stored, true, nil
	}
	return nil, false, s.wrap(ctx, op, dataErr(fmt.Sprintf("append script answered %v", res), nil))
}

// ListMessages returns up to limit messages of the conversation with Seq > afterSeq,
// oldest first. limit <= 0 means 200; more than 1000 means 1000.
// store.ErrNotFound if the conversation is unknown.
func (s *Store) ListMessages(ctx context.Context, conversationID string, afterSeq int64, limit int) ([]*store.Message, error) {
	const op = "list messages"
	if err := s.begin(ctx, op); err != nil {
		return nil, err
	}
	limit = clampLimit(limit, defaultMessageLimit, maxMessageLimit)
	afterSeq = max(afterSeq, 0)
	var (
		exists *redis.IntCmd
		items  *redis.StringSliceCmd
	)
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		exists = p.Exists(ctx, s.k.conv(conversationID))
		items = p.LRange(ctx, s.k.msgs(conversationID), afterSeq, afterSeq+int64(limit)-1)
		return nil
	})
	if err != nil {
		return nil, s.wrap(ctx, op, err)
	}
	if exists.Val() == 0 {
		return nil, s.wrap(ctx, op, fmt.Errorf("conversation %q: %w", conversationID, store.ErrNotFound))
	}
	out := make([]*store.Message, 0, len(items.Val()))
	for i, data := range items.Val() {
		m := new(store.Message)
		if err := decode(s.k.msgs(conversationID), data, m); err != nil {
			return nil, s.wrap(ctx, op, err)
		}
		m.Seq = afterSeq + int64(i) + 1 // the position is the seq
		out = append(out, m)
	}
	return out, nil
}
