package hub

import (
	"time"

	"github.com/livedesk/gateway/protocol"
)

// Close codes (docs/protocol.md#websocket-frames; protocol owns their values and
// meaning). A Client records the first code it is closed with (CloseCode) and passes
// it to its Transport and its OnClose callback.
const (
	CloseNormal       = protocol.CloseNormal
	CloseTooBig       = protocol.CloseTooBig
	CloseInternal     = protocol.CloseInternal
	CloseRestart      = protocol.CloseRestart
	CloseTryAgain     = protocol.CloseTryAgain
	CloseUnauthorized = protocol.CloseUnauthorized
	CloseLoggedOut    = protocol.CloseLoggedOut
	CloseSlowConsumer = protocol.CloseSlowConsumer
	CloseRateLimited  = protocol.CloseRateLimited
)

// Close reasons the hub itself uses; CloseReason reports them.
const (
	ReasonQueueFull    = "slow consumer: send queue full"
	ReasonWriteTimeout = "slow consumer: write timeout"
	ReasonWriteFailed  = "write failed"
)

// Close closes the client now with code and reason (a code of 0 means CloseNormal):
// pending frames are dropped, the transport is asked to close, Done is closed, then
// OnClose runs on the calling goroutine. A write already in progress is not waited
// for; closing the transport is what ends it. Only the first Close (or the close that
// a CloseAfter, a full queue or a failed write triggers) counts; later calls do
// nothing.
func (c *Client) Close(code int, reason string) {
	c.close(code, reason)
}

// CloseAfter asks the client to close once the frames queued so far (and the one in
// flight) are written: later Sends are refused, and when the queue drains the
// transport is closed with code and reason. The flush is bounded by WriteTimeout
// from this call: whatever is still pending then is dropped and the client is closed
// with code all the same. With nothing pending it closes at once. CloseAfter never
// blocks; it is how force_logout (4002) and drain (1012) close a socket.
func (c *Client) CloseAfter(code int, reason string) {
	c.mu.Lock()
	if c.closed || c.closing {
		c.mu.Unlock()
		return
	}
	if !c.writing { // nothing pending and nothing in flight
		c.mu.Unlock()
		c.close(code, reason)
		return
	}
	c.closing = true
	c.afterCode, c.afterReason = code, reason
	c.flushTimer = time.AfterFunc(c.writeTimeout, func() { c.close(code, reason) })
	c.mu.Unlock()
}

// close marks the client closed, drops its queue, closes the transport and Done, and
// calls OnClose; it does nothing if the client is already closed. It must be called
// without c.mu held.
func (c *Client) close(code int, reason string) {
	if code == 0 {
		code = CloseNormal
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	c.q.reset()
	ft := c.flushTimer
	c.flushTimer = nil
	c.code.Store(int32(code))
	c.reason.Store(&reason)
	c.mu.Unlock()

	if ft != nil {
		ft.Stop()
	}
	_ = c.t.Close(code, reason) // nothing useful to do with an error: the socket is done
	close(c.done)
	if c.onClose != nil {
		c.onClose(code)
	}
}
