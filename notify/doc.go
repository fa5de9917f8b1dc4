// Package notify delivers what the gateway announces to the outside world
// (docs/protocol.md#notifications-outbox): offline messages, transcripts of ended conversations and
// presence alerts, by e-mail over SMTP and by signed webhooks.
//
// Every notification is written to the store's outbox in the same step as the thing
// it announces (see store.Notification); a Worker delivers it at least once,
// retrying with exponential backoff and jitter for 24 hours. In a cluster every node
// runs a Worker and a lease in Redis makes sure one node at a time works an item.
package notify
