package redisstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/livedesk/gateway/store"
)

// Limits of ListConversations.
const (
	defaultConversationLimit = 50
	maxConversationLimit     = 500
	// minScan is the fewest ids ListConversations reads at a time from an index
	// that holds conversations the filter may reject.
	minScan = 64
)

// CreateConversation stores a new conversation and appends the messages in first,
// in that order, as AppendMessage would, all in one Lua script (one round trip,
// all or nothing). An empty ID is filled with a new time-ordered one (written back
// to c); an ID that exists already gets store.ErrConflict. LastSeq starts at 0
// whatever c says and counts the messages stored (written back to c). A nil
// message fails the call before anything is written. Each message is stored with
// ConversationID c.ID, the next Seq, and At set to the current UTC time when zero,
// and that stored record is written back to it; a message whose non-empty ClientID
// an earlier one of first already has is not stored again, and gets that earlier
// message's record, as AppendMessage would answer a resend. Nothing handed in is
// changed when the call fails.
func (s *Store) CreateConversation(ctx context.Context, c *store.Conversation, first ...*store.Message) error {
	const op = "create conversation"
	if c == nil {
		return errors.New("redis: create conversation: nil conversation")
	}
	for i, m := range first {
		if m == nil {
			return fmt.Errorf("redis: create conversation: first message %d is nil", i+1)
		}
	}
	if err := s.begin(ctx, op); err != nil {
		return err
	}
	rec := *c // only encoded: a shallow copy will do
	if rec.ID == "" {
		var err error
		if rec.ID, err = newID(); err != nil {
			return err
		}
	}
	rec.LastSeq = 0
	data, err := encode(&rec)
	if err != nil {
		return s.wrap(ctx, op, err)
	}
	msgs := make([]store.Message, len(first))
	args := make([]any, 0, 2+2*len(first))
	args = append(args, data, rec.ID)
	for i, m := range first {
		var data []byte
		if msgs[i], data, err = encodeMessage(m, rec.ID); err != nil {
			return s.wrap(ctx, op, err)
		}
		args = append(args, msgs[i].ClientID, data)
	}
	keys := append([]string{s.k.conv(rec.ID), s.k.msgs(rec.ID), s.k.msgCID(rec.ID)}, s.k.convIndexes(&rec)...)
	res, err := createConversationScript.Run(ctx, s.rdb, keys, args...).Slice()
	if err != nil {
		return s.wrap(ctx, op, err)
	}
	bad := func() error {
		return s.wrap(ctx, op, dataErr(fmt.Sprintf("create conversation script answered %v", res), nil))
	}
	switch code, _ := replyAt[int64](res, 0); {
	case code == 0 && len(res) == 1:
		return s.wrap(ctx, op, fmt.Errorf("id %q taken: %w", rec.ID, store.ErrConflict))
	case code != 1 || len(res) != 1+len(first):
		return bad()
	}
	// stored[seq-1] is the message stored as seq. The conversation is new, so a
	// duplicate can only be of an earlier message of first.
	stored := make([]*store.Message, 0, len(first))
	out := make([]*store.Message, len(first))
	for i := range first {
		seq, ok := replyAt[int64](res, 1+i)
		switch {
		case !ok || seq == 0:
			return bad()
		case seq > 0:
			if seq != int64(len(stored))+1 {
				return bad()
			}
			msgs[i].Seq = seq
			stored = append(stored, &msgs[i])
			out[i] = &msgs[i]
		case -seq > int64(len(stored)):
			return s.wrap(ctx, op, dataErr(fmt.Sprintf("client id %q names missing message %d", msgs[i].ClientID, -seq), nil))
		default:
			out[i] = stored[-seq-1]
		}
	}
	c.ID, c.LastSeq = rec.ID, int64(len(stored))
	for i, m := range first {
		*m = *out[i]
	}
	return nil
}

// GetConversation returns the conversation or store.ErrNotFound.
func (s *Store) GetConversation(ctx context.Context, id string) (*store.Conversation, error) {
	const op = "get conversation"
	if err := s.begin(ctx, op); err != nil {
		return nil, err
	}
	c, err := s.getConversation(ctx, s.rdb, id)
	if err != nil {
		return nil, s.wrap(ctx, op, err)
	}
	return c, nil
}

// UpdateConversation applies fn to the stored conversation and stores the result
// atomically. fn may run more than once; an error from it is returned as is and
// nothing is written. ID and LastSeq are put back if fn changes them: the ID is the
// key, and LastSeq belongs to AppendMessage (appends do not make this transaction
// run again: the message list is not watched). The notifications in notes are added
// (as AddNotifications does, by its script run inside the MULTI) in the same
// transaction, only when fn returns nil; an invalid one fails the call before fn
// runs.
func (s *Store) UpdateConversation(ctx context.Context, id string, fn func(*store.Conversation) error, notes ...*store.Notification) (*store.Conversation, error) {
	outbox, err := prepareNotifications(notes)
	if err != nil {
		return nil, fmt.Errorf("redis: update conversation: %w", err)
	}
	noteKeys, noteArgs := s.k.notifScriptArgs(outbox)
	var out *store.Conversation
	key := s.k.conv(id)
	err = s.watch(ctx, "update conversation", func(tx *redis.Tx) error {
		out = nil
		cur, err := s.getConversation(ctx, tx, id)
		if err != nil {
			return err
		}
		old := *cur
		if err := fn(cur); err != nil {
			return &callerError{err}
		}
		cur.ID, cur.LastSeq = id, 0
		data, err := encode(cur)
		if err != nil {
			return err
		}
		var seq *redis.IntCmd
		if _, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, key, data, 0)
			s.k.queueReindex(ctx, p, id, &old, cur)
			seq = p.LLen(ctx, s.k.msgs(id))
			if len(noteKeys) > 0 {
				// EVAL, not EVALSHA: inside MULTI a NOSCRIPT reply would fail this
				// command alone while the rest of the transaction commits.
				addNotificationsScript.Eval(ctx, p, noteKeys, noteArgs...)
			}
			return nil
		}); err != nil {
			return err
		}
		out = new(store.Conversation)
		if err := decode(key, data, out); err != nil {
			return err
		}
		out.LastSeq = seq.Val()
		return nil
	}, key)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListConversations returns the conversations matching f, newest (highest ID)
// first. f.Before, when set, keeps only IDs that sort before it. f.Limit <= 0 means
// 50; more than 500 means 500.
func (s *Store) ListConversations(ctx context.Context, f store.ConversationFilter) ([]*store.Conversation, error) {
	const op = "list conversations"
	if err := s.begin(ctx, op); err != nil {
		return nil, err
	}
	limit := clampLimit(f.Limit, defaultConversationLimit, maxConversationLimit)
	index, exact := s.k.filterIndex(f)
	scan := limit
	if !exact {
		scan = max(limit, minScan)
	}
	out := []*store.Conversation{}
	bound := "+"
	if f.Before != "" {
		bound = "(" + f.Before
	}
	for len(out) < limit {
		ids, err := s.rdb.ZRevRangeByLex(ctx, index, &redis.ZRangeBy{
			Max: bound, Min: "-", Count: int64(scan),
		}).Result()
		if err != nil {
			return nil, s.wrap(ctx, op, err)
		}
		convs, err := s.getConversations(ctx, ids)
		if err != nil {
			return nil, s.wrap(ctx, op, err)
		}
		for _, c := range convs {
			if len(out) < limit && matches(c, f) {
				out = append(out, c)
			}
		}
		if len(ids) < scan {
			break // the index is exhausted
		}
		bound = "(" + ids[len(ids)-1]
	}
	return out, nil
}

// getConversation reads the stored conversation, with its LastSeq, or returns
// store.ErrNotFound.
func (s *Store) getConversation(ctx context.Context, c redis.Cmdable, id string) (*store.Conversation, error) {
	var (
		rec *redis.StringCmd
		seq *redis.IntCmd
	)
	_, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
		rec = p.Get(ctx, s.k.conv(id))
		seq = p.LLen(ctx, s.k.msgs(id))
		return nil
	})
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("conversation %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	conv := new(store.Conversation)
	if err := decode(s.k.conv(id), rec.Val(), conv); err != nil {
		return nil, err
	}
	conv.LastSeq = seq.Val()
	return conv, nil
}

// getConversations reads the conversations ids name, in that order, leaving out any
// that is missing.
func (s *Store) getConversations(ctx context.Context, ids []string) ([]*store.Conversation, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	recs := make([]*redis.StringCmd, len(ids))
	seqs := make([]*redis.IntCmd, len(ids))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			recs[i] = p.Get(ctx, s.k.conv(id))
			seqs[i] = p.LLen(ctx, s.k.msgs(id))
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, err
	}
	out := make([]*store.Conversation, 0, len(ids))
	for i, id := range ids {
		data, err := recs[i].Result()
		if errors.Is(err, redis.Nil) {
			continue // an index entry without a record: cannot happen, harmless
		}
		if err != nil {
			return nil, err
		}
		conv := new(store.Conversation)
		if err := decode(s.k.conv(id), data, conv); err != nil {
			return nil, err
		}
		if err := seqs[i].Err(); err != nil {
			return nil, err
		}
		conv.LastSeq = seqs[i].Val()
		out = append(out, conv)
	}
	return out, nil
}
