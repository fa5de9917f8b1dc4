package hub

import "errors"

// Handler receives the payloads published on the channels a RedisBroker is
// subscribed to. The broker calls it from its own worker goroutines; it must not
// modify payload, which may be shared.
type Handler func(channel string, payload []byte)

// ErrBrokerClosed is returned by a RedisBroker's methods after Close.
var ErrBrokerClosed = errors.New("hub: broker closed")
