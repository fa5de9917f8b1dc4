package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/livedesk/gateway/internal/pgtest"
	"github.com/livedesk/gateway/store"
	"github.com/livedesk/gateway/store/postgres"
	"github.com/livedesk/gateway/store/storetest"
)

// schemas hands out a distinct schema per store, so stores made one after the
// other on one server start empty.
var schemas atomic.Int64

// newStore returns a store on srv in a fresh schema, closed when t ends.
func newStore(t testing.TB, srv *pgtest.Server) *postgres.Store {
	t.Helper()
	ctx := context.Background()
	name := fmt.Sprintf("t%d", schemas.Add(1))
	conn, err := pgx.Connect(ctx, srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+name); err != nil {
		t.Fatal(err)
	}
	s, err := postgres.Open(ctx, srv.URL()+"&search_path="+name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestContract(t *testing.T) {
	srv := pgtest.Start(t)
	storetest.Run(t, func(t *testing.T) store.Store { return newStore(t, srv) })
}

// A database migrated by a newer build is refused with a message saying so.
func TestOpenRefusesNewerSchema(t *testing.T) {
	srv := pgtest.Start(t)
	ctx := t.Context()
	s, err := postgres.Open(ctx, srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	next := postgres.LatestVersion() + 1
	if _, err := s.Pool().Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, 'future.sql')", next); err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	_, err = postgres.Open(ctx, srv.URL())
	if !errors.Is(err, postgres.ErrSchemaNewer) || errors.Is(err, store.ErrUnavailable) ||
		!strings.Contains(err.Error(), "newer than this build knows") {
		t.Fatalf("Open of a newer schema: %v", err)
	}
}
