// Package redisstore is the Redis implementation of store.Store, for a gateway that
// runs as several nodes sharing one Redis. Every key starts with a prefix (New's
// argument; DefaultPrefix for Open), so several stores can share a database.
//
// # Durability
//
// A write returns nil only after Redis has executed it, so it is as durable as
// Redis's persistence setting makes an executed write. For the store's promise
// (an acknowledged write survives a crash) Redis must run with
//
//	appendonly yes
//	appendfsync always
//
// With appendfsync everysec, a crash of the machine (not just of the process) may
// lose up to about one second of acknowledged writes; with appendonly no (RDB
// snapshots only) it may lose everything since the last snapshot. The store does not
// check the setting (CONFIG is often disabled on managed Redis); operations must. A
// replica does not add durability: replication is asynchronous.
//
// # Atomicity
//
// Every read-modify-write is atomic across all clients of the database:
//
//   - UpdateSite, UpdateAgent, UpdateConversation, UpdateNotification,
//     SetOfflineState, CreateAgent, DeleteAgent, DeleteSite and the department
//     writes are optimistic transactions: WATCH the record (and the e-mail index
//     entry, the owners set, or the site's departments when they matter), read,
//     run the caller's function, then MULTI/EXEC. When another client changed a watched key in between, EXEC fails
//     and the whole thing runs again (at most 100 times, with a short jittered
//     backoff; then store.ErrUnavailable), which is why update functions may run
//     more than once.
//   - CreateSite, CreateConversation (which appends the conversation's first
//     messages in the same script), AppendMessage, AppendLive (the same script,
//     which then also reads the conversation and checks who writes),
//     AddOfflineMessage, AddNotifications and VisitorNumber are Lua scripts (EVALSHA): one round
//     trip, no retries.
//     The notifications AddOfflineMessage and UpdateConversation are given are
//     written by the same script, or (UpdateConversation) by AddNotifications's
//     script sent with EVAL inside the MULTI, so they commit with the record.
//   - PutSettingIfAbsent is a MULTI/EXEC block of commands that are
//     atomic without WATCH.
//
// A conversation and its LastSeq are read in one pipeline, ListMessages,
// OutboxStats and CountOffline in one MULTI. Lists (ListSites, ListDepartments,
// ListAgents, ListConversations, ListOfflineMessages, ListOfflineByState, ListNotifications,
// DueNotifications) read an index, then the records: a record changed in between
// is seen as it is afterwards (ListConversations, ListOfflineByState and
// ListNotifications check it against the filter again, DueNotifications that it is
// still pending and due).
//
// # Errors
//
// Failures to reach Redis (refused or broken connections, timeouts, a closed client
// or store, a server that is loading its data, is read-only or cannot write its
// append-only file) are store.ErrUnavailable. A caller's cancelled context gives an
// error that is context.Canceled; a deadline that ends while Redis is being talked
// to gives one that is both store.ErrUnavailable and context.DeadlineExceeded. As
// with any remote store, a write that fails this way may still have been executed.
//
// # Retries
//
// go-redis retries a command whose connection broke or timed out (MaxRetries,
// default 3). A write that timed out may well have run (an fsync stall with
// appendfsync always is enough), and running it again is not harmless: a create
// would report store.ErrConflict for its own record, an AppendMessage without a
// ClientID would store the message twice. So Open turns those retries off unless
// the URL sets max_retries, and clients handed to New should have MaxRetries -1:
// the caller gets store.ErrUnavailable and retries with the same ids (the
// gateway's frames are idempotent by id). Optimistic transactions are still
// retried when a watched key changed: that is a conflict, not a failure.
//
// After an outage, go-redis probes a server it could not dial once a second, so
// calls succeed again within about a second of Redis's return.
//
// # Redis Cluster
//
// Transactions and scripts touch several keys, which Redis Cluster allows only
// within one hash slot. With a ClusterClient, use a prefix that is a hash tag, such
// as "{ld}:", so that every key lands in the same slot (and on one shard).
//
// # Layout
//
// Keys, after the prefix (id order is byte order; ids made by the store are UUIDv7,
// so that is also creation order):
//
//	site:<id>                            Site, JSON
//	sites                                ZSET, score 0: every site id
//	dept:<id>                            Department, JSON
//	dept_site:<site>                     ZSET, score 0: the site's department ids
//	agent:<id>                           Agent, JSON
//	agents                               ZSET, score 0: every agent id
//	agent_email:<lower-case e-mail>      id of the agent with that e-mail
//	owners                               SET: ids of the agents whose role is owner
//	conv:<id>                            Conversation, JSON (its last_seq is not kept
//	                                     there: it is the length of msgs:<id>)
//	convs                                ZSET, score 0: every conversation id
//	conv_site:<site>                     ZSET, score 0: the site's conversation ids
//	conv_site_state:<len(site)>:<site>:<state>
//	conv_state:<state>
//	conv_visitor:<visitor>
//	msgs:<conv>                          LIST: message seq n is element n-1, JSON
//	msg_cid:<conv>                       HASH: client id -> seq
//	offline:<site>                       ZSET, score 0: offline message ids
//	offline_rec:<site>                   HASH: offline message id -> OfflineMessage, JSON
//	offline_cid:<site>                   HASH: <len(visitor)>:<visitor>:<client id> -> id
//	offline_state:<len(site)>:<site>:<state>
//	                                     ZSET, score 0: the ids of the site's read
//	                                     (or done) offline messages; new ones are
//	                                     in neither
//	setting:<key>                        the setting's value
//	notif:<id>                           Notification, JSON
//	notifs                               ZSET, score 0: every notification id
//	notif_site:<site>                    ZSET, score 0: the site's notification ids
//	notif_site_state:<len(site)>:<site>:<state>
//	notif_state:<state>
//	notif_due                            ZSET of the pending ones: score NextAttemptAt
//	                                     in Unix ms, member <ns within the ms, 6
//	                                     digits>:<id> (so the order is exact)
//	notif_pending                        ZSET of the pending ones, likewise by CreatedAt
//	visitor_numbers:<site>               HASH: visitor id -> number; field "" holds
//	                                     the last number given
//	visitor_erased:<site>                HASH: visitor id -> "" for every erased
//	                                     visitor (visitor_data.go)
package redisstore
