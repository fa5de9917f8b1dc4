package hub

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

var errFakeClosed = errors.New("fake transport: closed")

// fakeTransport records what a Client writes. Writes can be blocked (until
// unblocked, the write context ends or the transport is closed) or made to fail.
type fakeTransport struct {
	// started, when set, receives each frame as its Write begins.
	started chan string
	// onWrite, when set, runs after each successful write.
	onWrite func(frame []byte)
	// delay, when set, is how long each write takes (a slow but live consumer).
	delay time.Duration

	mu          sync.Mutex
	gate        chan struct{} // non-nil: writes wait for it to close
	fail        error
	frames      []string
	events      []string // "FRAME" for each frame, "close CODE REASON" for closes
	closes      int
	afterClose  int // writes attempted after Close
	deadlines   []time.Time
	closedCh    chan struct{}
	closeCode   int
	closeReason string
}

func newFake() *fakeTransport {
	return &fakeTransport{closedCh: make(chan struct{})}
}

func (f *fakeTransport) Write(ctx context.Context, data []byte) error {
	f.mu.Lock()
	gate, fail := f.gate, f.fail
	closed := f.closes > 0
	if closed {
		f.afterClose++
	}
	if d, ok := ctx.Deadline(); ok {
		f.deadlines = append(f.deadlines, d)
	}
	f.mu.Unlock()
	if closed {
		return errFakeClosed
	}
	if f.started != nil {
		f.started <- string(data)
	}
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return ctx.Err()
		case <-f.closedCh:
			return errFakeClosed
		}
	}
	if f.delay > 0 {
		time.Sleep(f.delay) // simulates a slow peer; nothing waits on it
	}
	if fail != nil {
		return fail
	}
	f.mu.Lock()
	if f.closes > 0 {
		f.mu.Unlock()
		return errFakeClosed
	}
	f.frames = append(f.frames, string(data))
	f.events = append(f.events, string(data))
	f.mu.Unlock()
	if f.onWrite != nil {
		f.onWrite(data)
	}
	return nil
}

func (f *fakeTransport) Close(code int, reason string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closes++
	f.events = append(f.events, fmt.Sprintf("close %d %s", code, reason))
	if f.closes == 1 {
		f.closeCode, f.closeReason = code, reason
		close(f.closedCh)
	}
	return nil
}

// block makes later writes wait until unblock.
func (f *fakeTransport) block() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gate = make(chan struct{})
}

// unblock releases blocked writes and stops blocking.
func (f *fakeTransport) unblock() {
	f.mu.Lock()
	defer f.mu.Unlock()
	close(f.gate)
	f.gate = nil
}

func (f *fakeTransport) setFail(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = err
}

func (f *fakeTransport) snapshot() (frames, events []string, closes, afterClose int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.frames...), append([]string(nil), f.events...), f.closes, f.afterClose
}

// testClient is a Client on a fake transport with its hooks wired to channels.
type testClient struct {
	*Client
	fake    *fakeTransport
	exits   chan struct{} // one value per writer goroutine exit
	onClose chan int      // one value per OnClose call
}

// newTestClient makes a client on a fresh fake; the fake's started channel is set
// when track is true.
func newTestClient(o ClientOptions, track bool) *testClient {
	f := newFake()
	if track {
		f.started = make(chan string, 1024)
	}
	tc := &testClient{fake: f, exits: make(chan struct{}, 1<<16), onClose: make(chan int, 16)}
	o.OnClose = func(code int) { tc.onClose <- code }
	tc.Client = NewClient(f, o)
	tc.Client.onWriterExit = func() { tc.exits <- struct{}{} }
	return tc
}
