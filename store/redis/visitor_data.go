package redisstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/livedesk/gateway/store"
)

// A visitor's erasure (store.VisitorDataStore) deletes records together with every
// index entry that names them, in one MULTI/EXEC under WATCH of what it read, so
// the indexes stay exactly as the other writes keep them: conv_index.go's lists
// for a conversation, offline:<site> and offline_state for an offline message,
// notify_index.go's lists and the due and pending queues for a notification. The
// tombstones are one hash per site:
//
//	visitor_erased:<site>   HASH: visitor id -> "" for every erased visitor

// visitorErased is the site's hash of erased visitors.
func (k keys) visitorErased(site string) string { return k.p + "visitor_erased:" + site }

// ListVisitorOffline returns up to limit offline messages of the visitor on the
// site whose ID sorts after `after`, oldest first. There is no visitor index: it
// reads the site's ids a chunk at a time (ZRANGEBYLEX), then their records
// (HMGET), and keeps the visitor's, so the cost grows with the site's offline
// messages.
func (s *Store) ListVisitorOffline(ctx context.Context, siteID, visitorID, after string, limit int) ([]*store.OfflineMessage, error) {
	const op = "list visitor offline messages"
	if siteID == "" || visitorID == "" {
		return nil, errors.New("redis: list visitor offline messages: empty site or visitor id")
	}
	if err := s.begin(ctx, op); err != nil {
		return nil, err
	}
	limit = clampLimit(limit, defaultOfflineLimit, maxOfflineLimit)
	out := []*store.OfflineMessage{}
	bound := "-"
	if after != "" {
		bound = "(" + after
	}
	const chunk = 500
	recsKey := s.k.offlineRec(siteID)
	for {
		ids, err := s.rdb.ZRangeByLex(ctx, s.k.offline(siteID), &redis.ZRangeBy{Min: bound, Max: "+", Count: chunk}).Result()
		if err != nil || len(ids) == 0 {
			return out, s.wrap(ctx, op, err)
		}
		recs, err := s.rdb.HMGet(ctx, recsKey, ids...).Result()
		if err != nil {
			return nil, s.wrap(ctx, op, err)
		}
		for _, v := range recs {
			data, ok := v.(string)
			if !ok {
				continue // erased between the two reads
			}
			m := new(store.OfflineMessage)
			if err := decode(recsKey, data, m); err != nil {
				return nil, s.wrap(ctx, op, err)
			}
			if m.VisitorID != visitorID {
				continue
			}
			m.FillState()
			if out = append(out, m); len(out) == limit {
				return out, nil
			}
		}
		if len(ids) < chunk {
			return out, nil
		}
		bound = "(" + ids[len(ids)-1]
	}
}

// EraseConversation deletes the conversation's record, its message list and its
// client ids, and takes its id out of its indexes, in one MULTI/EXEC under WATCH of
// the record and the list (a message appended meanwhile makes it run again).
func (s *Store) EraseConversation(ctx context.Context, id string) (int, error) {
	var n int
	key, list := s.k.conv(id), s.k.msgs(id)
	err := s.watch(ctx, "erase conversation", func(tx *redis.Tx) error {
		n = 0
		conv, err := s.getConversation(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Del(ctx, key, list, s.k.msgCID(id))
			for _, idx := range s.k.convIndexes(conv) {
				p.ZRem(ctx, idx, id)
			}
			return nil
		}); err != nil {
			return err
		}
		n = int(conv.LastSeq)
		return nil
	}, key, list)
	if err != nil {
		return 0, err
	}
	return n, nil
}

// EraseOfflineMessages deletes the site's offline messages with these ids, their
// client keys and state set entries, in one MULTI/EXEC under WATCH of the site's
// records.
func (s *Store) EraseOfflineMessages(ctx context.Context, siteID string, ids ...string) (int, error) {
	if len(ids) == 0 {
		return 0, s.begin(ctx, "erase offline messages")
	}
	var n int
	recs := s.k.offlineRec(siteID)
	err := s.watch(ctx, "erase offline messages", func(tx *redis.Tx) error {
		n = 0
		vals, err := tx.HMGet(ctx, recs, ids...).Result()
		if err != nil {
			return err
		}
		var found []*store.OfflineMessage
		for _, v := range vals {
			if data, ok := v.(string); ok {
				m := new(store.OfflineMessage)
				if err := decode(recs, data, m); err != nil {
					return err
				}
				found = append(found, m)
			}
		}
		if len(found) == 0 {
			return nil
		}
		if _, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			for _, m := range found {
				p.HDel(ctx, recs, m.ID)
				p.ZRem(ctx, s.k.offline(siteID), m.ID)
				for _, st := range offlineHandled {
					p.ZRem(ctx, s.k.offlineState(siteID, st), m.ID)
				}
				// A client key names the first message of its visitor and client
				// id only; a later one with the same key was a duplicate, never
				// stored, so the key is this message's.
				if f := offlineCIDField(m); f != "" {
					p.HDel(ctx, s.k.offlineCID(siteID), f)
				}
			}
			return nil
		}); err != nil {
			return err
		}
		n = len(found)
		return nil
	}, recs)
	if err != nil {
		return 0, err
	}
	return n, nil
}

// DeleteNotifications deletes the notifications with these ids, their list entries
// and their places in the due and pending queues, in one MULTI/EXEC under WATCH of
// their records.
func (s *Store) DeleteNotifications(ctx context.Context, ids ...string) (int, error) {
	const op = "delete notifications"
	if len(ids) == 0 {
		return 0, s.begin(ctx, op)
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = s.k.notif(id)
	}
	var n int
	err := s.watch(ctx, op, func(tx *redis.Tx) error {
		n = 0
		var found []*store.Notification
		for _, id := range ids {
			cur, err := getNotification(ctx, tx, s.k, id)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			found = append(found, cur)
		}
		if len(found) == 0 {
			return nil
		}
		if _, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			for _, cur := range found {
				p.Del(ctx, s.k.notif(cur.ID))
				for _, idx := range s.k.notifIndexes(cur) {
					p.ZRem(ctx, idx, cur.ID)
				}
				if cur.State == store.NotificationPending {
					_, due := zTime(cur.NextAttemptAt, cur.ID)
					_, pend := zTime(cur.CreatedAt, cur.ID)
					p.ZRem(ctx, s.k.notifDue(), due)
					p.ZRem(ctx, s.k.notifPending(), pend)
				}
			}
			return nil
		}); err != nil {
			return err
		}
		n = len(found)
		return nil
	}, keys...)
	if err != nil {
		return 0, err
	}
	return n, nil
}

// MarkVisitorErased sets the visitor's tombstone and deletes its field of the
// site's visitor numbers (the "" field, the last number given, stays), in one
// MULTI/EXEC.
func (s *Store) MarkVisitorErased(ctx context.Context, siteID, visitorID string) (bool, error) {
	const op = "mark visitor erased"
	if siteID == "" || visitorID == "" {
		return false, errors.New("redis: mark visitor erased: empty site or visitor id")
	}
	if err := s.begin(ctx, op); err != nil {
		return false, err
	}
	var del *redis.IntCmd
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, s.k.visitorErased(siteID), visitorID, "")
		del = p.HDel(ctx, s.k.visitorNumbers(siteID), visitorID)
		return nil
	})
	if err != nil {
		return false, s.wrap(ctx, op, err)
	}
	return del.Val() > 0, nil
}

// VisitorErased reports whether the visitor has a tombstone (one HEXISTS).
func (s *Store) VisitorErased(ctx context.Context, siteID, visitorID string) (bool, error) {
	const op = "visitor erased"
	if siteID == "" || visitorID == "" {
		return false, fmt.Errorf("redis: %s: empty site or visitor id", op)
	}
	if err := s.begin(ctx, op); err != nil {
		return false, err
	}
	ok, err := s.rdb.HExists(ctx, s.k.visitorErased(siteID), visitorID).Result()
	if err != nil {
		return false, s.wrap(ctx, op, err)
	}
	return ok, nil
}
