package hub

import (
	"time"

	"go.uber.org/zap"
)

// RedisOptions configures a RedisBroker. Zero values select the defaults.
type RedisOptions struct {
	// Workers is the number of delivery workers (default 8). A channel always maps
	// to the same worker, so messages on one channel reach the handler in the order
	// Redis sent them.
	Workers int
	// WorkerQueue is each worker's buffered queue (default 4096). When it is full
	// the reader does not wait: the message is dropped, counted (Drops) and
	// reported to OnDrop. Pub/sub is at most once anyway.
	WorkerQueue int
	// BatchWindow is how long subscription changes are collected before they are
	// sent as one SUBSCRIBE and one UNSUBSCRIBE command (default 2 ms).
	BatchWindow time.Duration
	// ProbeInterval is how often the broker publishes a probe on its node-private
	// channel and expects it back over its subscription (default 5 s; negative
	// disables the probe). A probe that was published but does not come back within
	// ProbeTimeout means the subscription connection is silently dead: the broker
	// replaces it and resubscribes to every current channel.
	ProbeInterval time.Duration
	// ProbeTimeout bounds a probe's round trip and the confirmation of a batch of
	// subscription changes (default 3 s).
	ProbeTimeout time.Duration
	// Logger receives connection events; nil logs nothing.
	Logger *zap.Logger
	// OnDrop, if set, is called for every message dropped because its worker's
	// queue was full. It runs on the reader goroutine: it must return quickly and
	// must not call the broker.
	OnDrop func(channel string)
	// OnReconnect, if set, is called after the subscription was re-established
	// following a lost connection (go-redis reconnected, or the probe replaced a
	// silently dead connection). Messages published meanwhile were lost: this is the
	// moment to resync from the store. Calls run one at a time on a goroutine of
	// their own and may use the broker (but not Close it).
	OnReconnect func()
}

const (
	defaultRedisWorkers       = 8
	defaultRedisWorkerQueue   = 4096
	defaultRedisBatchWindow   = 2 * time.Millisecond
	defaultRedisProbeInterval = 5 * time.Second
	defaultRedisProbeTimeout  = 3 * time.Second
)

func (o RedisOptions) withDefaults() RedisOptions {
	if o.Workers <= 0 {
		o.Workers = defaultRedisWorkers
	}
	if o.WorkerQueue <= 0 {
		o.WorkerQueue = defaultRedisWorkerQueue
	}
	if o.BatchWindow <= 0 {
		o.BatchWindow = defaultRedisBatchWindow
	}
	if o.ProbeInterval == 0 {
		o.ProbeInterval = defaultRedisProbeInterval
	}
	if o.ProbeTimeout <= 0 {
		o.ProbeTimeout = defaultRedisProbeTimeout
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	return o
}
