package main

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/livedesk/gateway/internal/pgtest"
	"github.com/livedesk/gateway/store/bolt"
	"github.com/livedesk/gateway/store/copier/copiertest"
	"github.com/livedesk/gateway/store/postgres"
)

// TestMigrateData runs `gateway migrate-data` from an embedded store: killed
// (SIGKILL) in the middle of the messages, then run again, it finishes with every
// record once and the table of counts; the copy holds the source field for field.
// A bad --to or --from, an unreachable Redis and a store a gateway holds are
// refused and write nothing.
func TestMigrateData(t *testing.T) {
	srv := pgtest.Start(t)
	ctx := t.Context()
	dir := t.TempDir()
	src, err := bolt.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	seeded, err := copiertest.Seed(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	if err := copiertest.SeedMessages(ctx, src, seeded.Sites[1], 400, 10, 8); err != nil {
		t.Fatal(err)
	}
	_ = src.Close()

	migrate := func(args ...string) *exec.Cmd {
		return exec.Command(os.Args[0], append([]string{"migrate-data"}, args...)...)
	}
	untouched := srv.CreateDatabase("untouched")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--from", dir, "--to", "mysql://db/x"}, 2, "want a PostgreSQL URL"},
		{[]string{"--to", untouched}, 2, "--from is required"},
		{[]string{"--from", "ftp://x/y", "--to", untouched}, 1, "want redis://, rediss://, unix:// or bolt:DIR"},
		{[]string{"--from", "bolt:" + t.TempDir(), "--to", untouched}, 1, "no store at"},
		{[]string{"--from", "redis://127.0.0.1:1/0", "--to", untouched}, 1, "unavailable"},
	} {
		code, _, stderr := runToExit(t, migrate(c.args...), "")
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, stderr, c.code, c.want)
		}
	}
	if tables := countTables(t, untouched); tables != 0 {
		t.Fatalf("refused runs created %d tables", tables)
	}

	to := srv.CreateDatabase("copy")
	cmd := migrate("--from", "bolt:"+dir, "--to", to, "--batch", "10")
	cmd.Env = append(os.Environ(), "GATEWAY_TEST_MAIN=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return messagesRead(t, to) > 0 })
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
	if n := messagesRead(t, to); n >= 4009 {
		t.Fatalf("killed run had read all %d messages already", n)
	}
	code, stdout, stderr := runToExit(t, migrate("--from", dir, "--to", to), "")
	if code != 0 || !strings.Contains(stderr, "resuming the unfinished copy") || !strings.Contains(stdout, "every table verified") {
		t.Fatalf("rerun: exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	row := regexp.MustCompile(`messages\s+4009\s+\d+\s+4009\s+yes`)
	if !row.MatchString(stdout) {
		t.Fatalf("no verified messages row in\n%s", stdout)
	}
	dst, err := postgres.Open(ctx, to)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	src, err = bolt.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	copiertest.Equal(t, ctx, src, dst, seeded)
	_ = src.Close()

	// A gateway holds its embedded store: the copy is refused.
	p := startGateway(t, "--addr", "127.0.0.1:0", "--data-dir", dir)
	code, _, stderr = runToExit(t, migrate("--from", dir, "--to", srv.CreateDatabase("held")), "")
	if code != 1 || !strings.Contains(stderr, "in use by another process") {
		t.Fatalf("copy of a held store: exit %d, stderr %q", code, stderr)
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	p.wait(t)
}

// countTables counts the tables of the database's public schema.
func countTables(t *testing.T, url string) int {
	t.Helper()
	var n int
	query(t, url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", &n)
	return n
}

// messagesRead is how many messages the copy into url has committed (0 before).
func messagesRead(t *testing.T, url string) int64 {
	t.Helper()
	var exists bool
	if query(t, url, "SELECT to_regclass('data_import') IS NOT NULL", &exists); !exists {
		return 0
	}
	var n int64
	query(t, url, "SELECT coalesce((SELECT read FROM data_import WHERE tbl = 'messages'), 0)", &n)
	return n
}

func query(t *testing.T, url, sql string, dst any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if err := conn.QueryRow(ctx, sql).Scan(dst); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// waitFor polls cond until it holds (a minute at most).
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within a minute")
		}
	}
}
