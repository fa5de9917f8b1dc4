package hub

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"
)

// ErrSubscribePending is returned (wrapped, with the cause) by RedisBroker.Subscribe
// when the reference was taken but Redis has not confirmed the subscription: Redis
// is unreachable, or ctx ended while waiting. The reference stays held (the caller
// still owes an Unsubscribe) and the broker subscribes as soon as Redis is
// reachable again, then calls OnReconnect.
var ErrSubscribePending = errors.New("hub: redis subscription not confirmed yet")

// RedisBroker carries frames between the nodes of a cluster (package cluster
// uses it): it publishes with PUBLISH and receives over one Redis pub/sub
// connection per node, subscribed to a channel only while the channel has
// references (one per interested party). Delivery is at most once: anything that
// must not be lost also lives in the store.
//
// One reader goroutine drains the subscription and never waits for a handler: it
// hands each message to the worker for its channel (hash of the channel name), or
// drops it when that worker's queue is full. The handler therefore runs on the
// worker goroutines, one call at a time per worker, in order per channel.
//
// Subscribe and Unsubscribe return once Redis has confirmed the change, so a
// message published after Subscribe returns nil is delivered (short of a failure)
// and one published after the last Unsubscribe returns is not. Changes made within
// BatchWindow of each other share one SUBSCRIBE/UNSUBSCRIBE command, so a burst of
// calls from many goroutines costs a few round trips; a goroutine making calls one
// after another waits about BatchWindow plus a round trip for each first or last
// reference.
//
// When the connection breaks, go-redis reconnects and resubscribes by itself; a
// connection that dies silently is found by the probe (see
// RedisOptions.ProbeInterval). Either way OnReconnect is called afterwards.
type RedisBroker struct {
	client redis.UniversalClient
	h      Handler
	o      RedisOptions
	log    *zap.Logger
	probeC string // node-private probe channel, never handed to the handler

	ctx    context.Context // canceled by Close
	cancel context.CancelFunc

	queues  []chan redisDelivery // one per worker; closed by Close once no reader runs
	kick    chan struct{}        // cap 1: subscription changes wait for a batch
	pongs   chan string          // PING payloads echoed on the subscription (batch barriers)
	probes  chan string          // probe payloads received on probeC
	regain  chan struct{}        // cap 1: the notifier calls OnReconnect
	drops   atomic.Uint64
	regains atomic.Uint64

	workers     sync.WaitGroup
	controlDone chan struct{} // closed when the control goroutine has returned

	// Owned by the control goroutine (run), and by Close once run has returned:
	// the current subscription session, the channels told to go-redis, and the
	// token sequence for barriers and probes.
	sess *redisSession
	sent map[string]bool
	seq  uint64

	// mu guards the fields below. It is a leaf lock: never held while calling
	// go-redis, the handler or a hook, nor while waiting on a channel.
	mu      sync.RWMutex
	closed  bool
	refs    map[string]int         // channel -> references, only channels with refs > 0
	dirty   map[string]struct{}    // channels whose refs crossed zero since the last batch
	pending map[string]*redisBatch // channel -> the batch that has yet to apply its change
	cur     *redisBatch            // the batch being collected
	down    bool                   // the subscription is known to be broken
}

// redisDelivery is one message on its way from the reader to a worker.
type redisDelivery struct {
	channel string
	payload string
}

// NewRedisBroker returns a RedisBroker that publishes through client and delivers
// what arrives on its subscribed channels to h. It does not wait for Redis: the
// subscription connection is opened in the background and, if Redis is down,
// whenever it comes back. Close releases it; client itself is left open.
func NewRedisBroker(client redis.UniversalClient, h Handler, o RedisOptions) (*RedisBroker, error) {
	if client == nil {
		return nil, errors.New("hub: NewRedisBroker: nil client")
	}
	if h == nil {
		h = func(string, []byte) {}
	}
	o = o.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	b := &RedisBroker{
		client:      client,
		h:           h,
		o:           o,
		log:         o.Logger,
		probeC:      "hub:probe:" + uuid.NewString(),
		ctx:         ctx,
		cancel:      cancel,
		queues:      make([]chan redisDelivery, o.Workers),
		kick:        make(chan struct{}, 1),
		pongs:       make(chan string, 16),
		probes:      make(chan string, 16),
		regain:      make(chan struct{}, 1),
		controlDone: make(chan struct{}),
		sent:        make(map[string]bool),
		refs:        make(map[string]int),
		dirty:       make(map[string]struct{}),
		pending:     make(map[string]*redisBatch),
		cur:         newRedisBatch(),
	}
	for i := range b.queues {
		b.queues[i] = make(chan redisDelivery, o.WorkerQueue)
		b.workers.Add(1)
		go b.work(b.queues[i])
	}
	go b.notify()
	go b.run()
	return b, nil
}

// Publish sends payload to every node subscribed to channel. An error (wrapped
// from go-redis) means Redis did not take the message.
func (b *RedisBroker) Publish(ctx context.Context, channel string, payload []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.RLock()
	closed := b.closed
	b.mu.RUnlock()
	if closed {
		return ErrBrokerClosed
	}
	if err := b.client.Publish(ctx, channel, payload).Err(); err != nil {
		return fmt.Errorf("hub: redis publish on %q: %w", channel, err)
	}
	return nil
}

// Subscribe adds a reference to channel. The first reference subscribes, and
// Subscribe returns nil once Redis has confirmed it; later references return at
// once unless the first one is still being confirmed. An error wrapping
// ErrSubscribePending means the reference was taken but not confirmed (see
// there); ctx's error before anything happened, or ErrBrokerClosed, means nothing
// changed.
func (b *RedisBroker) Subscribe(ctx context.Context, channel string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return ErrBrokerClosed
	}
	b.refs[channel]++
	if b.refs[channel] == 1 {
		b.changeLocked(channel)
	}
	bt, down := b.pending[channel], b.down
	b.mu.Unlock()
	if bt == nil {
		if down {
			return fmt.Errorf("%w: redis subscription connection is down", ErrSubscribePending)
		}
		return nil
	}
	select {
	case <-bt.done:
		if bt.err != nil {
			return fmt.Errorf("%w: %w", ErrSubscribePending, bt.err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%w: %w", ErrSubscribePending, ctx.Err())
	case <-b.ctx.Done():
		return ErrBrokerClosed
	}
}

// Unsubscribe drops a reference to channel; an extra Unsubscribe does nothing.
// Once the last reference is dropped the handler is no longer called for channel
// (a call already running may finish), even for messages already received.
// Unsubscribe then waits until Redis has confirmed the UNSUBSCRIBE, so messages
// published after it returns are not even sent to this node. That wait ends early
// when ctx ends or Redis cannot confirm (ProbeTimeout); the reference is dropped
// regardless, so after the first check of ctx Unsubscribe only returns nil.
func (b *RedisBroker) Unsubscribe(ctx context.Context, channel string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	bt, err := b.drop(channel)
	if bt == nil {
		return err
	}
	select {
	case <-bt.done:
	case <-ctx.Done():
	case <-b.ctx.Done():
	}
	return nil
}

// Release is Unsubscribe without the wait: the reference is dropped and the
// handler no longer called for channel at once, and the UNSUBSCRIBE goes out with
// the next batch. It is what a socket that goes away needs: in a reconnect storm
// thousands go at once, and none of them has a reason to wait for Redis.
func (b *RedisBroker) Release(channel string) {
	_, _ = b.drop(channel)
}

// drop drops a reference to channel; when it was the last one it returns the
// batch that will unsubscribe.
func (b *RedisBroker) drop(channel string) (*redisBatch, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, ErrBrokerClosed
	}
	switch n := b.refs[channel]; {
	case n > 1:
		b.refs[channel] = n - 1
		return nil, nil
	case n == 0:
		return nil, nil
	}
	delete(b.refs, channel)
	b.changeLocked(channel)
	return b.pending[channel], nil
}

// Subscribed reports how many references channel has (0: not subscribed).
func (b *RedisBroker) Subscribed(channel string) int {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.refs[channel]
}

// Drops reports how many messages were dropped because a worker queue was full.
func (b *RedisBroker) Drops() uint64 { return b.drops.Load() }

// Reconnects reports how many times the subscription was re-established.
func (b *RedisBroker) Reconnects() uint64 { return b.regains.Load() }

// Close drops every subscription by closing the subscription connection (Redis
// forgets a connection's subscriptions with it), stops the reader, the probe and
// the workers, and returns once no handler call is running. It must not be called
// from the handler or a hook. Later calls, Close included, return ErrBrokerClosed.
func (b *RedisBroker) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return ErrBrokerClosed
	}
	b.closed, b.refs = true, nil
	b.mu.Unlock()

	b.cancel()
	<-b.controlDone
	b.sess.stop()
	for _, q := range b.queues {
		close(q)
	}
	b.workers.Wait()
	return nil
}

// setDown records whether the subscription is known to be broken.
func (b *RedisBroker) setDown(down bool) {
	b.mu.Lock()
	b.down = down
	b.mu.Unlock()
}
