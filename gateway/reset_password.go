package gateway

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/livedesk/gateway/cluster"
	"github.com/livedesk/gateway/gateway/api"
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

// ErrNoSuchAgent is ResetPassword's error for an e-mail no agent has.
var ErrNoSuchAgent = errors.New("no agent has that e-mail")

// ResetPassword sets a new password for the agent with that e-mail (without regard
// to case) and revokes its tokens as logout does. An empty password is generated,
// and returned to be shown once; a given one must pass the API's password rule.
// Nothing changes when the e-mail is unknown (ErrNoSuchAgent) or the password bad.
// In cluster mode the running nodes are told to close the agent's sockets.
func ResetPassword(ctx context.Context, st store.Store, email, password string, now time.Time) (generated string, err error) {
	if password == "" {
		password = randomToken(12)
		generated = password
	} else if err := api.CheckPassword(password); err != nil {
		var ae *api.APIError
		if errors.As(err, &ae) {
			return "", fmt.Errorf("password: %s", ae.Message)
		}
		return "", err
	}
	a, err := st.GetAgentByEmail(ctx, strings.TrimSpace(email))
	if errors.Is(err, store.ErrNotFound) {
		return "", fmt.Errorf("%w: %q", ErrNoSuchAgent, email)
	}
	if err != nil {
		return "", err
	}
	hash, err := api.HashPassword(password)
	if err != nil {
		return "", err
	}
	if _, err := st.UpdateAgent(ctx, a.ID, func(a *store.Agent) error {
		a.PasswordHash = hash
		api.RevokeTokens(a)
		a.UpdatedAt = now.UTC()
		return nil
	}); err != nil {
		return "", err
	}
	if rs, ok := st.(*redisstore.Store); ok {
		// What forceLogout broadcasts: every node closes the agent's sockets.
		if err := cluster.BroadcastLogout(ctx, rs.Client(), "", a.ID); err != nil {
			return generated, fmt.Errorf("password reset, but the running nodes were not told to close the agent's sockets: %w", err)
		}
	}
	return generated, nil
}
