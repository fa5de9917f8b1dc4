package cluster

import (
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
)

// Options put a gateway server in cluster mode: every node shares one Redis (the
// store, pub/sub between the nodes, the leader lease). One node at a time is the
// leader and runs the routing desk; the others reach it through Redis. See
// docs/operations.md, "Cluster mode".
type Options struct {
	// Client reaches the Redis the nodes share (required). Give it short timeouts,
	// as for store/redis.
	Client redis.UniversalClient
	// Prefix starts every key and channel of the cluster (default "ld:").
	Prefix string
	// NodeID names this node (default a random UUID). Two running nodes must not
	// share one.
	NodeID string
	// LeaseTTL is how long the leader's lease lasts without renewal: a killed
	// leader is replaced within about LeaseTTL (default 5 s).
	LeaseTTL time.Duration
	// Heartbeat is how often a node reports its agents' sockets to the leader
	// (default 1 s).
	Heartbeat time.Duration
	// NodeTTL is how long the leader waits for a node's heartbeat before its
	// sockets stop counting (default 10 s). An agent whose only sockets were on a
	// killed node is out of presence within NodeTTL + Heartbeat + disconnect grace.
	NodeTTL time.Duration
	// CallTimeout bounds a call to the leader (default 3 s); past it the frame that
	// needed it gets `unavailable`.
	CallTimeout time.Duration
}

// defaultPrefix is Prefix's default (what the command line's nodes use).
const defaultPrefix = "ld:"

// WithDefaults returns o with every zero field set to its default.
func (o Options) WithDefaults() Options {
	if o.Prefix == "" {
		o.Prefix = defaultPrefix
	}
	if o.NodeID == "" {
		o.NodeID = uuid.NewString()
	}
	if o.LeaseTTL <= 0 {
		o.LeaseTTL = 5 * time.Second
	}
	if o.Heartbeat <= 0 {
		o.Heartbeat = time.Second
	}
	if o.NodeTTL <= 0 {
		o.NodeTTL = 10 * time.Second
	}
	if o.CallTimeout <= 0 {
		o.CallTimeout = 3 * time.Second
	}
	return o
}
