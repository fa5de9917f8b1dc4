package setup

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/livedesk/gateway/cluster"
	"github.com/livedesk/gateway/gateway/api"
	"github.com/livedesk/gateway/store"
	"github.com/redis/go-redis/v9"
)

// ErrNoSuchAgent is ResetPassword's error for an e-mail no agent has.
var ErrNoSuchAgent = errors.New("no agent has that e-mail")

// ResetPassword sets a new password for the agent with that e-mail (without regard
// to case) and revokes its tokens as logout does. An empty password is generated,
// and returned to be shown once; a given one must pass the API's password rule.
// Nothing changes when the e-mail is unknown (ErrNoSuchAgent) or the password bad.
// With bus, a cluster's Redis (nil on one node), the running nodes are told to
// close the agent's sockets.
func ResetPassword(ctx context.Context, st store.Store, bus redis.UniversalClient, email, password string, now time.Time) (generated string, err error) {
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
	if bus != nil {
		// What ws.Realtime.ForceLogout broadcasts: every node closes the agent's sockets.
		if err := cluster.BroadcastLogout(ctx, bus, "", a.ID); err != nil {
			return generated, fmt.Errorf("password reset, but the running nodes were not told to close the agent's sockets: %w", err)
		}
	}
	return generated, nil
}
