package redisstore

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/livedesk/gateway/store"
)

// DefaultPrefix is the key prefix of a store made by Open.
const DefaultPrefix = "ld:"

// Timeouts Open applies when the URL sets none (go-redis waits 5 s to dial and 3 s
// for a reply by default, and dials 5 times: too long for a gateway that answers
// "unavailable, retry" instead).
const (
	defaultDialTimeout = 2 * time.Second
	defaultIOTimeout   = 2 * time.Second
)

// defaultPoolSize is the store's connection pool when the URL sets none. go-redis's
// own default (ten per core) is made for a few long commands; a gateway node does
// many short ones at once (a reconnect storm reads one conversation index per
// visitor), and each waits for a connection of its own.
const defaultPoolSize = 64

// Store is the Redis-backed store.Store. It is safe for concurrent use, also by
// several processes on one database.
type Store struct {
	rdb   redis.UniversalClient
	k     keys
	owned bool // Close closes rdb

	closed    atomic.Bool
	closeOnce sync.Once
	closeErr  error
}

var _ store.Store = (*Store)(nil)

// New returns a store that keeps its records in client's database under keys that
// start with prefix. Close does not close client: the caller owns it. Give the
// client short timeouts (DialTimeout, ReadTimeout, WriteTimeout of a second or two),
// so that calls during an outage fail fast with store.ErrUnavailable,
// ContextTimeoutEnabled, so that callers' deadlines apply, and MaxRetries -1 (see
// "Retries" in doc.go).
func New(client redis.UniversalClient, prefix string) *Store {
	return &Store{rdb: client, k: keys{p: prefix}}
}

// Open connects to the Redis at url (redis://[user:password@]host:port/db, with the
// query options go-redis's ParseURL knows, such as dial_timeout or max_retries),
// checks that it answers, and returns a store with DefaultPrefix that owns the
// connection. The client is set up as ClientOptions says.
func Open(ctx context.Context, rawURL string) (*Store, error) {
	opt, err := ClientOptions(rawURL)
	if err != nil {
		return nil, err
	}
	client := redis.NewClient(opt)
	s := New(client, DefaultPrefix)
	s.owned = true
	if err := s.Ping(ctx); err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("redis: open %s: %w", opt.Addr, err)
	}
	return s, nil
}

// ClientOptions are the client options of a Redis URL as the gateway uses them, for
// the store and for the cluster's own client: timeouts the URL leaves unset are 2 s,
// the pool holds at least 64 connections unless the URL sets pool_size, a failed
// dial is not repeated, commands are not retried unless the URL sets max_retries
// (see doc.go), and callers' context deadlines apply. A URL go-redis cannot parse is
// an error that does not quote it (it may hold a password).
func ClientOptions(rawURL string) (*redis.Options, error) {
	opt, err := redis.ParseURL(rawURL)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) { // its text quotes the URL, password and all
			err = ue.Err
		}
		return nil, fmt.Errorf("redis: open: bad URL: %w", err)
	}
	var set url.Values // the query options the URL sets
	if u, err := url.Parse(rawURL); err == nil {
		set = u.Query()
	}
	if !set.Has("max_retries") {
		opt.MaxRetries = -1 // see "Retries" in doc.go
	}
	if opt.DialTimeout == 0 {
		opt.DialTimeout = defaultDialTimeout
	}
	if opt.ReadTimeout == 0 {
		opt.ReadTimeout = defaultIOTimeout
	}
	if opt.WriteTimeout == 0 {
		opt.WriteTimeout = defaultIOTimeout
	}
	if !set.Has("pool_size") {
		opt.PoolSize = max(opt.PoolSize, defaultPoolSize)
	}
	opt.DialerRetries = 1
	opt.ContextTimeoutEnabled = true
	return opt, nil
}

// Client is the Redis client the store uses (cluster mode shares it for pub/sub and
// the leader lease).
func (s *Store) Client() redis.UniversalClient { return s.rdb }

// Close releases the store (and the client, if Open made it). Calls after Close get
// store.ErrUnavailable. Closing twice is harmless.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		if s.owned {
			if err := s.rdb.Close(); err != nil {
				s.closeErr = fmt.Errorf("redis: close: %w", err)
			}
		}
	})
	return s.closeErr
}

// Ping reports whether Redis answers; store.ErrUnavailable when it does not.
func (s *Store) Ping(ctx context.Context) error {
	const op = "ping"
	if err := s.begin(ctx, op); err != nil {
		return err
	}
	return s.wrap(ctx, op, s.rdb.Ping(ctx).Err())
}

// begin checks what every operation checks before it talks to Redis: the context is
// still live and the store is open.
func (s *Store) begin(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("redis: %s: %w", op, err)
	}
	if s.closed.Load() {
		return fmt.Errorf("redis: %s: %w: store closed", op, store.ErrUnavailable)
	}
	return nil
}
