package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/livedesk/gateway/store"
)

// List defaults and caps for offline messages, as in the other stores.
const (
	defaultOfflineLimit = 50
	maxOfflineLimit     = 500
)

// AddOfflineMessage stores an offline message in state new (a resend of the same
// site, visitor and client id returns the stored one with duplicate true) and the
// notifications in out in the same transaction.
func (s *Store) AddOfflineMessage(ctx context.Context, m *store.OfflineMessage, notes ...*store.Notification) (*store.OfflineMessage, bool, error) {
	if m == nil {
		return nil, false, errors.New("postgres: add offline message: nil message")
	}
	if m.SiteID == "" {
		return nil, false, errors.New("postgres: add offline message: empty site id")
	}
	rec, err := cloneJSON(m)
	if err != nil {
		return nil, false, fmt.Errorf("postgres: add offline message: %w", err)
	}
	if rec.ID == "" {
		if rec.ID, err = newID(); err != nil {
			return nil, false, err
		}
	}
	if rec.CreatedAt.IsZero() {
		rec.CreatedAt = time.Now().UTC()
	}
	rec.State = store.OfflineNew
	outbox, err := store.NotificationRecords(notes)
	if err != nil {
		return nil, false, fmt.Errorf("postgres: add offline message: %w", err)
	}
	row, data, err := offlineRow(rec)
	if err != nil {
		return nil, false, fmt.Errorf("postgres: add offline message: %w", err)
	}
	var (
		out *store.OfflineMessage
		dup bool
	)
	err = s.tx(ctx, "add offline message", func(tx pgx.Tx) error {
		out, dup = nil, false
		if rec.ClientID != "" {
			// Lock out a concurrent first write of the same client id until this
			// transaction ends, so the second one finds the first.
			key := fmt.Sprintf("%d:%s%d:%s%s", len(rec.SiteID), rec.SiteID, len(rec.VisitorID), rec.VisitorID, rec.ClientID)
			if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", key); err != nil {
				return err
			}
			stored, err := getOne[store.OfflineMessage](ctx, tx, "offline message",
				"SELECT data FROM offline_messages WHERE site_id = $1 AND visitor_id = $2 AND client_id = $3",
				rec.SiteID, rec.VisitorID, rec.ClientID)
			if err == nil {
				stored.FillState()
				out, dup = stored, true
				return nil
			}
			if !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		if _, err := tx.Exec(ctx, insertOfflineSQL, row...); err != nil {
			return err
		}
		if _, err := insertNotifications(ctx, tx, outbox); err != nil {
			return err
		}
		out, err = decode[store.OfflineMessage](data)
		return err
	})
	if err != nil {
		return nil, false, err
	}
	return out, dup, nil
}

// ListOfflineMessages returns up to limit messages of a site whose ID sorts after
// `after` (all when empty), oldest first.
func (s *Store) ListOfflineMessages(ctx context.Context, siteID, after string, limit int) ([]*store.OfflineMessage, error) {
	return s.ListOfflineByState(ctx, siteID, "", after, limit)
}

// ListOfflineByState is ListOfflineMessages restricted to one state (every state
// when empty); any other state is an error.
func (s *Store) ListOfflineByState(ctx context.Context, siteID, state, after string, limit int) ([]*store.OfflineMessage, error) {
	if state != "" && !store.ValidOfflineState(state) {
		return nil, fmt.Errorf("postgres: list offline messages: unknown state %q", state)
	}
	limit = clampLimit(limit, defaultOfflineLimit, maxOfflineLimit)
	var out []*store.OfflineMessage
	err := s.read(ctx, "list offline messages", func(tx pgx.Tx) error {
		var err error
		// Two statements, not one with "($2 = '' OR state = $2)": the plan pgx's
		// cached statement settles on must use (site_id, state, id) for one state.
		if state == "" {
			out, err = getAll[store.OfflineMessage](ctx, tx, `SELECT data FROM offline_messages
				WHERE site_id = $1 AND id > $2 ORDER BY id LIMIT $3`, siteID, after, limit)
			return err
		}
		out, err = getAll[store.OfflineMessage](ctx, tx, `SELECT data FROM offline_messages
			WHERE site_id = $1 AND state = $2 AND id > $3 ORDER BY id LIMIT $4`, siteID, state, after, limit)
		return err
	})
	for _, m := range out {
		m.FillState()
	}
	return out, err
}

// SetOfflineState moves a site's offline message to state; changed is false, and
// nothing is written, when it was in that state already.
func (s *Store) SetOfflineState(ctx context.Context, siteID, id, state string) (*store.OfflineMessage, bool, error) {
	if !store.ValidOfflineState(state) {
		return nil, false, fmt.Errorf("postgres: set offline state: unknown state %q", state)
	}
	var (
		out     *store.OfflineMessage
		changed bool
	)
	err := s.tx(ctx, "set offline state", func(tx pgx.Tx) error {
		out, changed = nil, false
		m, err := getOne[store.OfflineMessage](ctx, tx, fmt.Sprintf("offline message %q of site %q", id, siteID),
			"SELECT data FROM offline_messages WHERE site_id = $1 AND id = $2 FOR UPDATE", siteID, id)
		if err != nil {
			return err
		}
		m.FillState()
		if m.State == state {
			out = m
			return nil
		}
		m.State = state
		data, err := encode(m)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE offline_messages SET state = $3, data = $4 WHERE site_id = $1 AND id = $2",
			siteID, id, state, data); err != nil {
			return err
		}
		out, changed = m, true
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	return out, changed, nil
}

// CountOffline counts a site's offline messages by state.
func (s *Store) CountOffline(ctx context.Context, siteID string) (store.OfflineCounts, error) {
	var out store.OfflineCounts
	err := s.read(ctx, "count offline messages", func(tx pgx.Tx) error {
		out = store.OfflineCounts{}
		rows, err := tx.Query(ctx, "SELECT state, count(*) FROM offline_messages WHERE site_id = $1 GROUP BY state", siteID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				st string
				n  int
			)
			if err := rows.Scan(&st, &n); err != nil {
				return err
			}
			switch st {
			case store.OfflineRead:
				out.Read += n
			case store.OfflineDone:
				out.Done += n
			default:
				out.New += n
			}
		}
		return rows.Err()
	})
	return out, err
}
