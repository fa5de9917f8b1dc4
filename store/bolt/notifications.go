package bolt

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"go.etcd.io/bbolt"

	"github.com/livedesk/gateway/store"
)

// Limits of ListNotifications and DueNotifications.
const (
	defaultNotificationLimit = 50
	maxNotificationLimit     = 500
)

// AddNotifications stores, in one transaction, each of items whose ID is not stored
// yet and returns how many it stored; the others are skipped (of two with one ID in
// items, the first is stored). Each item must have an ID, a Type, a Channel and a
// State that is pending, delivered or failed: otherwise nothing is stored and the
// error says which item is wrong. A zero CreatedAt or NextAttemptAt is stored as the
// current UTC time. items themselves are not changed.
func (s *Store) AddNotifications(ctx context.Context, items ...*store.Notification) (int, error) {
	const op = "add notifications"
	recs, err := store.NotificationRecords(items)
	if err != nil {
		return 0, fmt.Errorf("bolt: %s: %w", op, err)
	}
	if len(recs) == 0 {
		return 0, s.view(ctx, op, func(*bbolt.Tx) error { return nil })
	}
	var added int
	err = s.update(ctx, op, func(tx *bbolt.Tx) error {
		var err error
		added, err = insertNotifications(tx, recs)
		return err
	})
	if err != nil {
		return 0, err
	}
	return added, nil
}

// GetNotification returns the notification or store.ErrNotFound.
func (s *Store) GetNotification(ctx context.Context, id string) (*store.Notification, error) {
	var out *store.Notification
	err := s.view(ctx, "get notification", func(tx *bbolt.Tx) error {
		var err error
		out, err = getNotification(tx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateNotification applies fn to the stored notification and stores the result
// atomically, moving it between the due and pending indexes as its State and
// NextAttemptAt say. fn may run more than once; an error from it is returned as is
// and nothing is written. ID and CreatedAt are put back if fn changes them. A result
// that AddNotifications would refuse (an empty Type or Channel, an unknown State) is
// an error and nothing is written. store.ErrNotFound if the id is unknown.
func (s *Store) UpdateNotification(ctx context.Context, id string, fn func(*store.Notification) error) (*store.Notification, error) {
	var out *store.Notification
	err := s.update(ctx, "update notification", func(tx *bbolt.Tx) error {
		cur, err := getNotification(tx, id)
		if err != nil {
			return err
		}
		old := *cur // the fields the indexes use are values: a shallow copy will do
		if err := fn(cur); err != nil {
			return &callerError{err}
		}
		cur.ID, cur.CreatedAt = old.ID, old.CreatedAt
		if err := store.ValidateNotification(cur); err != nil {
			return err
		}
		if out, err = cloneJSON(cur); err != nil {
			return err
		}
		return writeNotification(tx, &old, out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DueNotifications returns up to limit pending notifications whose NextAttemptAt is
// not after now, soonest first (then by ID). limit <= 0 means 50; more than 500
// means 500.
func (s *Store) DueNotifications(ctx context.Context, now time.Time, limit int) ([]*store.Notification, error) {
	limit = clampLimit(limit, defaultNotificationLimit, maxNotificationLimit)
	out := []*store.Notification{}
	err := s.view(ctx, "due notifications", func(tx *bbolt.Tx) error {
		c := tx.Bucket(bktNotifyDue).Cursor()
		for k, _ := c.First(); k != nil && len(out) < limit; k, _ = c.Next() {
			at, id, err := keyTime(k)
			if err != nil {
				return err
			}
			if at.After(now) {
				break
			}
			n, err := getNotification(tx, id)
			if err != nil {
				return fmt.Errorf("due index names %q: %w", id, err)
			}
			out = append(out, n)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListNotifications returns the notifications matching f, newest (highest ID)
// first. f.Before, when set, keeps only IDs that sort before it (it need not be a
// stored ID). f.Limit <= 0 means 50; more than 500 means 500.
func (s *Store) ListNotifications(ctx context.Context, f store.NotificationFilter) ([]*store.Notification, error) {
	limit := clampLimit(f.Limit, defaultNotificationLimit, maxNotificationLimit)
	out := []*store.Notification{}
	err := s.view(ctx, "list notifications", func(tx *bbolt.Tx) error {
		recs := tx.Bucket(bktNotifications)
		path := notifyFilterPath(f)
		b := recs
		if path != nil {
			if b = bucketAt(tx, path); b == nil {
				return nil // nothing was ever indexed there
			}
		}
		c := b.Cursor()
		k, v := lastBefore(c, f.Before)
		for ; k != nil && len(out) < limit; k, v = c.Prev() {
			if path != nil { // an index entry: the record is in notifications
				if v = recs.Get(k); v == nil {
					return fmt.Errorf("index %q names missing notification %q", path, k)
				}
			}
			n := new(store.Notification)
			if err := json.Unmarshal(v, n); err != nil {
				return fmt.Errorf("decode notification %q: %w", k, err)
			}
			out = append(out, n)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// OutboxStats counts the pending notifications and dates the oldest of them
// (CreatedAt) and the next attempt (NextAttemptAt), zero times when there is none.
// The count walks the pending index's pages: it costs in proportion to the backlog.
func (s *Store) OutboxStats(ctx context.Context) (store.OutboxStats, error) {
	var out store.OutboxStats
	err := s.view(ctx, "outbox stats", func(tx *bbolt.Tx) error {
		out = store.OutboxStats{}
		pending := tx.Bucket(bktNotifyPending)
		out.Pending = pending.Stats().KeyN
		if k, _ := pending.Cursor().First(); k != nil {
			t, _, err := keyTime(k)
			if err != nil {
				return err
			}
			out.OldestPending = t
		}
		if k, _ := tx.Bucket(bktNotifyDue).Cursor().First(); k != nil {
			t, _, err := keyTime(k)
			if err != nil {
				return err
			}
			out.NextAttempt = t
		}
		return nil
	})
	if err != nil {
		return store.OutboxStats{}, err
	}
	return out, nil
}
