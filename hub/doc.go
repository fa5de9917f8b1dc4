// Package hub is the gateway's transport layer: one Client per socket with a bounded
// send queue, a sharded Hub of named groups for fanout, and a RedisBroker that
// carries frames between the nodes of a cluster.
//
// The hub knows nothing about sites, agents or routing: higher layers name the groups
// ("site:ID", "agent:ID", ...), encode the frames and decide what to send. Frames are
// []byte and are shared, never copied: a broadcast queues the same slice for every
// member, so callers must not modify a frame once it has been handed over.
//
// Costs per socket are kept low on purpose (docs/performance.md#bars): a Client
// has no goroutine of its own while idle; a writer goroutine is started when a frame is
// queued and exits when the queue drains. A client that cannot keep up (full queue, or
// a write taking longer than its WriteTimeout) is closed with CloseSlowConsumer (4003)
// and never slows anyone else down. Status frames coalesce: only the latest pending
// one is kept.
//
// Locks: each Client has one mutex guarding its queue only; each Hub shard has a
// RWMutex guarding its part of the group map. No lock is ever held while writing to a
// socket or while calling back into user code (OnClose, Each, Handler).
package hub
