package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
)

// VisitorNumber returns the visitor's number on the site, giving it the site's
// next one the first time. A visitor that has its number costs one read; the first
// ask locks the site's counter row, so concurrent asks on any node get one number.
func (s *Store) VisitorNumber(ctx context.Context, siteID, visitorID string) (int64, error) {
	if siteID == "" || visitorID == "" {
		return 0, errors.New("postgres: visitor number: empty site or visitor id")
	}
	const get = "SELECT number FROM visitor_numbers WHERE site_id = $1 AND visitor_id = $2"
	var n int64
	err := s.read(ctx, "visitor number", func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, get, siteID, visitorID).Scan(&n)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		return err
	})
	if err != nil || n > 0 {
		return n, err
	}
	err = s.tx(ctx, "visitor number", func(tx pgx.Tx) error {
		var last int64
		err := tx.QueryRow(ctx, `INSERT INTO visitor_counters (site_id, last) VALUES ($1, 0)
			ON CONFLICT (site_id) DO UPDATE SET last = visitor_counters.last RETURNING last`, siteID).Scan(&last)
		if err != nil {
			return err
		}
		// The counter row is locked now: a number given meanwhile is committed.
		err = tx.QueryRow(ctx, get, siteID, visitorID).Scan(&n)
		if err == nil {
			return nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		n = last + 1
		if _, err := tx.Exec(ctx, "UPDATE visitor_counters SET last = $2 WHERE site_id = $1", siteID, n); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "INSERT INTO visitor_numbers (site_id, visitor_id, number) VALUES ($1, $2, $3)", siteID, visitorID, n)
		return err
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
