package hub

import (
	"context"
	"errors"
)

// Broker carries frames between nodes. LocalBroker delivers in-process; a Redis
// broker implements the same interface for clusters.
//
// A node subscribes to a channel while it has sockets that care about it (one
// reference per interested party) and receives what any node publishes on it.
// Delivery is at most once: anything that must not be lost also lives in the store.
type Broker interface {
	// Publish sends payload to every node subscribed to channel (this one included
	// when subscribed). The broker may keep payload: do not modify it afterwards.
	Publish(ctx context.Context, channel string, payload []byte) error
	// Subscribe adds a reference to channel; the first reference subscribes.
	Subscribe(ctx context.Context, channel string) error
	// Unsubscribe drops a reference; the last one unsubscribes. Dropping a reference
	// that was never taken does nothing.
	Unsubscribe(ctx context.Context, channel string) error
	// Close unsubscribes from everything; later calls return ErrBrokerClosed.
	Close() error
}

// Handler receives the payloads published on the channels a Broker is subscribed to.
// Brokers call it from their own goroutines (LocalBroker: the publisher's); it must
// not modify payload, which may be shared.
type Handler func(channel string, payload []byte)

// ErrBrokerClosed is returned by a Broker's methods after Close.
var ErrBrokerClosed = errors.New("hub: broker closed")
