package gateway

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/livedesk/gateway/store"
	"github.com/livedesk/gateway/store/bolt"
	redisstore "github.com/livedesk/gateway/store/redis"
)

// OpenStore opens the store cfg names: Redis when RedisURL is set, else the
// embedded one in DataDir. With mustExist, an embedded store that is not there yet
// is an error rather than created (a command that edits an existing store).
// The embedded store is one process's: when a running gateway holds it, Open fails
// after a short wait saying the data dir is in use.
func OpenStore(ctx context.Context, cfg Config, mustExist bool) (store.Store, error) {
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
