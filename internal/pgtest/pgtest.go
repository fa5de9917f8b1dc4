// Package pgtest starts real PostgreSQL servers for tests: one per Start, made with
// initdb in the test's temporary directory and run with pg_ctl on a free loopback
// port (127.0.0.1 only; the unix socket and the server log live in the same
// temporary directory), with one database created for the test. Nothing is mocked.
//
// When initdb, pg_ctl or postgres is missing, Start skips the test, except in CI (the
// CI environment variable is set, as CI=true), where a missing server fails it: a test never
// silently skips there.
//
// PostgreSQL refuses to run as root; when the test runs as root, the binaries run
// as the "postgres" user (else "nobody") and the data directory is handed to it.
//
// Start, Stop, Kill and Restart call t.Fatal on failure, so call them from the
// test's own goroutine. A Server is stopped (pg_ctl stop -m fast) when its test ends.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Database is the name of the database Start creates for the test.
const Database = "test"

// superuser is the role initdb makes; it logs in without a password (trust).
const superuser = "postgres"

// readyTimeout bounds how long a start waits for the server to accept connections.
const readyTimeout = 30 * time.Second

// Server is one PostgreSQL server owned by a test.
type Server struct {
	tb      testing.TB
	bin     binaries
	run     *runAs // nil: run the binaries as the current user
	dataDir string
	sockDir string
	logFile string
	port    int

	mu      sync.Mutex
	running bool
}

// binaries are the paths of the PostgreSQL programs a Server runs.
type binaries struct{ initdb, pgCtl, postgres string }

// Start initialises a data directory, starts a server on a free loopback port,
// creates Database and arranges for the server to stop when tb ends.
func Start(tb testing.TB) *Server {
	tb.Helper()
	bin, err := lookBinaries()
	if err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("pgtest: %v: CI must have PostgreSQL", err)
		}
		tb.Skipf("pgtest: %v (not CI)", err)
	}
	run, err := currentRunAs()
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	root := tb.TempDir()
	s := &Server{
		tb:      tb,
		bin:     bin,
		run:     run,
		dataDir: filepath.Join(root, "data"),
		sockDir: filepath.Join(root, "sock"),
		logFile: filepath.Join(root, "sock", "postgres.log"),
	}
	if err := s.prepare(root); err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	tb.Cleanup(s.cleanup) // runs before the temp dir is removed
	const attempts = 10
	for i := 1; ; i++ {
		port, err := freePort()
		if err != nil {
			tb.Fatalf("pgtest: find a free port: %v", err)
		}
		s.port = port
		err = s.start()
		if err == nil {
			break
		}
		if i == attempts {
			tb.Fatalf("pgtest: start postgres: %v", err)
		}
	}
	if err := s.exec(context.Background(), "postgres", "CREATE DATABASE "+Database); err != nil {
		tb.Fatalf("pgtest: create database: %v", err)
	}
	return s
}

// Port returns the server's loopback port.
func (s *Server) Port() int { return s.port }

// DataDir returns the server's data directory.
func (s *Server) DataDir() string { return s.dataDir }

// URL returns the URL of Database: postgres://postgres@127.0.0.1:PORT/test.
func (s *Server) URL() string { return s.DatabaseURL(Database) }

// DatabaseURL returns the URL of the named database of the server.
func (s *Server) DatabaseURL(name string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.User(superuser),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)),
		Path:     "/" + name,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// CreateDatabase creates another database on the server and returns its URL.
func (s *Server) CreateDatabase(name string) string {
	s.tb.Helper()
	if err := s.exec(context.Background(), "postgres", "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		s.tb.Fatalf("pgtest: create database %s: %v", name, err)
	}
	return s.DatabaseURL(name)
}

// SchemaURL creates a new, empty schema in Database and returns the URL that
// makes it the connections' search_path, so that tests sharing one server each
// start on an empty store. Call it from the test's own goroutine.
func (s *Server) SchemaURL() string {
	s.tb.Helper()
	name := fmt.Sprintf("s%d", schemas.Add(1))
	if err := s.exec(context.Background(), Database, "CREATE SCHEMA "+name); err != nil {
		s.tb.Fatalf("pgtest: create schema %s: %v", name, err)
	}
	return s.URL() + "&search_path=" + name
}

// schemas numbers the schemas SchemaURL makes (unique within the process).
var schemas atomic.Int64

// Stop stops the server as an operator would (pg_ctl stop -m fast) and waits.
// Stopping a stopped server does nothing.
func (s *Server) Stop() {
	s.tb.Helper()
	if err := s.stop("fast"); err != nil {
		s.tb.Fatalf("pgtest: stop: %v", err)
	}
}

// Kill stops the server without a clean shutdown (pg_ctl stop -m immediate: a
// crash; the next start replays the write-ahead log). Killing a stopped server
// does nothing.
func (s *Server) Kill() {
	s.tb.Helper()
	if err := s.stop("immediate"); err != nil {
		s.tb.Fatalf("pgtest: kill: %v", err)
	}
}

// Restart kills a running server (as Kill does) and starts it again on the same
// port and data directory, so what it had committed comes back.
func (s *Server) Restart() {
	s.tb.Helper()
	s.Kill()
	deadline := time.Now().Add(readyTimeout)
	for {
		err := s.start()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			s.tb.Fatalf("pgtest: restart: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (s *Server) cleanup() {
	if err := s.stop("fast"); err != nil {
		s.tb.Errorf("pgtest: stop at cleanup: %v", err)
	}
}

// prepare makes the directories and the data directory (initdb).
func (s *Server) prepare(root string) error {
	for _, d := range []string{s.dataDir, s.sockDir} {
		if err := os.Mkdir(d, 0o700); err != nil {
			return err
		}
	}
	if s.run != nil {
		if err := s.run.handOver(root, s.dataDir, s.sockDir); err != nil {
			return err
		}
	}
	out, err := s.command(s.bin.initdb,
		"-D", s.dataDir, "-U", superuser, "--auth=trust",
		"--encoding=UTF8", "--locale=C", "--no-sync",
	).CombinedOutput()
	if err != nil {
		return fmt.Errorf("initdb: %w:\n%s", err, out)
	}
	return nil
}

// start runs pg_ctl start and waits until the server accepts connections.
func (s *Server) start() error {
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=200", s.port, s.sockDir)
	cmd := s.command(s.bin.pgCtl, "start", "-D", s.dataDir, "-l", s.logFile, "-w",
		"-t", strconv.Itoa(int(readyTimeout/time.Second)), "-o", opts)
	if out, err := cmd.CombinedOutput(); err != nil {
		log, _ := os.ReadFile(s.logFile)
		return fmt.Errorf("pg_ctl start on port %d: %w:\n%s\nserver log:\n%s", s.port, err, out, tail(log))
	}
	s.mu.Lock()
	s.running = true
	s.mu.Unlock()
	return nil
}

// stop runs pg_ctl stop with mode (fast or immediate) when the server runs.
func (s *Server) stop(mode string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.running {
		return nil
	}
	out, err := s.command(s.bin.pgCtl, "stop", "-D", s.dataDir, "-m", mode, "-w").CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctl stop -m %s: %w:\n%s", mode, err, out)
	}
	s.running = false
	return nil
}

// exec runs one statement as the superuser on the named database.
func (s *Server) exec(ctx context.Context, db, sql string) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.DatabaseURL(db))
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}

// command returns a command of a PostgreSQL binary, run as s.run when set.
func (s *Server) command(bin string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C", "PGTZ=UTC")
	if s.run != nil {
		cmd.SysProcAttr = s.run.procAttr()
		cmd.Dir = s.sockDir
	}
	return cmd
}

// lookBinaries finds initdb, pg_ctl and postgres on PATH, in /usr/local/bin, or in
// Debian's /usr/lib/postgresql/VERSION/bin (the postgresql package puts them there,
// off PATH; the newest version wins).
func lookBinaries() (binaries, error) {
	var b binaries
	dirs := []string{"/usr/local/bin"}
	if debian, _ := filepath.Glob("/usr/lib/postgresql/*/bin"); len(debian) > 0 {
		sort.Sort(sort.Reverse(sort.StringSlice(debian)))
		dirs = append(dirs, debian...)
	}
	for _, p := range []struct {
		name string
		dst  *string
	}{{"initdb", &b.initdb}, {"pg_ctl", &b.pgCtl}, {"postgres", &b.postgres}} {
		path, err := exec.LookPath(p.name)
		for _, dir := range dirs {
			if err == nil {
				break
			}
			alt := filepath.Join(dir, p.name)
			if _, serr := os.Stat(alt); serr == nil {
				path, err = alt, nil
			}
		}
		if err != nil {
			return binaries{}, fmt.Errorf("%s not installed", p.name)
		}
		*p.dst = path
	}
	return b, nil
}

// freePort returns a loopback port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// tail returns the last few KiB of a log, where a failure is told.
func tail(b []byte) string {
	const keep = 4 << 10
	if len(b) > keep {
		b = b[len(b)-keep:]
	}
	return string(b)
}

// errNoUser: running as root with neither a postgres nor a nobody user.
var errNoUser = errors.New("running as root and no postgres or nobody user to run PostgreSQL as")
