// Package ws owns the two WebSocket endpoints of docs/protocol.md#websocket-frames:
// the visitor and agent sessions (hello, resume, frame dispatch, rate limits, pings),
// their send queues through hub, the notifier that turns the routing desk's
// decisions into frames, and the choice of desk: one in this process (singleNode,
// localDesk) or the cluster's (cluster.Node), behind deskNode. From gateway/api it
// takes the error table and the JSON views its frames share; it reaches the API's
// handler only through HTTP, and the rest of the node only through Options.
package ws
