package hub

import (
	"testing"

	"github.com/livedesk/gateway/internal/testkit"
)

// guard is how long a test waits for something that should happen promptly before
// it fails; it is a failure bound, never a way to let time pass.
const guard = testkit.Guard

// waitClosed waits until c is closed or fails the test after guard.
func waitClosed(tb testing.TB, c *Client) {
	tb.Helper()
	testkit.Recv(tb, "client to close", c.Done())
}

// waitIdle waits until c has no writer goroutine, using the writer exit hook that
// newTestClient installs.
func waitIdle(tb testing.TB, c *Client, exits <-chan struct{}) {
	tb.Helper()
	for c.writerRunning() {
		testkit.Recv(tb, "writer to exit", exits)
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
