package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The schema is a list of versioned SQL files, migrations/NNNN_name.sql, embedded in
// the binary and applied in order by Migrate.
//
// Why not goose or golang-migrate: what the gateway needs is a dozen lines on top of
// pgx (read the embedded files, take an advisory lock, run each missing file in its
// own transaction, record it), and both libraries bring their own database/sql
// driver layer (pgx's stdlib adapter), their own locking and their own table
// format, for features the gateway does not use (down migrations, Go migrations,
// out-of-binary sources). Writing it here keeps one driver, one connection pool and
// a refusal message of our own for a schema newer than the build.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLockKey is the pg_advisory_lock key under which nodes migrate, so nodes
// started together apply each migration once ("livedesk" in ASCII).
const migrationLockKey int64 = 0x6c69766564657368

// ErrSchemaNewer: the database's schema is newer than this build knows (a newer
// gateway migrated it); Open and Migrate refuse it and change nothing.
var ErrSchemaNewer = errors.New("the database's schema is newer than this build knows")

// Migration is one embedded schema version.
type Migration struct {
	Version int
	Name    string // the file name, as 0001_init.sql
	SQL     string
}

// Migrations returns the embedded migrations, oldest first.
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration file %q: want NNNN_name.sql", name)
		}
		data, err := migrationFiles.ReadFile(path.Join("migrations", name))
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: name, SQL: string(data)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i, m := range out {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %s: versions must run 1, 2, 3… without gaps", m.Name)
		}
	}
	return out, nil
}

// LatestVersion is the newest schema version this build knows.
func LatestVersion() int {
	ms, err := Migrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].Version
}

// Migrate brings the database's schema up to LatestVersion: under a session
// advisory lock (so that of several nodes started at once one migrates and the
// others wait, then find nothing to do), each migration not yet recorded in
// schema_migrations runs in a transaction of its own, together with its record.
// It returns the migrations it applied. A database whose schema is newer than the
// build knows is refused with an error saying so, and nothing is changed.
func Migrate(ctx context.Context, pool *pgxpool.Pool) ([]Migration, error) {
	ms, err := Migrations()
	if err != nil {
		return nil, fmt.Errorf("postgres: migrations: %w", err)
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: migrate: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrationLockKey); err != nil {
		return nil, fmt.Errorf("postgres: migrate: take the lock: %w", err)
	}
	defer func() {
		// A fresh context: the lock must go even when ctx has ended.
		_, _ = conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrationLockKey)
	}()
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer PRIMARY KEY,
		name       text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return nil, fmt.Errorf("postgres: migrate: create schema_migrations: %w", err)
	}
	var current int
	if err := conn.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&current); err != nil {
		return nil, fmt.Errorf("postgres: migrate: read schema version: %w", err)
	}
	if latest := len(ms); current > latest {
		return nil, fmt.Errorf("postgres: %w: it is version %d, this build knows up to %d: "+
			"run a gateway at least as new as the one that migrated it", ErrSchemaNewer, current, latest)
	}
	var applied []Migration
	for _, m := range ms[current:] {
		err := pgx.BeginFunc(ctx, conn.Conn(), func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.Version, m.Name)
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("postgres: migration %s: %w", m.Name, err)
		}
		applied = append(applied, m)
	}
	return applied, nil
}

// MigrateURL connects to the database at rawURL, brings its schema up to
// LatestVersion as Migrate does, and returns the migrations it applied and the
// version the schema is at afterwards (for `gateway migrate`). A server that cannot
// be reached is store.ErrUnavailable; a schema newer than the build is
// ErrSchemaNewer, and nothing is changed.
func MigrateURL(ctx context.Context, rawURL string) (applied []Migration, version int, err error) {
	s, err := connect(ctx, rawURL, "migrate", 2)
	if err != nil {
		return nil, 0, err
	}
	defer s.pool.Close()
	if applied, err = Migrate(ctx, s.pool); err != nil {
		return applied, 0, s.wrap(ctx, "migrate", err)
	}
	if err := s.pool.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&version); err != nil {
		return applied, 0, s.wrap(ctx, "migrate", err)
	}
	return applied, version, nil
}
