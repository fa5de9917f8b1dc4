package hub

import (
	"context"
	"sync"
)

// LocalBroker is the single-node Broker: Publish calls the handler synchronously, on
// the publisher's goroutine, when this node is subscribed to the channel.
type LocalBroker struct {
	h Handler

	// mu guards refs and closed; it is not held while the handler runs, so the
	// handler may Publish, Subscribe or Unsubscribe.
	mu     sync.Mutex
	refs   map[string]int // channel -> references, only channels with refs > 0
	closed bool
}

var _ Broker = (*LocalBroker)(nil)

// NewLocalBroker returns a LocalBroker that delivers published payloads to h for the
// channels it is subscribed to (reference counted).
func NewLocalBroker(h Handler) *LocalBroker {
	return &LocalBroker{h: h, refs: make(map[string]int)}
}

// Publish calls the handler with channel and payload if the broker is subscribed to
// channel, and returns after it has run. It returns ctx.Err() if ctx is done and
// ErrBrokerClosed after Close.
func (b *LocalBroker) Publish(ctx context.Context, channel string, payload []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.Lock()
	closed, subscribed := b.closed, b.refs[channel] > 0
	b.mu.Unlock()
	if closed {
		return ErrBrokerClosed
	}
	if subscribed && b.h != nil {
		b.h(channel, payload)
	}
	return nil
}

// Subscribe adds a reference to channel.
func (b *LocalBroker) Subscribe(ctx context.Context, channel string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return ErrBrokerClosed
	}
	b.refs[channel]++
	return nil
}

// Unsubscribe drops a reference to channel; without references left, publishes on
// channel are no longer delivered. An extra Unsubscribe does nothing.
func (b *LocalBroker) Unsubscribe(ctx context.Context, channel string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return ErrBrokerClosed
	}
	switch n := b.refs[channel]; {
	case n > 1:
		b.refs[channel] = n - 1
	case n == 1:
		delete(b.refs, channel)
	}
	return nil
}

// Subscribed reports how many references channel has (0: not subscribed).
func (b *LocalBroker) Subscribed(channel string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.refs[channel]
}

// Close drops every subscription. Later calls, Close included, return
// ErrBrokerClosed.
func (b *LocalBroker) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return ErrBrokerClosed
	}
	b.closed, b.refs = true, nil
	return nil
}
