package hub

import (
	"context"
	"time"
)

// writer is the state the writer goroutine uses to bound each write. It is created
// on a client's first write and reused for every later one, so a steady stream of
// frames costs no allocation per write. Only the running writer touches it; the
// writers of one client never overlap (a new one starts only after the previous one
// cleared Client.writing under Client.mu), so it needs no lock.
type writer struct {
	ctx   writeCtx
	timer *time.Timer // cancels ctx when a write overruns; stopped between writes
}

// writeCtx is the context passed to Transport.Write: it reports the current frame's
// deadline and is cancelled (Err: context.DeadlineExceeded) when the timer fires.
// Once cancelled it stays so, which is fine: a timeout closes the client.
type writeCtx struct {
	context.Context // from context.WithCancelCause; its Done and Value are used as is
	deadline        time.Time
}

// Deadline returns the deadline of the write in progress.
func (w *writeCtx) Deadline() (time.Time, bool) { return w.deadline, true }

// Err returns context.DeadlineExceeded once a write has timed out, nil before.
func (w *writeCtx) Err() error {
	if w.Context.Err() != nil {
		return context.DeadlineExceeded
	}
	return nil
}

func (w *writer) init() {
	ctx, cancel := context.WithCancelCause(context.Background())
	w.ctx.Context = ctx
	w.timer = time.AfterFunc(time.Hour, func() { cancel(context.DeadlineExceeded) })
	w.timer.Stop()
}

// writeLoop is the writer goroutine: it writes pending frames one at a time, taking
// each under c.mu and writing it without the lock, and exits as soon as the queue is
// empty or the client is closed. On an empty queue after CloseAfter it closes the
// client. Enqueue starts it when it finds c.writing false.
func (c *Client) writeLoop() {
	c.drain()
	if c.onWriterExit != nil {
		c.onWriterExit()
	}
}

func (c *Client) drain() {
	for {
		c.mu.Lock()
		if c.closed {
			c.writing = false
			c.mu.Unlock()
			return
		}
		frame, ok := c.q.pop()
		if !ok {
			c.writing = false
			closing, code, reason := c.closing, c.afterCode, c.afterReason
			c.mu.Unlock()
			if closing {
				c.close(code, reason)
			}
			return
		}
		c.mu.Unlock()

		timedOut, err := c.write(frame)
		switch {
		case timedOut:
			// The peer is not reading, or the network is stuck: do not wait for it.
			c.close(CloseSlowConsumer, ReasonWriteTimeout)
		case err != nil:
			c.close(CloseInternal, ReasonWriteFailed) // no-op if closed meanwhile
		}
	}
}

// write writes one frame bounded by c.writeTimeout. timedOut reports that the timer
// fired, i.e. the write took at least writeTimeout, whatever Write returned.
func (c *Client) write(frame []byte) (timedOut bool, err error) {
	w := &c.w
	if w.timer == nil {
		w.init()
	}
	w.ctx.deadline = time.Now().Add(c.writeTimeout)
	w.timer.Reset(c.writeTimeout)
	err = c.t.Write(&w.ctx, frame)
	return !w.timer.Stop(), err
}
