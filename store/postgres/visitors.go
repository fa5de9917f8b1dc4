package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// getVisitorNumberSQL reads the number a visitor has on a site.
const getVisitorNumberSQL = "SELECT number FROM visitor_numbers WHERE site_id = $1 AND visitor_id = $2"

// lockVisitorCounterSQL makes the site's counter row (at 0) when it has none and
// locks it until the transaction ends.
const lockVisitorCounterSQL = `INSERT INTO visitor_counters (site_id, last) VALUES ($1, 0)
	ON CONFLICT (site_id) DO UPDATE SET last = visitor_counters.last`

// giveVisitorNumberSQL runs with the counter row locked, so its snapshot holds
// every number given before: it returns the visitor's number, giving it the
// counter's next one (and moving the counter) when it has none.
const giveVisitorNumberSQL = `WITH prior AS (` + getVisitorNumberSQL + `),
	bump AS (
		UPDATE visitor_counters SET last = last + 1
		WHERE site_id = $1 AND NOT EXISTS (SELECT 1 FROM prior) RETURNING last),
	given AS (
		INSERT INTO visitor_numbers (site_id, visitor_id, number)
		SELECT $1, $2, last FROM bump RETURNING number)
	SELECT number FROM given UNION ALL SELECT number FROM prior`

// VisitorNumber returns the visitor's number on the site, giving it the site's
// next one the first time. A visitor that has its number costs one read. The first
// ask locks the site's counter row, so concurrent asks on any node get one number;
// it is one round trip (BEGIN, the lock, the number, COMMIT sent as one batch), so
// the lock is held for the server's work and the commit's flush, never for a wait
// on the network, and a site's new visitors are numbered as fast as it commits.
func (s *Store) VisitorNumber(ctx context.Context, siteID, visitorID string) (int64, error) {
	const op = "visitor number"
	if siteID == "" || visitorID == "" {
		return 0, errors.New("postgres: visitor number: empty site or visitor id")
	}
	if err := s.check(ctx, op); err != nil {
		return 0, err
	}
	var n int64
	err := s.pool.QueryRow(ctx, getVisitorNumberSQL, siteID, visitorID).Scan(&n)
	if err == nil {
		return n, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return 0, s.wrap(ctx, op, err)
	}
	for range maxAttempts {
		n, err = s.giveVisitorNumber(ctx, siteID, visitorID)
		if !retryable(err) {
			break
		}
	}
	return n, s.wrap(ctx, op, err)
}

// giveVisitorNumber is one attempt at the batch VisitorNumber sends.
func (s *Store) giveVisitorNumber(ctx context.Context, siteID, visitorID string) (n int64, err error) {
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		return 0, err
	}
	defer c.Release()
	defer rollback(ctx, c) // nothing to do once COMMIT went through
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	b.Queue(lockVisitorCounterSQL, siteID)
	b.Queue(giveVisitorNumberSQL, siteID, visitorID)
	b.Queue("COMMIT")
	br := c.SendBatch(ctx, b)
	defer func() {
		if cerr := br.Close(); err == nil {
			err = cerr
		}
	}()
	for range 2 {
		if _, err := br.Exec(); err != nil {
			return 0, err
		}
	}
	if err := br.QueryRow().Scan(&n); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			err = fmt.Errorf("%w: no number for visitor %q of site %q", errData, visitorID, siteID)
		}
		return 0, err
	}
	if _, err := br.Exec(); err != nil {
		return 0, err
	}
	return n, nil
}
