package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/livedesk/gateway/store"
)

// callerError carries an error returned by a caller's update function through the
// transaction, so it comes back exactly as the caller returned it.
type callerError struct{ err error }

func (e *callerError) Error() string { return e.err.Error() }

// errData marks a failure of the store's own data (a record that does not decode).
var errData = errors.New("bad record")

// maxAttempts bounds how often a transaction that lost a serialization race or a
// deadlock is run again.
const maxAttempts = 5

// tx runs fn in a read-write transaction that commits before tx returns. A
// transaction the server aborted for a serialization failure or a deadlock runs
// again (fn may then run more than once, as the Store interface allows). Errors are
// wrapped with op, except a callerError, which comes back as the caller's own.
func (s *Store) tx(ctx context.Context, op string, fn func(pgx.Tx) error) error {
	if err := s.check(ctx, op); err != nil {
		return err
	}
	var err error
	for range maxAttempts {
		err = pgx.BeginFunc(ctx, s.pool, fn)
		if !retryable(err) {
			break
		}
	}
	return s.wrap(ctx, op, err)
}

// read runs fn in a read-only transaction (one snapshot for every query of fn).
func (s *Store) read(ctx context.Context, op string, fn func(pgx.Tx) error) error {
	if err := s.check(ctx, op); err != nil {
		return err
	}
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead}, fn)
	return s.wrap(ctx, op, err)
}

// retryable reports whether the server aborted a transaction that may simply run
// again: a serialization failure or a detected deadlock.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// wrap turns err, met while doing op, into what callers can tell apart:
//   - a caller's own error comes back as is;
//   - the store's sentinel errors, errData and ErrSchemaNewer keep their meaning;
//   - a unique-key violation is store.ErrConflict;
//   - a cancelled context gives an error that is context.Canceled;
//   - a deadline, a connection failure, a closed pool or a server shutting down,
//     starting or out of resources is store.ErrUnavailable;
//   - any other error the server replied with is returned wrapped.
func (s *Store) wrap(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	var ce *callerError
	if errors.As(err, &ce) {
		return ce.err
	}
	var pe *pgconn.PgError
	isPg := errors.As(err, &pe)
	switch {
	case errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrConflict) ||
		errors.Is(err, store.ErrLastOwner) || errors.Is(err, store.ErrUnavailable) ||
		errors.Is(err, errData) || errors.Is(err, ErrSchemaNewer):
		return fmt.Errorf("postgres: %s: %w", op, err)
	case isPg && pe.Code == "23505":
		return fmt.Errorf("postgres: %s: %w: %s", op, store.ErrConflict, pe.Detail)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("postgres: %s: %w", op, err)
	case errors.Is(ctx.Err(), context.Canceled):
		return fmt.Errorf("postgres: %s: %w: %v", op, ctx.Err(), err)
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("postgres: %s: %w: %w", op, store.ErrUnavailable, err)
	case isPg && unavailableCode(pe.Code):
		return fmt.Errorf("postgres: %s: %w: %w", op, store.ErrUnavailable, err)
	case isPg:
		return fmt.Errorf("postgres: %s: %w", op, err)
	}
	// Not a reply from the server: the connection, the pool or the dial failed.
	return fmt.Errorf("postgres: %s: %w: %w", op, store.ErrUnavailable, err)
}

// unavailableCode reports whether a server error code means "not now": a
// connection exception (08), too many connections or no resources (53), an
// operator intervention such as a shutdown (57P01-57P03), a read-only standby
// (25006).
func unavailableCode(code string) bool {
	return strings.HasPrefix(code, "08") || strings.HasPrefix(code, "53") ||
		code == "57P01" || code == "57P02" || code == "57P03" || code == "25006"
}

// newID returns a new time-ordered id (UUIDv7): ids made later sort after.
func newID() (string, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return "", fmt.Errorf("postgres: new id: %w", err)
	}
	return id.String(), nil
}

// encode returns v's JSON form for a data column.
func encode(v any) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("%w: encode: %w", errData, err)
	}
	return data, nil
}

// decode decodes a data column into a new T.
func decode[T any](data []byte) (*T, error) {
	out := new(T)
	if err := json.Unmarshal(data, out); err != nil {
		return nil, fmt.Errorf("%w: decode: %w", errData, err)
	}
	return out, nil
}

// cloneJSON returns a deep copy of v made through its JSON form, which is exactly
// what a round trip through the store keeps.
func cloneJSON[T any](v *T) (*T, error) {
	data, err := encode(v)
	if err != nil {
		return nil, err
	}
	return decode[T](data)
}

// getOne runs a query for one data column and decodes it; what names the record
// in the ErrNotFound error when there is none.
func getOne[T any](ctx context.Context, q pgx.Tx, what, sql string, args ...any) (*T, error) {
	var data []byte
	if err := q.QueryRow(ctx, sql, args...).Scan(&data); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, fmt.Errorf("%s: %w", what, store.ErrNotFound)
		}
		return nil, err
	}
	return decode[T](data)
}

// getAll runs a query for data columns and decodes each row, in the query's order.
func getAll[T any](ctx context.Context, q pgx.Tx, sql string, args ...any) ([]*T, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	datas, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return nil, err
	}
	out := make([]*T, 0, len(datas))
	for _, d := range datas {
		rec, err := decode[T](d)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, nil
}

// clampLimit applies a list's default and cap to a requested limit.
func clampLimit(limit, def, max int) int {
	if limit <= 0 {
		return def
	}
	if limit > max {
		return max
	}
	return limit
}

// nullIfEmpty maps "" to SQL NULL (for optional unique keys).
func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// unixNano is t as Unix nanoseconds, the form time columns are kept in so that
// comparisons keep the nanoseconds the records carry.
func unixNano(t time.Time) int64 { return t.UnixNano() }

// batchTx sends b's statements between BEGIN and COMMIT as one batch (one round
// trip to the server) on a connection of its own, and returns once the commit
// went through; on an error nothing of b stays (the transaction is rolled back,
// or the pool drops the connection). A transaction the server aborted for a
// deadlock runs again, as in tx.
func (s *Store) batchTx(ctx context.Context, op string, b *pgx.Batch) error {
	if err := s.check(ctx, op); err != nil {
		return err
	}
	full := &pgx.Batch{}
	full.Queue("BEGIN")
	full.QueuedQueries = append(full.QueuedQueries, b.QueuedQueries...)
	full.Queue("COMMIT")
	var err error
	for range maxAttempts {
		err = s.sendTx(ctx, full)
		if !retryable(err) {
			break
		}
	}
	return s.wrap(ctx, op, err)
}

// sendTx is one attempt of batchTx.
func (s *Store) sendTx(ctx context.Context, b *pgx.Batch) error {
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer c.Release()
	err = c.SendBatch(ctx, b).Close()
	rollback(ctx, c)
	return err
}
