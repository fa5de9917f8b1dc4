// Package redistest starts real redis-server processes for tests: one per Start, on
// a free loopback port, with its own temporary directory and an append-only file
// synced on every write (appendfsync always), so a test sees the durability the
// gateway is configured for in production.
//
// When redis-server is not on PATH, Start skips the test, except in CI (the CI
// environment variable is set), where a missing server fails it: a test never
// silently skips there.
//
// Start, Stop and Restart call t.Fatal on failure, so call them from the test's own
// goroutine. A Server is stopped (SIGKILL, then waited for) when its test ends.
package redistest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// readyTimeout bounds how long a start waits for the server to answer PING.
const readyTimeout = 10 * time.Second

// errPortTaken: the server could not bind its port (another process has it).
var errPortTaken = errors.New("port taken")

// Server is one redis-server process owned by a test.
type Server struct {
	tb   testing.TB
	bin  string
	dir  string
	port int

	mu     sync.Mutex
	proc   *process // nil while stopped
	client *redis.Client
}

// process is one run of redis-server.
type process struct {
	cmd  *exec.Cmd
	out  *lockedBuffer
	done chan struct{} // closed once the process has exited and out is complete
}

// Start starts a redis-server for tb and arranges for it to stop when tb ends.
func Start(tb testing.TB) *Server {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatal("redis-server missing: CI must have it")
		}
		tb.Skip("redis-server not installed (not CI)")
	}
	s := &Server{tb: tb, bin: bin, dir: tb.TempDir()}
	tb.Cleanup(s.cleanup) // runs before the temp dir is removed
	const attempts = 10
	for i := 1; ; i++ {
		port, err := freePort()
		if err != nil {
			tb.Fatalf("redistest: find a free port: %v", err)
		}
		err = s.startOn(port)
		if err == nil {
			return s
		}
		if !errors.Is(err, errPortTaken) || i == attempts {
			tb.Fatalf("redistest: start redis-server: %v", err)
		}
	}
}

// Addr returns the server's host:port.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// URL returns the server's URL for database 0: redis://127.0.0.1:PORT/0.
func (s *Server) URL() string { return "redis://" + s.Addr() + "/0" }

// Dir returns the server's data directory (where its append-only file lives).
func (s *Server) Dir() string { return s.dir }

// Client returns a client of the server, made on first use and closed when the test
// ends. It has short timeouts (1 s) and dials once per attempt, so calls fail fast
// while the server is stopped; it keeps working across Stop and Restart.
func (s *Server) Client() *redis.Client {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client == nil {
		s.client = redis.NewClient(&redis.Options{
			Addr:                  s.Addr(),
			DialTimeout:           time.Second,
			DialerRetries:         1,
			ReadTimeout:           time.Second,
			WriteTimeout:          time.Second,
			ContextTimeoutEnabled: true,
		})
	}
	return s.client
}

// Stop kills the server with SIGKILL (a crash: nothing is flushed beyond what the
// append-only file already holds) and waits for it to exit. Stopping a stopped
// server does nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	p := s.proc
	s.proc = nil
	s.mu.Unlock()
	if p == nil {
		return
	}
	_ = p.cmd.Process.Kill()
	<-p.done
}

// Restart starts the server again on the same port and directory, so what its
// append-only file holds comes back. A running server is stopped first.
func (s *Server) Restart() {
	s.tb.Helper()
	s.Stop()
	deadline := time.Now().Add(readyTimeout)
	for {
		err := s.startOn(s.port)
		if err == nil {
			return
		}
		if !errors.Is(err, errPortTaken) || time.Now().After(deadline) {
			s.tb.Fatalf("redistest: restart redis-server: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *Server) cleanup() {
	s.mu.Lock()
	c := s.client
	s.client = nil
	s.mu.Unlock()
	if c != nil {
		_ = c.Close()
	}
	s.Stop()
}

// startOn runs redis-server on port and waits until it answers. It returns
// errPortTaken (wrapped) when the server could not bind the port.
func (s *Server) startOn(port int) error {
	cmd := exec.Command(s.bin,
		"--port", strconv.Itoa(port),
		"--bind", "127.0.0.1",
		"--dir", s.dir,
		"--save", "",
		"--appendonly", "yes",
		"--appendfsync", "always",
		"--protected-mode", "no",
		"--daemonize", "no",
		"--logfile", "",
	)
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = procAttr()
	p := &process{cmd: cmd, out: out, done: make(chan struct{})}
	// The kernel sends Pdeathsig when the thread that started the process exits,
	// and Go may end threads: start and wait from one goroutine locked to its
	// thread, so that thread outlives the server.
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		defer close(p.done)
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		_ = cmd.Wait()
	}()
	if err := <-started; err != nil {
		return err
	}
	if err := waitReady(p, port); err != nil {
		_ = cmd.Process.Kill()
		<-p.done
		log := out.String()
		if strings.Contains(log, "Address already in use") {
			return fmt.Errorf("port %d: %w", port, errPortTaken)
		}
		return fmt.Errorf("port %d: %w; server output:\n%s", port, err, log)
	}
	s.mu.Lock()
	s.port, s.proc = port, p
	s.mu.Unlock()
	return nil
}

// waitReady waits until the server of p answers PING on port. It checks the process
// id the server reports, so another server that holds the port is not taken for it.
func waitReady(p *process, port int) error {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	c := redis.NewClient(&redis.Options{
		Addr:          addr,
		DialTimeout:   500 * time.Millisecond,
		DialerRetries: 1,
		ReadTimeout:   500 * time.Millisecond,
		WriteTimeout:  500 * time.Millisecond,
		MaxRetries:    -1,
		PoolSize:      1,
	})
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	want := "process_id:" + strconv.Itoa(p.cmd.Process.Pid)
	for {
		select {
		case <-p.done:
			return errors.New("redis-server exited")
		default:
		}
		// Dial by hand first: a client whose dials fail backs off for a second.
		if listening(addr) && c.Ping(ctx).Err() == nil {
			info, err := c.Info(ctx, "server").Result()
			if err == nil && strings.Contains(info, want+"\r\n") {
				return nil
			}
		}
		select {
		case <-p.done:
			return errors.New("redis-server exited")
		case <-ctx.Done():
			return fmt.Errorf("no answer to PING within %v", readyTimeout)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// listening reports whether something accepts connections on addr.
func listening(addr string) bool {
	conn, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err != nil {
		return false
	}
	_ = conn.Close()
	return true
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

// lockedBuffer collects the server's output.
type lockedBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	const max = 1 << 20 // keep the first MiB: startup and failures are what matter
	if room := max - len(b.buf); room > 0 {
		b.buf = append(b.buf, p[:min(len(p), room)]...)
	}
	return len(p), nil
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
