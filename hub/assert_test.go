package hub

import (
	"reflect"
	"testing"
	"time"
)

// Small in-house assert helpers, in the style of coder/websocket's.

func assertEqual[T any](tb testing.TB, name string, got, want T) {
	tb.Helper()
	if !reflect.DeepEqual(got, want) {
		tb.Fatalf("%s: got %v, want %v", name, got, want)
	}
}

func assertNoError(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatalf("unexpected error: %v", err)
	}
}

// guard is how long a test waits for something that should happen promptly before
// it fails; it is a failure bound, never a way to let time pass.
const guard = 10 * time.Second

// recv receives from ch or fails the test after guard.
func recv[T any](tb testing.TB, what string, ch <-chan T) T {
	tb.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(guard):
		tb.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// waitClosed waits until c is closed or fails the test after guard.
func waitClosed(tb testing.TB, c *Client) {
	tb.Helper()
	recv(tb, "client to close", c.Done())
}

// waitIdle waits until c has no writer goroutine, using the writer exit hook that
// newTestClient installs.
func waitIdle(tb testing.TB, c *Client, exits <-chan struct{}) {
	tb.Helper()
	for c.writerRunning() {
		recv(tb, "writer to exit", exits)
	}
}

// writerRunning reports whether a writer goroutine runs for c.
func (c *Client) writerRunning() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.writing
}

// pending returns the number of queued frames.
func (c *Client) pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.q.len()
}
