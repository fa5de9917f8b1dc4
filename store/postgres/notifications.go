package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/livedesk/gateway/store"
)

// List defaults and caps for notifications, as in the other stores.
const (
	defaultNotificationLimit = 50
	maxNotificationLimit     = 500
)

// AddNotifications stores the notifications whose ID is not stored yet and
// returns how many it added.
func (s *Store) AddNotifications(ctx context.Context, items ...*store.Notification) (int, error) {
	const op = "add notifications"
	recs, err := store.NotificationRecords(items)
	if err != nil {
		return 0, fmt.Errorf("postgres: %s: %w", op, err)
	}
	if len(recs) == 0 {
		return 0, s.check(ctx, op)
	}
	var added int
	err = s.tx(ctx, op, func(tx pgx.Tx) error {
		var err error
		added, err = insertNotifications(ctx, tx, recs)
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
	err := s.read(ctx, "get notification", func(tx pgx.Tx) error {
		var err error
		out, err = getOne[store.Notification](ctx, tx, fmt.Sprintf("notification %q", id),
			"SELECT data FROM notifications WHERE id = $1", id)
		return err
	})
	return out, err
}

// UpdateNotification applies fn to the locked notification (ID and CreatedAt
// cannot change); its key columns move with State and NextAttemptAt.
func (s *Store) UpdateNotification(ctx context.Context, id string, fn func(*store.Notification) error) (*store.Notification, error) {
	var out *store.Notification
	err := s.tx(ctx, "update notification", func(tx pgx.Tx) error {
		cur, err := getOne[store.Notification](ctx, tx, fmt.Sprintf("notification %q", id),
			"SELECT data FROM notifications WHERE id = $1 FOR UPDATE", id)
		if err != nil {
			return err
		}
		createdAt := cur.CreatedAt
		if err := fn(cur); err != nil {
			return &callerError{err}
		}
		cur.ID, cur.CreatedAt = id, createdAt
		if err := store.ValidateNotification(cur); err != nil {
			return err
		}
		data, err := encode(cur)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE notifications SET site_id = $2, state = $3, next_attempt_ns = $4, data = $5
			WHERE id = $1`, id, cur.SiteID, cur.State, unixNano(cur.NextAttemptAt), data)
		if err != nil {
			return err
		}
		out, err = decode[store.Notification](data)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DueNotifications returns up to limit pending notifications whose NextAttemptAt
// is not after now, soonest first.
func (s *Store) DueNotifications(ctx context.Context, now time.Time, limit int) ([]*store.Notification, error) {
	limit = clampLimit(limit, defaultNotificationLimit, maxNotificationLimit)
	var out []*store.Notification
	err := s.read(ctx, "due notifications", func(tx pgx.Tx) error {
		var err error
		out, err = getAll[store.Notification](ctx, tx, `SELECT data FROM notifications
			WHERE state = $1 AND next_attempt_ns <= $2 ORDER BY next_attempt_ns, id LIMIT $3`,
			store.NotificationPending, unixNano(now), limit)
		return err
	})
	return out, err
}

// ListNotifications returns matching notifications, newest (highest id) first.
func (s *Store) ListNotifications(ctx context.Context, f store.NotificationFilter) ([]*store.Notification, error) {
	limit := clampLimit(f.Limit, defaultNotificationLimit, maxNotificationLimit)
	var (
		where []string
		args  []any
	)
	add := func(cond, v string) {
		if v != "" {
			args = append(args, v)
			where = append(where, fmt.Sprintf(cond, len(args)))
		}
	}
	add("site_id = $%d", f.SiteID)
	add("state = $%d", f.State)
	add("id < $%d", f.Before)
	sql := "SELECT data FROM notifications"
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	args = append(args, limit)
	sql += fmt.Sprintf(" ORDER BY id DESC LIMIT $%d", len(args))
	var out []*store.Notification
	err := s.read(ctx, "list notifications", func(tx pgx.Tx) error {
		var err error
		out, err = getAll[store.Notification](ctx, tx, sql, args...)
		return err
	})
	return out, err
}

// OutboxStats counts the pending notifications and dates the oldest and the next
// due.
func (s *Store) OutboxStats(ctx context.Context) (store.OutboxStats, error) {
	var out store.OutboxStats
	err := s.read(ctx, "outbox stats", func(tx pgx.Tx) error {
		out = store.OutboxStats{}
		var oldest, next *int64
		err := tx.QueryRow(ctx, "SELECT count(*), min(created_ns), min(next_attempt_ns) FROM notifications WHERE state = $1",
			store.NotificationPending).Scan(&out.Pending, &oldest, &next)
		if err != nil {
			return err
		}
		if oldest != nil {
			out.OldestPending = time.Unix(0, *oldest).UTC()
		}
		if next != nil {
			out.NextAttempt = time.Unix(0, *next).UTC()
		}
		return nil
	})
	if err != nil {
		return store.OutboxStats{}, err
	}
	return out, nil
}

// insertNotifications inserts the items whose id is not stored yet and returns
// how many it inserted.
func insertNotifications(ctx context.Context, tx pgx.Tx, items []*store.Notification) (int, error) {
	added := 0
	for _, n := range items {
		data, err := encode(n)
		if err != nil {
			return 0, err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO notifications (id, site_id, state, created_ns, next_attempt_ns, data)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
			n.ID, n.SiteID, n.State, unixNano(n.CreatedAt), unixNano(n.NextAttemptAt), data)
		if err != nil {
			return 0, err
		}
		added += int(tag.RowsAffected())
	}
	return added, nil
}
