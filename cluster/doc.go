// Package cluster holds the state that gateway nodes share through Redis.
//
// # Presence
//
// Presence counts the agents' live sockets across the nodes, so every node can tell
// whether an agent is available (PROTOCOL.md §3: a live socket on some node, or the
// last one lost less than disconnect_grace ago). Each node has a Presence with its
// own node id; all share one Redis database and key prefix.
//
// Keys, after the prefix:
//
//	node:<id>      the node's "alive until", unix ms (string), PX 2×TTL
//	nodes          SET: ids of the nodes that have joined and not been reaped or left
//	socks:<agent>  HASH: node id -> that node's live sockets of the agent (> 0)
//	lost:<agent>   unix ms when the agent's live sockets last went to 0
//	socked         SET: every agent that has had a socket (what All walks)
//
// lost:<agent> and socked entries are never removed: one small key and one set
// member per agent that ever connected.
//
// Every change that touches several keys is one Lua script (presence_scripts.go),
// so nodes acting at once never leave inconsistent counts.
//
// # Time and deadness
//
// All instants come from the Presence's clock.Clock and are passed to the scripts as
// arguments; Redis TIME is never used, so tests drive everything with clock.Fake.
// For the same reason deadness does not rest on Redis key expiry (Redis wall time):
// a heartbeat stores now+TTL as the value of node:<id>, and a node is live exactly
// while that value is later than the caller's now. The key's own PX of 2×TTL is only
// garbage collection. A node whose alive-until has passed counts for nothing at
// once, in Agent, All and every total, whether or not it has been reaped; reaping
// only tidies its counts away and tells OnChange. The nodes' clocks must agree to
// well within TTL (NTP).
//
// # Heartbeat and reaping
//
// Start writes the node's liveness (and its counts, replacing what an earlier
// process with the same id left) and then beats every Heartbeat on the clock. A beat
// renews node:<id>, then reaps: each node in the nodes set whose alive-until has
// passed is removed from the set, its counts are removed from every agent, and each
// agent thereby left with no live socket and no lost key gets lostAt and an OnChange
// call on the reaping node. Reaping is atomic and removes the node from the set, so
// when several nodes reap the same dead node at once, exactly one does it and only
// that one is told which agents went to 0.
//
// lostAt for a dead node's agents is its alive-until (its last heartbeat + TTL), not
// the moment a reaper got to it: the same value Agent reports before the reaping,
// whichever node reaps, and the moment the agent's count went to 0 by the rules
// above.
//
// # Detection bound
//
// A node that dies (SIGKILL, lost network) after its last heartbeat at t:
//   - counts for nothing from t+TTL (Agent reports 0 with lostAt = t+TTL);
//   - is reaped, with OnChange on the reaper, by t+TTL+Heartbeat at the latest;
//   - its agents leave presence (grace over) at lostAt+disconnect_grace = t+TTL+grace,
//     and no later than t+TTL+Heartbeat+grace by any reckoning.
//
// With the defaults (Heartbeat 5 s, TTL 15 s) and disconnect_grace 15 s: the node is
// seen dead 15 s after its last beat, OnChange has fired at most 20 s after it, and
// its agents are out of presence 30 s after it (at most 35 s by the loosest bound).
// Since the node died after its last beat, that is within TTL + disconnect_grace of
// the death, as DESIGN.md promises.
//
// A beat that finds its own node already dead (it missed its heartbeats, say while
// Redis was unreachable) does not reap in that beat: nodes that come back from the
// same outage get one heartbeat to renew themselves before anyone judges them.
//
// # Outages and catching up
//
// AddSocket and RemoveSocket keep the node's own counts in memory as well, even
// when Redis fails (they then return store.ErrUnavailable). Heartbeat failures are
// logged and retried at the next beat; the node keeps its local state. When Redis
// may not match that state (a failed write, a node found dead, a Start), the next
// beat that gets through rewrites this node's counts of every agent (absolute
// values, so repeating it is harmless) and calls OnChange for the agents whose
// totals changed between 0 and >0. OnChange is level-triggered in spirit: after an
// outage an agent may be reported >0 with no 0 before it (nobody was there to
// observe the drop), so act on the value, not on the alternation.
//
// # Errors
//
// Failures to reach Redis (refused or broken connections, timeouts, a server that
// is loading or cannot write) are store.ErrUnavailable; a cancelled context gives
// an error that is context.Canceled.
//
// # Redis Cluster
//
// The scripts build key names from the prefix, which Redis Cluster allows only when
// every key is in one hash slot: use a hash-tag prefix such as "{ld}:".
package cluster

// Router (router.go) keeps what routing must agree on across nodes: each agent's
// open conversation count and last assignment, and each site's FIFO queue. Every
// decision (assign, queue behind the waiting, drain the head, claim a whole queue
// when the site goes offline) is one Lua script, so two nodes racing for an agent's
// last slot never push it past max_chats, and exactly one node acts on a timeout or
// a closing.
