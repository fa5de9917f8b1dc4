package pgtest_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/livedesk/gateway/internal/pgtest"
)

func query(t *testing.T, url, sql string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return "", err
	}
	defer conn.Close(context.Background())
	var out string
	err = conn.QueryRow(ctx, sql).Scan(&out)
	return out, err
}

func TestStartKillRestartKeepsCommitted(t *testing.T) {
	t.Parallel()
	srv := pgtest.Start(t)
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "CREATE TABLE k (v text); INSERT INTO k VALUES ('kept')"); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	if addr, err := query(t, srv.URL(), "SELECT inet_server_addr()::text"); err != nil || addr != "127.0.0.1/32" {
		t.Fatalf("server address %q, %v; want loopback", addr, err)
	}

	srv.Kill()
	if _, err := query(t, srv.URL(), "SELECT 'x'"); err == nil {
		t.Fatal("a killed server answered")
	}
	srv.Kill() // harmless
	srv.Restart()
	got, err := query(t, srv.URL(), "SELECT v FROM k")
	if err != nil || got != "kept" {
		t.Fatalf("after kill and restart: %q, %v", got, err)
	}
	srv.Stop()
	srv.Stop() // harmless
}

func TestParallelServers(t *testing.T) {
	for range 2 {
		t.Run("", func(t *testing.T) {
			t.Parallel()
			srv := pgtest.Start(t)
			url := srv.CreateDatabase("other")
			if got, err := query(t, url, "SELECT current_database()::text"); err != nil || got != "other" {
				t.Fatalf("current_database %q, %v", got, err)
			}
		})
	}
}
