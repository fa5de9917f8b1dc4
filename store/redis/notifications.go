package redisstore

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/livedesk/gateway/store"
)

// Limits of ListNotifications and DueNotifications.
const (
	defaultNotificationLimit = 50
	maxNotificationLimit     = 500
)

// AddNotifications stores, in one Lua script (all or nothing, no retries), each of
// items whose ID is not stored yet and returns how many it stored; the others are
// skipped (of two with one ID in items, the first is stored). Each item must have an
// ID, a Type, a Channel and a State that is pending, delivered or failed: otherwise
// nothing is stored and the error says which item is wrong. A zero CreatedAt or
// NextAttemptAt is stored as the current UTC time. items themselves are not changed.
func (s *Store) AddNotifications(ctx context.Context, items ...*store.Notification) (int, error) {
	const op = "add notifications"
	ws, err := prepareNotifications(items)
	if err != nil {
		return 0, fmt.Errorf("redis: %s: %w", op, err)
	}
	if err := s.begin(ctx, op); err != nil {
		return 0, err
	}
	if len(ws) == 0 {
		return 0, nil
	}
	keys, args := s.k.notifScriptArgs(ws)
	added, err := addNotificationsScript.Run(ctx, s.rdb, keys, args...).Int()
	if err != nil {
		return 0, s.wrap(ctx, op, err)
	}
	return added, nil
}

// GetNotification returns the notification or store.ErrNotFound.
func (s *Store) GetNotification(ctx context.Context, id string) (*store.Notification, error) {
	const op = "get notification"
	if err := s.begin(ctx, op); err != nil {
		return nil, err
	}
	n, err := getNotification(ctx, s.rdb, s.k, id)
	if err != nil {
		return nil, s.wrap(ctx, op, err)
	}
	return n, nil
}

// UpdateNotification applies fn to the stored notification and stores the result
// atomically (WATCH of the record, then MULTI/EXEC with the index changes), moving it
// between the due and pending indexes as its State and NextAttemptAt say. fn may run
// more than once; an error from it is returned as is and nothing is written. ID and
// CreatedAt are put back if fn changes them. A result that AddNotifications would
// refuse (an empty Type or Channel, an unknown State) is an error and nothing is
// written. store.ErrNotFound if the id is unknown.
func (s *Store) UpdateNotification(ctx context.Context, id string, fn func(*store.Notification) error) (*store.Notification, error) {
	const op = "update notification"
	var out *store.Notification
	key := s.k.notif(id)
	err := s.watch(ctx, op, func(tx *redis.Tx) error {
		out = nil
		cur, err := getNotification(ctx, tx, s.k, id)
		if err != nil {
			return err
		}
		old := *cur // the fields the indexes use are values: a shallow copy will do
		if err := fn(cur); err != nil {
			return &callerError{err}
		}
		cur.ID, cur.CreatedAt = old.ID, old.CreatedAt
		if err := store.ValidateNotification(cur); err != nil {
			// As much the caller's error as one fn returned: it comes back as is.
			return &callerError{fmt.Errorf("redis: %s: %w", op, err)}
		}
		data, err := encode(cur)
		if err != nil {
			return err
		}
		if _, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			s.k.queueNotifWrite(ctx, p, &old, cur, data)
			return nil
		}); err != nil {
			return err
		}
		out = new(store.Notification)
		return decode(key, data, out)
	}, key)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DueNotifications returns up to limit pending notifications whose NextAttemptAt is
// not after now, soonest first (then by ID). limit <= 0 means 50; more than 500
// means 500. It reads the due index, then the records: one updated in between is
// left out unless it is still pending and due.
func (s *Store) DueNotifications(ctx context.Context, now time.Time, limit int) ([]*store.Notification, error) {
	const op = "due notifications"
	if err := s.begin(ctx, op); err != nil {
		return nil, err
	}
	limit = clampLimit(limit, defaultNotificationLimit, maxNotificationLimit)
	due, _ := zTime(now, "")
	zs, err := s.rdb.ZRangeByScoreWithScores(ctx, s.k.notifDue(), &redis.ZRangeBy{
		Min: "-inf", Max: strconv.FormatInt(due, 10), Count: int64(limit),
	}).Result()
	if err != nil {
		return nil, s.wrap(ctx, op, err)
	}
	ids := make([]string, 0, len(zs))
	for _, z := range zs {
		member, _ := z.Member.(string)
		at, id, err := zTimeOf(z.Score, member)
		if err != nil {
			return nil, s.wrap(ctx, op, err)
		}
		if at.After(now) { // due later within now's millisecond, as is all that follows
			break
		}
		ids = append(ids, id)
	}
	ns, err := s.getNotifications(ctx, ids)
	if err != nil {
		return nil, s.wrap(ctx, op, err)
	}
	out := make([]*store.Notification, 0, len(ns))
	for _, n := range ns {
		if n.State == store.NotificationPending && !n.NextAttemptAt.After(now) {
			out = append(out, n)
		}
	}
	return out, nil
}

// ListNotifications returns the notifications matching f, newest (highest ID)
// first. f.Before, when set, keeps only IDs that sort before it (it need not be a
// stored ID). f.Limit <= 0 means 50; more than 500 means 500. It reads an index,
// then the records: one changed in between is checked against f again.
func (s *Store) ListNotifications(ctx context.Context, f store.NotificationFilter) ([]*store.Notification, error) {
	const op = "list notifications"
	if err := s.begin(ctx, op); err != nil {
		return nil, err
	}
	limit := clampLimit(f.Limit, defaultNotificationLimit, maxNotificationLimit)
	index := s.k.notifFilterIndex(f)
	out := []*store.Notification{}
	bound := "+"
	if f.Before != "" {
		bound = "(" + f.Before
	}
	for len(out) < limit {
		ids, err := s.rdb.ZRevRangeByLex(ctx, index, &redis.ZRangeBy{
			Max: bound, Min: "-", Count: int64(limit),
		}).Result()
		if err != nil {
			return nil, s.wrap(ctx, op, err)
		}
		ns, err := s.getNotifications(ctx, ids)
		if err != nil {
			return nil, s.wrap(ctx, op, err)
		}
		for _, n := range ns {
			if len(out) < limit && notifMatches(n, f) {
				out = append(out, n)
			}
		}
		if len(ids) < limit {
			break // the index is exhausted
		}
		bound = "(" + ids[len(ids)-1]
	}
	return out, nil
}

// OutboxStats counts the pending notifications and dates the oldest of them
// (CreatedAt) and the next attempt (NextAttemptAt), zero times when there is none.
// It reads both indexes in one MULTI, so the three agree.
func (s *Store) OutboxStats(ctx context.Context) (store.OutboxStats, error) {
	const op = "outbox stats"
	if err := s.begin(ctx, op); err != nil {
		return store.OutboxStats{}, err
	}
	var (
		count         *redis.IntCmd
		oldest, first *redis.ZSliceCmd
	)
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		count = p.ZCard(ctx, s.k.notifPending())
		oldest = p.ZRangeWithScores(ctx, s.k.notifPending(), 0, 0)
		first = p.ZRangeWithScores(ctx, s.k.notifDue(), 0, 0)
		return nil
	})
	if err != nil {
		return store.OutboxStats{}, s.wrap(ctx, op, err)
	}
	out := store.OutboxStats{Pending: int(count.Val())}
	for _, c := range []struct {
		cmd *redis.ZSliceCmd
		dst *time.Time
	}{{oldest, &out.OldestPending}, {first, &out.NextAttempt}} {
		zs := c.cmd.Val()
		if len(zs) == 0 {
			continue
		}
		member, _ := zs[0].Member.(string)
		t, _, err := zTimeOf(zs[0].Score, member)
		if err != nil {
			return store.OutboxStats{}, s.wrap(ctx, op, err)
		}
		*c.dst = t
	}
	return out, nil
}

// getNotification reads the stored notification or returns store.ErrNotFound.
func getNotification(ctx context.Context, c redis.Cmdable, k keys, id string) (*store.Notification, error) {
	n := new(store.Notification)
	ok, err := getJSON(ctx, c, k.notif(id), n)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("notification %q: %w", id, store.ErrNotFound)
	}
	return n, nil
}

// getNotifications reads the notifications ids name, in that order, leaving out any
// that is missing.
func (s *Store) getNotifications(ctx context.Context, ids []string) ([]*store.Notification, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = s.k.notif(id)
	}
	vals, err := s.rdb.MGet(ctx, names...).Result()
	if err != nil {
		return nil, err
	}
	out := make([]*store.Notification, 0, len(ids))
	for i, v := range vals {
		data, ok := v.(string)
		if !ok {
			continue // an index entry without a record: cannot happen, harmless
		}
		n := new(store.Notification)
		if err := decode(names[i], data, n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// notifWrite is a notification ready to store: checked, times filled, encoded.
type notifWrite struct {
	n    store.Notification // only its scalar fields are used after encoding
	data []byte
}

// prepareNotifications checks items and encodes each, a zero CreatedAt or
// NextAttemptAt set to the current UTC time. The first invalid item fails the lot.
func prepareNotifications(items []*store.Notification) ([]notifWrite, error) {
	out := make([]notifWrite, 0, len(items))
	now := time.Now().UTC()
	for i, n := range items {
		if n == nil {
			return nil, fmt.Errorf("notification %d: nil", i)
		}
		if err := store.ValidateNotification(n); err != nil {
			return nil, fmt.Errorf("notification %d: %w", i, err)
		}
		w := notifWrite{n: *n}
		if w.n.CreatedAt.IsZero() {
			w.n.CreatedAt = now
		}
		if w.n.NextAttemptAt.IsZero() {
			w.n.NextAttemptAt = now
		}
		var err error
		if w.data, err = encode(&w.n); err != nil {
			return nil, fmt.Errorf("notification %d (%q): %w", i, n.ID, err)
		}
		out = append(out, w)
	}
	return out, nil
}
