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

// CreateConversation stores a new conversation. An empty ID is filled with a new
// time-ordered one (written back to c); an ID that exists already gets
// store.ErrConflict. LastSeq starts at 0 whatever c says: only AppendMessage moves it.
func (s *Store) CreateConversation(ctx context.Context, c *store.Conversation) error {
	const op = "create conversation"
	if c == nil {
		return errors.New("redis: create conversation: nil conversation")
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
	keys := append([]string{s.k.conv(rec.ID)}, s.k.convIndexes(&rec)...)
	created, err := createScript.Run(ctx, s.rdb, keys, data, rec.ID).Int()
	if err != nil {
		return s.wrap(ctx, op, err)
	}
	if created == 0 {
		return s.wrap(ctx, op, fmt.Errorf("id %q taken: %w", rec.ID, store.ErrConflict))
	}
	c.ID = rec.ID
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
