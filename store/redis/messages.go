package redisstore

import (
	"context"
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
	stored, _, dup, err := s.appendMessage(ctx, "append message", m, false, "")
	return stored, dup, err
}

// AppendLive is AppendMessage with store.CheckLiveWrite(conversation, m.From,
// party) applied by the same script, after the client id is looked up (so a resend
// is answered whatever the conversation's state) and before anything is written.
// The script hands back the conversation's record too, so the conversation
// returned is the one the check saw, its LastSeq that of the list after the append.
func (s *Store) AppendLive(ctx context.Context, m *store.Message, party string) (*store.Message, *store.Conversation, bool, error) {
	return s.appendMessage(ctx, "append live", m, true, party)
}

// appendMessage is AppendMessage and, when live, AppendLive (with party). It runs
// appendScript once; the conversation comes back only when live.
func (s *Store) appendMessage(ctx context.Context, op string, m *store.Message, live bool, party string) (*store.Message, *store.Conversation, bool, error) {
	if m == nil {
		return nil, nil, false, fmt.Errorf("redis: %s: nil message", op)
	}
	if err := s.begin(ctx, op); err != nil {
		return nil, nil, false, err
	}
	rec, data, err := encodeMessage(m, m.ConversationID)
	if err != nil {
		return nil, nil, false, s.wrap(ctx, op, err)
	}
	id := rec.ConversationID
	keys := []string{s.k.conv(id), s.k.msgs(id), s.k.msgCID(id)}
	args := []any{rec.ClientID, data}
	if live {
		args = append(args, "live", rec.From, party)
	}
	res, err := appendScript.Run(ctx, s.rdb, keys, args...).Slice()
	if err != nil {
		return nil, nil, false, s.wrap(ctx, op, err)
	}
	bad := func() error {
		return s.wrap(ctx, op, dataErr(fmt.Sprintf("append script answered %v", res), nil))
	}
	// conv decodes the conversation's record at res[i] (live only) with LastSeq last.
	conv := func(i int, last int64) (*store.Conversation, error) {
		if !live {
			return nil, nil
		}
		data, ok := replyAt[string](res, i)
		if !ok {
			return nil, bad()
		}
		c := new(store.Conversation)
		if err := decode(s.k.conv(id), data, c); err != nil {
			return nil, s.wrap(ctx, op, err)
		}
		c.LastSeq = last
		return c, nil
	}
	code, _ := replyAt[int64](res, 0)
	switch code {
	case -1:
		return nil, nil, false, s.wrap(ctx, op, fmt.Errorf("conversation %q: %w", id, store.ErrNotFound))
	case 0:
		seq, ok := replyAt[int64](res, 1)
		if !ok {
			return nil, nil, false, bad()
		}
		c, err := conv(2, seq)
		if err != nil {
			return nil, nil, false, err
		}
		rec.Seq = seq
		return &rec, c, false, nil
	case 1:
		seq, ok1 := replyAt[int64](res, 1)
		last, ok3 := replyAt[int64](res, 3)
		if !ok1 || !ok3 {
			return nil, nil, false, bad()
		}
		data, ok := replyAt[string](res, 2)
		if !ok {
			return nil, nil, false, s.wrap(ctx, op, dataErr(fmt.Sprintf("client id %q names missing message %d", rec.ClientID, seq), nil))
		}
		stored := new(store.Message)
		if err := decode(s.k.msgs(id), data, stored); err != nil {
			return nil, nil, false, s.wrap(ctx, op, err)
		}
		stored.Seq = seq
		c, err := conv(4, last)
		if err != nil {
			return nil, nil, false, err
		}
		return stored, c, true, nil
	case 2:
		last, ok := replyAt[int64](res, 1)
		if !live || !ok {
			return nil, nil, false, bad()
		}
		c, err := conv(2, last)
		if err != nil {
			return nil, nil, false, err
		}
		// The script checked; the rule in Go says why (and must agree).
		if err := store.CheckLiveWrite(c, rec.From, party); err != nil {
			return nil, nil, false, s.wrap(ctx, op, err)
		}
		return nil, nil, false, s.wrap(ctx, op, dataErr(fmt.Sprintf("append script refused what store.CheckLiveWrite allows (conversation %q)", id), nil))
	}
	return nil, nil, false, bad()
}

// encodeMessage returns the record of m that conversation convID stores, and its
// JSON as the scripts take it (see push_message in scripts.go): a copy of m with
// ConversationID convID and At set to the current UTC time when zero, encoded with
// the seq placeholder -1. The record's Seq is left 0 for the caller to fill in with
// the script's answer. m itself is not changed.
func encodeMessage(m *store.Message, convID string) (store.Message, []byte, error) {
	rec := *m // Message holds no references: a plain copy is a deep one
	rec.ConversationID = convID
	if rec.At.IsZero() {
		rec.At = time.Now().UTC()
	}
	rec.Seq = -1 // the placeholder the script replaces
	data, err := encode(&rec)
	rec.Seq = 0
	return rec, data, err
}

// replyAt returns res[i] as a T; false when res is shorter or res[i] is not a T.
func replyAt[T any](res []any, i int) (T, bool) {
	var v T
	if i >= len(res) {
		return v, false
	}
	v, ok := res[i].(T)
	return v, ok
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
