package gateway

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/redis/go-redis/v9"

	"github.com/livedesk/gateway/store"
	"github.com/livedesk/gateway/store/bolt"
	"github.com/livedesk/gateway/store/postgres"
	redisstore "github.com/livedesk/gateway/store/redis"
)

// OpenStore opens the store cfg names (docs/protocol.md#command-line): PostgreSQL
// when DatabaseURL is set, else Redis when RedisURL is set, else the embedded one in
// DataDir. With mustExist, an embedded store that is not there yet is an error
// rather than created (a command that edits an existing store). The embedded store
// is one process's: when a running gateway holds it, Open fails after a short wait
// saying the data dir is in use. Opening PostgreSQL applies the schema migrations
// it lacks and refuses a schema newer than this build.
func OpenStore(ctx context.Context, cfg Config, mustExist bool) (store.Store, error) {
	if cfg.DatabaseURL != "" {
		ps, err := postgres.Open(ctx, cfg.DatabaseURL)
		if err != nil {
			return nil, fmt.Errorf("--database-url: %w", err)
		}
		return ps, nil
	}
	if cfg.RedisURL != "" {
		rs, err := redisstore.Open(ctx, cfg.RedisURL)
		if err != nil {
			return nil, fmt.Errorf("--redis-url: %w", err)
		}
		return rs, nil
	}
	if mustExist {
		path := filepath.Join(cfg.DataDir, bolt.FileName)
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("--data-dir %s: no store there (%v); give the --data-dir the gateway runs with", cfg.DataDir, err)
		}
	}
	return bolt.Open(cfg.DataDir)
}

// controlPool is the connection pool of the cluster's own Redis client: the
// publisher pipelines on one, the lease and the outbox claims take one now and then.
const controlPool = 4

// OpenClusterClient returns the Redis client the cluster's nodes talk through
// (pub/sub, presence, the leader lease), or nil when cfg is not cluster mode
// (no RedisURL). With the Redis store it is a client of its own to the store's
// Redis, with the store's options and a small pool, so that the lease renewal and
// the frames between nodes never wait behind a burst of store reads; with
// PostgreSQL as the store it is a new client to RedisURL, checked with a ping.
// close releases it.
func OpenClusterClient(ctx context.Context, cfg Config, st store.Store) (c redis.UniversalClient, close func() error, err error) {
	if cfg.RedisURL == "" {
		return nil, func() error { return nil }, nil
	}
	var opt *redis.Options
	if rs, ok := st.(*redisstore.Store); ok {
		sc, ok := rs.Client().(*redis.Client)
		if !ok { // a client the caller made: shared as it is
			return rs.Client(), func() error { return nil }, nil
		}
		cp := *sc.Options()
		opt = &cp
	} else if opt, err = redisstore.ClientOptions(cfg.RedisURL); err != nil {
		return nil, nil, fmt.Errorf("--redis-url: %w", err)
	}
	opt.PoolSize = controlPool
	client := redis.NewClient(opt)
	if err := client.Ping(ctx).Err(); err != nil {
		_ = client.Close()
		return nil, nil, fmt.Errorf("--redis-url: redis %s: %w: %v", opt.Addr, store.ErrUnavailable, err)
	}
	return client, client.Close, nil
}

// storeKind names the kind of st for the logs: "postgres", "redis" or "embedded".
func storeKind(st store.Store) string {
	switch st.(type) {
	case *postgres.Store:
		return "postgres"
	case *redisstore.Store:
		return "redis"
	default:
		return "embedded"
	}
}
