package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/livedesk/gateway/store"
)

// ListVisitorOffline returns up to limit offline messages of the visitor on the
// site whose ID sorts after `after`, oldest first (the index offline_messages_visitor).
func (s *Store) ListVisitorOffline(ctx context.Context, siteID, visitorID, after string, limit int) ([]*store.OfflineMessage, error) {
	if siteID == "" || visitorID == "" {
		return nil, errors.New("postgres: list visitor offline messages: empty site or visitor id")
	}
	limit = clampLimit(limit, defaultOfflineLimit, maxOfflineLimit)
	var out []*store.OfflineMessage
	err := s.read(ctx, "list visitor offline messages", func(tx pgx.Tx) error {
		var err error
		out, err = getAll[store.OfflineMessage](ctx, tx, `SELECT data FROM offline_messages
			WHERE site_id = $1 AND visitor_id = $2 AND id > $3 ORDER BY id LIMIT $4`,
			siteID, visitorID, after, limit)
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, m := range out {
		m.FillState()
	}
	return out, nil
}

// EraseConversation deletes the conversation's messages and then the conversation
// in one transaction, the conversation's row locked first so that no append slips
// in between.
func (s *Store) EraseConversation(ctx context.Context, id string) (int, error) {
	var n int
	err := s.tx(ctx, "erase conversation", func(tx pgx.Tx) error {
		n = 0
		var one int
		err := tx.QueryRow(ctx, "SELECT 1 FROM conversations WHERE id = $1 FOR UPDATE", id).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("conversation %q: %w", id, store.ErrNotFound)
		}
		if err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, "DELETE FROM messages WHERE conversation_id = $1", id)
		if err != nil {
			return err
		}
		n = int(tag.RowsAffected())
		_, err = tx.Exec(ctx, "DELETE FROM conversations WHERE id = $1", id)
		return err
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// EraseOfflineMessages deletes the site's offline messages with these ids (their
// client ids and states are columns of the same rows).
func (s *Store) EraseOfflineMessages(ctx context.Context, siteID string, ids ...string) (int, error) {
	var n int
	err := s.tx(ctx, "erase offline messages", func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "DELETE FROM offline_messages WHERE site_id = $1 AND id = ANY($2)", siteID, ids)
		n = int(tag.RowsAffected())
		return err
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// DeleteNotifications deletes the notifications with these ids (the due and
// pending queues are partial indexes of the same rows).
func (s *Store) DeleteNotifications(ctx context.Context, ids ...string) (int, error) {
	var n int
	err := s.tx(ctx, "delete notifications", func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "DELETE FROM notifications WHERE id = ANY($1)", ids)
		n = int(tag.RowsAffected())
		return err
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// MarkVisitorErased inserts the visitor's tombstone (kept when there is one) and
// deletes its row of visitor_numbers (visitor_counters keeps the site's last
// number, so it is not given again), in one transaction.
func (s *Store) MarkVisitorErased(ctx context.Context, siteID, visitorID string) (bool, error) {
	if siteID == "" || visitorID == "" {
		return false, errors.New("postgres: mark visitor erased: empty site or visitor id")
	}
	var had bool
	err := s.tx(ctx, "mark visitor erased", func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO visitor_erasures (site_id, visitor_id) VALUES ($1, $2)
			ON CONFLICT (site_id, visitor_id) DO NOTHING`, siteID, visitorID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, "DELETE FROM visitor_numbers WHERE site_id = $1 AND visitor_id = $2", siteID, visitorID)
		had = tag.RowsAffected() > 0
		return err
	})
	if err != nil {
		return false, err
	}
	return had, nil
}

// VisitorErased reports whether the visitor has a tombstone (one primary-key
// lookup).
func (s *Store) VisitorErased(ctx context.Context, siteID, visitorID string) (bool, error) {
	if siteID == "" || visitorID == "" {
		return false, errors.New("postgres: visitor erased: empty site or visitor id")
	}
	if err := s.check(ctx, "visitor erased"); err != nil {
		return false, err
	}
	var erased bool
	err := s.pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM visitor_erasures WHERE site_id = $1 AND visitor_id = $2)",
		siteID, visitorID).Scan(&erased)
	if err != nil {
		return false, s.wrap(ctx, "visitor erased", err)
	}
	return erased, nil
}
