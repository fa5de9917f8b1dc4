package redisstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/livedesk/gateway/store"
)

// The state of an offline message lives in its record. The read and done ones are
// also in a sorted set per site and state (offline_state:..., see doc.go); new ones
// are not indexed: a site's new messages are all the others, so records written
// before states existed (in no set) are new without any migration.

// offlineHandled are the indexed states.
var offlineHandled = []string{store.OfflineRead, store.OfflineDone}

// ListOfflineByState returns up to limit offline messages of the site in state
// (every state when empty) whose ID sorts after `after`, oldest first. limit <= 0
// means 50; more than 500 means 500. It reads an index (the site's ids, or a
// handled state's set) a chunk at a time, then the records, and keeps those whose
// record is in state, so a message whose state changed in between is seen as it
// is afterwards. An unknown site has none; an unknown state is an error.
func (s *Store) ListOfflineByState(ctx context.Context, siteID, state, after string, limit int) ([]*store.OfflineMessage, error) {
	const op = "list offline messages"
	if state != "" && !store.ValidOfflineState(state) {
		return nil, fmt.Errorf("redis: %s: unknown state %q", op, state)
	}
	if err := s.begin(ctx, op); err != nil {
		return nil, err
	}
	limit = clampLimit(limit, defaultOfflineLimit, maxOfflineLimit)
	out := []*store.OfflineMessage{}
	if siteID == "" {
		return out, nil
	}
	index := s.k.offline(siteID)
	if state == store.OfflineRead || state == store.OfflineDone {
		index = s.k.offlineState(siteID, state)
	}
	bound := "-"
	if after != "" {
		bound = "(" + after
	}
	chunk := int64(max(limit, 100)) // a filter may skip many: read ahead
	for {
		ids, err := s.rdb.ZRangeByLex(ctx, index, &redis.ZRangeBy{Min: bound, Max: "+", Count: chunk}).Result()
		if err != nil || len(ids) == 0 {
			return out, s.wrap(ctx, op, err)
		}
		recs, err := s.rdb.HMGet(ctx, s.k.offlineRec(siteID), ids...).Result()
		if err != nil {
			return nil, s.wrap(ctx, op, err)
		}
		for i, v := range recs {
			data, ok := v.(string)
			if !ok {
				return nil, s.wrap(ctx, op, dataErr(fmt.Sprintf("offline index names missing message %q", ids[i]), nil))
			}
			m := new(store.OfflineMessage)
			if err := decode(s.k.offlineRec(siteID), data, m); err != nil {
				return nil, s.wrap(ctx, op, err)
			}
			m.FillState()
			if state == "" || m.State == state {
				if out = append(out, m); len(out) == limit {
					return out, nil
				}
			}
		}
		if int64(len(ids)) < chunk {
			return out, nil
		}
		bound = "(" + ids[len(ids)-1]
	}
}

// SetOfflineState moves the site's offline message id to state and returns it
// (an optimistic transaction on the site's records): the record and the state sets
// change together. changed is false, and nothing is written, when it was in that
// state already. store.ErrNotFound when the site holds no such message; an unknown
// state is an error and writes nothing.
func (s *Store) SetOfflineState(ctx context.Context, siteID, id, state string) (*store.OfflineMessage, bool, error) {
	const op = "set offline state"
	if !store.ValidOfflineState(state) {
		return nil, false, fmt.Errorf("redis: %s: unknown state %q", op, state)
	}
	var (
		out     *store.OfflineMessage
		changed bool
	)
	recs := s.k.offlineRec(siteID)
	err := s.watch(ctx, op, func(tx *redis.Tx) error {
		out, changed = nil, false
		data, err := tx.HGet(ctx, recs, id).Result()
		if errors.Is(err, redis.Nil) {
			return fmt.Errorf("offline message %q of site %q: %w", id, siteID, store.ErrNotFound)
		}
		if err != nil {
			return err
		}
		m := new(store.OfflineMessage)
		if err := decode(recs, data, m); err != nil {
			return err
		}
		m.FillState()
		if m.State == state {
			out = m
			return nil
		}
		m.State = state
		enc, err := encode(m)
		if err != nil {
			return err
		}
		if _, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.HSet(ctx, recs, id, enc)
			for _, st := range offlineHandled {
				if st == state {
					p.ZAdd(ctx, s.k.offlineState(siteID, st), redis.Z{Member: id})
				} else {
					p.ZRem(ctx, s.k.offlineState(siteID, st), id)
				}
			}
			return nil
		}); err != nil {
			return err
		}
		out, changed = m, true
		return nil
	}, recs)
	if err != nil {
		return nil, false, err
	}
	return out, changed, nil
}

// CountOffline counts the site's offline messages by state, in one MULTI: the read
// and done ones are their sets' sizes, the new ones all the others.
func (s *Store) CountOffline(ctx context.Context, siteID string) (store.OfflineCounts, error) {
	const op = "count offline messages"
	if err := s.begin(ctx, op); err != nil {
		return store.OfflineCounts{}, err
	}
	if siteID == "" {
		return store.OfflineCounts{}, nil
	}
	var total, read, done *redis.IntCmd
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		total = p.ZCard(ctx, s.k.offline(siteID))
		read = p.ZCard(ctx, s.k.offlineState(siteID, store.OfflineRead))
		done = p.ZCard(ctx, s.k.offlineState(siteID, store.OfflineDone))
		return nil
	})
	if err != nil {
		return store.OfflineCounts{}, s.wrap(ctx, op, err)
	}
	r, d := int(read.Val()), int(done.Val())
	return store.OfflineCounts{New: int(total.Val()) - r - d, Read: r, Done: d}, nil
}
