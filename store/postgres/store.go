package postgres

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/livedesk/gateway/store"
)

// Store is the PostgreSQL-backed store.Store. It is safe for concurrent use, by
// any number of processes on one database.
type Store struct {
	pool      *pgxpool.Pool
	closed    atomic.Bool
	closeOnce sync.Once
}

var _ store.Store = (*Store)(nil)

// defaultMaxConns is the pool's size when the URL sets no pool_max_conns. pgx's own
// default, the number of CPUs (at least 4), leaves a node's chats waiting for a
// connection: each write holds one for its round trips and its commit's WAL flush,
// which are latency, not CPU (docs/performance.md#postgresql).
const defaultMaxConns = 32

// Open connects to the database at rawURL (postgres://user:password@host:port/db,
// with the parameters pgx knows, such as pool_max_conns (default 32), or search_path to use a
// schema other than public), checks that it answers, applies the migrations it
// lacks (Migrate) and returns the store. A database whose schema is newer than the
// build knows is refused. A server that cannot be reached is store.ErrUnavailable.
func Open(ctx context.Context, rawURL string) (*Store, error) {
	s, err := connect(ctx, rawURL, "open", 0)
	if err != nil {
		return nil, err
	}
	if _, err := Migrate(ctx, s.pool); err != nil {
		s.pool.Close()
		return nil, s.wrap(ctx, "open", err)
	}
	return s, nil
}

// connect makes a store on a pool to rawURL (of at most maxConns connections when
// that is above 0) and checks that the server answers; op names the caller in
// errors.
func connect(ctx context.Context, rawURL, op string, maxConns int32) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(rawURL)
	if err != nil {
		return nil, fmt.Errorf("postgres: %s: bad URL: %s", op, redact(err, rawURL))
	}
	if maxConns > 0 {
		cfg.MaxConns = maxConns
	}
	if !strings.Contains(rawURL, "pool_max_conns") {
		cfg.MaxConns = defaultMaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %s: %w", op, err)
	}
	s := &Store{pool: pool}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, s.wrap(ctx, op, err)
	}
	return s, nil
}

// Pool returns the store's connection pool (for tests and tools).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Close waits for the connections in use to be released, then closes them.
// Nothing may be called after it; what is gets store.ErrUnavailable. Closing twice
// is harmless.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		s.pool.Close()
	})
	return nil
}

// Ping reports whether the database answers; a closed store gets
// store.ErrUnavailable.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.check(ctx, "ping"); err != nil {
		return err
	}
	return s.wrap(ctx, "ping", s.pool.Ping(ctx))
}

// check fails a call before it starts when ctx has ended or the store is closed.
func (s *Store) check(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return s.wrap(ctx, op, err)
	}
	if s.closed.Load() {
		return fmt.Errorf("postgres: %s: %w: store closed", op, store.ErrUnavailable)
	}
	return nil
}

// redact returns err's text without the URL's password.
func redact(err error, rawURL string) string {
	msg := err.Error()
	if u, perr := url.Parse(rawURL); perr == nil && u.User != nil {
		if pw, ok := u.User.Password(); ok && pw != "" {
			msg = strings.ReplaceAll(msg, pw, "xxxxx")
		}
	}
	return msg
}
