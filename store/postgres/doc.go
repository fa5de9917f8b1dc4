// Package postgres is the PostgreSQL implementation of store.Store, on pgx's
// connection pool (pgxpool), for a cluster whose durable data must outgrow memory.
//
// Every record is kept whole as JSON in a data column, so what goes in and what
// comes out are fresh copies exactly as in the other stores; the columns beside it
// are the keys that queries select and order by (schema: migrations/*.sql, applied
// by Open through Migrate). Ids compare byte-wise (COLLATE "C"), so "newest first"
// and paging by id follow the time order of UUIDv7 ids as in bolt and Redis.
//
// Durability: every write is one transaction that commits before the method
// returns; with the server's default synchronous_commit=on, a write that returned
// nil is in the server's write-ahead log on disk.
//
// Concurrency, across any number of nodes: a write locks the rows it reads and
// changes (SELECT … FOR UPDATE), so update functions run once per call, inside
// the transaction, on the row as it is. Message sequence numbers come from the
// conversation row's last_seq, moved in the same transaction as the insert while
// the row is locked: no gaps, no duplicates. Resends are found by their client id
// (a unique key per conversation, and per site and visitor for offline messages).
// The rules no single row can hold (the last owner, a site's department names,
// agents' e-mails) are kept by unique indexes and by a transaction-scoped advisory
// lock (agents.go).
//
// Errors: a failure to reach the server, a server shutting down or starting, a
// closed store, or a passed deadline is store.ErrUnavailable; a cancelled context
// gives an error that is context.Canceled; unique-key violations are
// store.ErrConflict.
package postgres
