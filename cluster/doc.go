// Package cluster owns a gateway server's part in a cluster of nodes over one
// Redis: the leader lease, the Node (its Redis subscriptions, the ordered
// publisher its frames and calls go out by, the control messages every node acts
// on), the leader that runs the routing desk while it holds the lease, the leader
// RPC, and each node's view of its sites' status.
//
// Imports go one way: the gateway wires a Node in (Deps, with the Host interface
// for what the node needs of the endpoints) and calls it through the deskapi.Desk
// it returns; this package never imports the gateway. The frames it relays are
// the gateway's bytes: it reads only the "status" frame (views.go).
//
// # Lease
//
// Lease elects one node of the cluster, the leader, which runs the routing desk
// (package routing): every decision that must be made once and in one order - a
// chat start against max_chats, the shared FIFO queue, a schedule boundary, a
// missed chat at closing - is made there. The other nodes reach it over Redis
// pub/sub (Node, and the leader RPC in rpc.go). The lease is a key holding the leader's
// node id with a PX expiry, taken with SET NX and renewed while it still holds that
// id, each step one Lua script; every acquisition increments an epoch, so frames
// and snapshots of a later leader order after those of an earlier one.
//
// A leader steps down on its own once it has not renewed for TTL - Renew, before
// Redis could expire the key and another node take it, so two leaders never act
// at once while their clocks run at the same rate. A killed leader is replaced
// within TTL + Renew; one that stops (SIGTERM) releases the key and announces it,
// and the others take over at once.
//
// Lease times are real time, never the injectable clock.Clock: they measure other
// processes, not the schedule.
//
// # Errors
//
// Failures to reach Redis are logged and retried at the next renewal; Holder
// returns them as store.ErrUnavailable.
//
// # Redis Cluster
//
// The scripts build key names from the prefix, which Redis Cluster allows only when
// every key is in one hash slot: use a hash-tag prefix such as "{ld}:".
package cluster
