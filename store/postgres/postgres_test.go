package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/livedesk/gateway/internal/pgtest"
	"github.com/livedesk/gateway/store"
	"github.com/livedesk/gateway/store/postgres"
	"github.com/livedesk/gateway/store/storetest"
)

// newStore returns a store on srv in a fresh schema, closed when t ends.
func newStore(t testing.TB, srv *pgtest.Server) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), srv.SchemaURL())
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
