package notify

import (
	"context"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Claims makes sure one worker at a time works a notification. A claim lasts ttl or
// until released; a worker that dies mid-attempt loses its claims when they expire
// and another worker takes the item up again.
type Claims interface {
	// Claim takes id for ttl; false when someone else holds it.
	Claim(ctx context.Context, id string, ttl time.Duration) (bool, error)
	// Release gives id back (only if this holder still has it).
	Release(ctx context.Context, id string)
}

// LocalClaims are claims within one process (single node).
//
// Lock rule: mu guards held.
type LocalClaims struct {
	mu   sync.Mutex
	held map[string]struct{}
}

// NewLocalClaims returns empty in-process claims.
func NewLocalClaims() *LocalClaims { return &LocalClaims{held: map[string]struct{}{}} }

// Claim takes id unless it is held; ttl is not needed in one process (a claim is
// released when its attempt ends, and the process's end ends them all).
func (c *LocalClaims) Claim(_ context.Context, id string, _ time.Duration) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.held[id]; ok {
		return false, nil
	}
	c.held[id] = struct{}{}
	return true, nil
}

// Release gives id back.
func (c *LocalClaims) Release(_ context.Context, id string) {
	c.mu.Lock()
	delete(c.held, id)
	c.mu.Unlock()
}

// RedisClaims are claims shared by every node of a cluster: one key per claimed
// notification, set with NX and an expiry, holding the node's id.
type RedisClaims struct {
	rdb    redis.UniversalClient
	prefix string
	holder string
}

// NewRedisClaims returns claims under prefix+"outbox:claim:" held in holder's name.
func NewRedisClaims(rdb redis.UniversalClient, prefix, holder string) *RedisClaims {
	return &RedisClaims{rdb: rdb, prefix: prefix + "outbox:claim:", holder: holder}
}

// Claim sets the claim key unless it exists.
func (c *RedisClaims) Claim(ctx context.Context, id string, ttl time.Duration) (bool, error) {
	return c.rdb.SetNX(ctx, c.prefix+id, c.holder, ttl).Result()
}

var releaseClaim = redis.NewScript(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`)

// Release deletes the claim key if this holder still holds it. A failure is left to
// the key's expiry.
func (c *RedisClaims) Release(ctx context.Context, id string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	_ = releaseClaim.Run(ctx, c.rdb, []string{c.prefix + id}, c.holder).Err()
}
