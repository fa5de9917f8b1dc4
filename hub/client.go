package hub

import (
	"sync"
	"sync/atomic"
	"time"
)

// Defaults applied by NewClient to zero ClientOptions fields.
const (
	DefaultQueueLimit   = 256
	DefaultWriteTimeout = 10 * time.Second
)

// ClientOptions tune a Client. Zero fields take the defaults.
type ClientOptions struct {
	// QueueLimit is the most frames that may wait to be written (the one being
	// written does not count). Default DefaultQueueLimit.
	QueueLimit int
	// WriteTimeout bounds each frame's write, and the flush of CloseAfter. A write
	// that takes longer closes the client with CloseSlowConsumer. Default
	// DefaultWriteTimeout.
	WriteTimeout time.Duration
	// OnClose, when set, is called exactly once, after the client is closed, on the
	// goroutine that closed it: a caller of Close, a Send that found the queue full,
	// the writer, or a CloseAfter timer. It must not block; it may call Hub.Leave
	// (no hub lock is held while a client is closed) but must not hold locks that a
	// Send caller might hold.
	OnClose func(code int)
}

// Client is one connected socket with a bounded send queue. All its methods are safe
// for concurrent use and none of them blocks on the socket.
//
// A Client owns no goroutine while idle: Send starts a writer goroutine when frames
// are pending and none runs, and the writer exits once the queue is empty.
type Client struct {
	t            Transport
	limit        int
	writeTimeout time.Duration
	onClose      func(int)

	// mu guards q through flushTimer, and held and heldFrames (and orders the close code's store). It is held
	// only to change the queue and the state flags, never while writing to the
	// transport or calling OnClose. Lock order: a hub shard's mu, then Client.mu.
	mu          sync.Mutex
	q           queue
	writing     bool // a writer goroutine runs; true whenever q is not empty
	closing     bool // CloseAfter was called: no more frames are accepted
	closed      bool // closed: nothing more is written
	afterCode   int  // code and reason for CloseAfter, valid when closing
	afterReason string
	flushTimer  *time.Timer // bounds the CloseAfter flush; nil when not needed

	done   chan struct{} // closed once closed is set and the transport closed
	code   atomic.Int32  // close code, 0 while open
	reason atomic.Pointer[string]

	w       writer // state of the writer goroutine; touched by the running writer only
	writeFn func() // c.writeLoop, bound once: "go c.writeLoop()" would allocate per start

	held       bool        // Hold: frames go to heldFrames until Release
	heldFrames []heldFrame // kept while held, in arrival order

	groups atomic.Int32 // hub groups the client is in (Hub.Total)
	value  atomic.Pointer[any]

	// onWriterExit, when set (tests only, before first use), runs as a writer exits.
	onWriterExit func()
}

// NewClient returns an open Client that writes to t.
func NewClient(t Transport, o ClientOptions) *Client {
	if o.QueueLimit <= 0 {
		o.QueueLimit = DefaultQueueLimit
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = DefaultWriteTimeout
	}
	c := &Client{
		t:            t,
		limit:        o.QueueLimit,
		writeTimeout: o.WriteTimeout,
		onClose:      o.OnClose,
		done:         make(chan struct{}),
	}
	c.writeFn = c.writeLoop
	return c
}

// Send queues frame to be written after the frames already queued. It never blocks
// and never copies frame, which must not be modified afterwards. It returns false,
// queueing nothing, when the client is closed or closing; and when the queue already
// holds QueueLimit frames, in which case it first closes the client with
// CloseSlowConsumer.
func (c *Client) Send(frame []byte) bool {
	return c.enqueue(frame, 0, false)
}

// SendStatus queues a coalescing frame (a site status, presence and the like): if a
// status frame queued earlier is still pending (not yet taken by the writer), frame
// replaces it and takes its place in the queue, so only the latest status is ever
// written and it is not delayed behind frames queued after the one it replaces.
// Otherwise it is queued like Send, with the same results.
func (c *Client) SendStatus(frame []byte) bool {
	return c.enqueue(frame, 0, true)
}

// enqueue queues frame, or keeps it with seq while the client is held, in one
// critical section.
func (c *Client) enqueue(frame []byte, seq uint64, status bool) bool {
	c.mu.Lock()
	if c.held {
		ok := c.holdLocked(heldFrame{frame, seq, status})
		c.mu.Unlock()
		if !ok {
			c.close(CloseSlowConsumer, ReasonQueueFull)
		}
		return ok
	}
	ok, full, start := c.pushLocked(frame, status)
	c.mu.Unlock()
	c.afterPush(full, start)
	return ok
}

// pushLocked queues frame and reports whether it was queued, whether the queue was
// full (the caller must then close the client) and whether a writer must be started.
// c.mu must be held.
func (c *Client) pushLocked(frame []byte, status bool) (ok, full, start bool) {
	if c.closed || c.closing {
		return false, false, false
	}
	if status {
		ok = c.q.pushStatus(frame, c.limit)
	} else {
		ok = c.q.push(frame, c.limit)
	}
	if !ok {
		return false, true, false
	}
	start = !c.writing
	c.writing = true
	return true, false, start
}

// afterPush closes the client after an overflow or starts its writer; c.mu must not
// be held.
func (c *Client) afterPush(full, start bool) {
	if full {
		c.close(CloseSlowConsumer, ReasonQueueFull)
	}
	if start {
		go c.writeFn()
	}
}

// Done returns a channel that is closed once the client is closed and its transport
// has been asked to close.
func (c *Client) Done() <-chan struct{} { return c.done }

// CloseCode returns the code the client was closed with, 0 while it is open (a client
// that was only asked to CloseAfter is still open).
func (c *Client) CloseCode() int { return int(c.code.Load()) }

// CloseReason returns the reason the client was closed with ("" while open): the
// caller's reason, or one of the Reason constants when the hub closed it.
func (c *Client) CloseReason() string {
	if p := c.reason.Load(); p != nil {
		return *p
	}
	return ""
}

// Value returns what SetValue last stored (nil if nothing). Higher layers use it to
// attach their session to the client.
func (c *Client) Value() any {
	if p := c.value.Load(); p != nil {
		return *p
	}
	return nil
}

// SetValue stores v for Value; safe for concurrent use.
func (c *Client) SetValue(v any) { c.value.Store(&v) }
