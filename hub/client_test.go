package hub

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/livedesk/gateway/internal/testkit"
)

func TestSendOrderAndWriterExit(t *testing.T) {
	const n = 1000
	tc := newTestClient(ClientOptions{QueueLimit: n}, false)
	all := make(chan struct{})
	again := make(chan struct{})
	var written atomic.Int32
	tc.fake.onWrite = func(f []byte) {
		switch {
		case string(f) == "again":
			close(again)
		case written.Add(1) == n:
			close(all)
		}
	}
	want := make([]string, n)
	for i := range want {
		want[i] = fmt.Sprintf("m%d", i)
		if !tc.Send([]byte(want[i])) {
			t.Fatalf("Send %d refused", i)
		}
	}
	testkit.Recv(t, "all frames written", all)
	waitIdle(t, tc.Client, tc.exits)
	frames, _, closes, _ := tc.fake.snapshot()
	testkit.Equal(t, "frames", frames, want)
	testkit.Equal(t, "transport closes", closes, 0)
	testkit.Equal(t, "close code", tc.CloseCode(), 0)

	// A later frame starts a new writer, which exits again.
	testkit.Equal(t, "send after idle", tc.Send([]byte("again")), true)
	testkit.Recv(t, "write of the later frame", again)
	waitIdle(t, tc.Client, tc.exits)
}

// TestNoGoroutinePerIdleClient checks with the runtime's own count that writer
// goroutines are gone once every queue has drained.
func TestNoGoroutinePerIdleClient(t *testing.T) {
	const clients, frames = 500, 3
	base := runtime.NumGoroutine()
	var wg sync.WaitGroup
	wg.Add(clients * frames)
	cs := make([]*Client, clients)
	for i := range cs {
		f := newFake()
		f.onWrite = func([]byte) { wg.Done() }
		cs[i] = NewClient(f, ClientOptions{})
	}
	for k := 0; k < frames; k++ {
		for _, c := range cs {
			c.Send([]byte("x"))
		}
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	testkit.Recv(t, "every frame written", done)

	// Writers clear their flag just before they return: wait for both the flags and
	// the runtime's count (other tests' goroutines may also come and go meanwhile).
	deadline := time.Now().Add(guard)
	for {
		running := 0
		for _, c := range cs {
			if c.writerRunning() {
				running++
			}
		}
		g := runtime.NumGoroutine()
		if running == 0 && g <= base {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d writers running, %d goroutines (%d before): want none once idle", running, g, base)
		}
		runtime.Gosched()
	}
}

func TestQueueFullClosesSlowConsumer(t *testing.T) {
	tc := newTestClient(ClientOptions{QueueLimit: 4}, true)
	tc.fake.block()
	testkit.Equal(t, "send p", tc.Send([]byte("p")), true)
	testkit.Recv(t, "write of p", tc.fake.started) // p is in flight: the queue is empty again
	for i := 0; i < 4; i++ {
		testkit.Equal(t, fmt.Sprintf("send %d", i), tc.Send([]byte("q")), true)
	}
	testkit.Equal(t, "code while open", tc.CloseCode(), 0)
	testkit.Equal(t, "send over the limit", tc.Send([]byte("over")), false)
	testkit.Equal(t, "close code", tc.CloseCode(), CloseSlowConsumer)
	testkit.Equal(t, "close reason", tc.CloseReason(), ReasonQueueFull)
	testkit.Equal(t, "OnClose code", testkit.Recv(t, "OnClose", tc.onClose), CloseSlowConsumer)
	waitClosed(t, tc.Client)

	testkit.Equal(t, "send after close", tc.Send([]byte("late")), false)
	testkit.Equal(t, "status after close", tc.SendStatus([]byte("late")), false)
	tc.Close(CloseNormal, "again")
	tc.CloseAfter(CloseRestart, "again")
	waitIdle(t, tc.Client, tc.exits) // the blocked write ended with the transport
	select {
	case code := <-tc.onClose:
		t.Fatalf("OnClose called twice (second code %d)", code)
	default:
	}
	frames, _, closes, after := tc.fake.snapshot()
	testkit.Equal(t, "frames written", len(frames), 0)
	testkit.Equal(t, "transport closes", closes, 1)
	testkit.Equal(t, "writes after close", after, 0)
	testkit.Equal(t, "transport code", tc.fake.closeCode, CloseSlowConsumer)
}

func TestWriteTimeoutClosesSlowConsumer(t *testing.T) {
	tc := newTestClient(ClientOptions{WriteTimeout: 50 * time.Millisecond}, true)
	tc.fake.block() // the peer stopped reading: the write waits for its context
	start := time.Now()
	tc.Send([]byte("stuck"))
	waitClosed(t, tc.Client)
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Fatalf("closed after %v, before the write timeout", d)
	}
	testkit.Equal(t, "close code", tc.CloseCode(), CloseSlowConsumer)
	testkit.Equal(t, "close reason", tc.CloseReason(), ReasonWriteTimeout)
	testkit.Equal(t, "OnClose code", testkit.Recv(t, "OnClose", tc.onClose), CloseSlowConsumer)
	tc.fake.mu.Lock()
	deadlines := tc.fake.deadlines
	tc.fake.mu.Unlock()
	if len(deadlines) != 1 || deadlines[0].Before(start.Add(50*time.Millisecond)) || deadlines[0].After(start.Add(guard)) {
		t.Fatalf("write deadlines %v, want one 50ms after %v", deadlines, start)
	}
}

func TestWriteContextPerFrame(t *testing.T) {
	// Each frame gets a fresh deadline on a live context.
	f := newFake()
	var mu sync.Mutex
	var ctxErrs []error
	done := make(chan struct{})
	tr := &ctxRecorder{fakeTransport: f, record: func(ctx context.Context) {
		mu.Lock()
		defer mu.Unlock()
		ctxErrs = append(ctxErrs, ctx.Err())
		if len(ctxErrs) == 3 {
			close(done)
		}
	}}
	c := NewClient(tr, ClientOptions{WriteTimeout: time.Hour})
	for i := 0; i < 3; i++ {
		c.Send([]byte("x"))
	}
	testkit.Recv(t, "three writes", done)
	mu.Lock()
	testkit.Equal(t, "ctx errors", ctxErrs, []error{nil, nil, nil})
	mu.Unlock()
	f.mu.Lock()
	ds := f.deadlines
	f.mu.Unlock()
	if len(ds) != 3 || ds[1].Before(ds[0]) || ds[2].Before(ds[1]) || time.Until(ds[2]) < 59*time.Minute {
		t.Fatalf("deadlines %v, want 3 non-decreasing, an hour ahead", ds)
	}

	// Once its timer fires, the context reports a deadline, not a cancellation.
	ctx, cancel := context.WithCancelCause(context.Background())
	w := &writeCtx{Context: ctx}
	testkit.Equal(t, "Err before", w.Err(), error(nil))
	cancel(context.DeadlineExceeded)
	if !errors.Is(w.Err(), context.DeadlineExceeded) {
		t.Fatalf("Err after timeout = %v", w.Err())
	}
}

type ctxRecorder struct {
	*fakeTransport
	record func(context.Context)
}

func (r *ctxRecorder) Write(ctx context.Context, data []byte) error {
	err := r.fakeTransport.Write(ctx, data)
	r.record(ctx)
	return err
}

func TestWriteErrorCloses(t *testing.T) {
	tc := newTestClient(ClientOptions{}, false)
	tc.fake.setFail(errors.New("connection reset"))
	tc.Send([]byte("x"))
	waitClosed(t, tc.Client)
	testkit.Equal(t, "close code", tc.CloseCode(), CloseInternal)
	testkit.Equal(t, "close reason", tc.CloseReason(), ReasonWriteFailed)
	testkit.Equal(t, "OnClose code", testkit.Recv(t, "OnClose", tc.onClose), CloseInternal)
}

// TestStatusCoalescing pins down what SendStatus replaces: only a status frame that
// is still pending. The frame in flight has left the queue and is never replaced; the
// replacement takes the replaced frame's place, ahead of frames queued after it.
func TestStatusCoalescing(t *testing.T) {
	cases := []struct {
		name string
		do   []string // "s:X" SendStatus, "m:X" Send; the first one goes in flight
		want []string
	}{
		{"message in flight", []string{"m:P", "s:A", "m:M", "s:B"}, []string{"P", "B", "M"}},
		{"status in flight", []string{"s:A", "s:B", "m:M", "s:C"}, []string{"A", "C", "M"}},
		{"many statuses", []string{"m:P", "s:A", "s:B", "s:C", "m:M", "s:D", "m:N"}, []string{"P", "D", "M", "N"}},
		{"no status pending", []string{"m:P", "m:M", "s:A"}, []string{"P", "M", "A"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestClient(ClientOptions{}, true)
			c.fake.block()
			for i, op := range tc.do {
				var ok bool
				if op[0] == 's' {
					ok = c.SendStatus([]byte(op[2:]))
				} else {
					ok = c.Send([]byte(op[2:]))
				}
				testkit.Equal(t, op, ok, true)
				if i == 0 {
					testkit.Recv(t, "first write", c.fake.started)
				}
			}
			c.fake.unblock()
			c.CloseAfter(CloseNormal, "")
			waitClosed(t, c.Client)
			frames, _, _, _ := c.fake.snapshot()
			testkit.Equal(t, "frames", frames, tc.want)
		})
	}
}

func TestStatusDoesNotFillQueue(t *testing.T) {
	tc := newTestClient(ClientOptions{QueueLimit: 2}, true)
	tc.fake.block()
	tc.Send([]byte("p"))
	testkit.Recv(t, "write of p", tc.fake.started)
	for i := 0; i < 100; i++ {
		testkit.Equal(t, "status", tc.SendStatus([]byte(fmt.Sprint("s", i))), true)
	}
	testkit.Equal(t, "message", tc.Send([]byte("m")), true)
	testkit.Equal(t, "pending", tc.pending(), 2)
	// The queue is full and its status frame is no longer the last entry: a new
	// status still coalesces, a message overflows.
	testkit.Equal(t, "status into a full queue", tc.SendStatus([]byte("last")), true)
	testkit.Equal(t, "message into a full queue", tc.Send([]byte("over")), false)
	testkit.Equal(t, "close code", tc.CloseCode(), CloseSlowConsumer)
}

func TestValue(t *testing.T) {
	c := NewClient(newFake(), ClientOptions{})
	testkit.Equal(t, "empty", c.Value(), any(nil))
	c.SetValue("session-1")
	testkit.Equal(t, "set", c.Value(), any("session-1"))
	c.SetValue(nil)
	testkit.Equal(t, "reset", c.Value(), any(nil))
}

func TestDefaults(t *testing.T) {
	c := NewClient(newFake(), ClientOptions{})
	testkit.Equal(t, "queue limit", c.limit, DefaultQueueLimit)
	testkit.Equal(t, "write timeout", c.writeTimeout, DefaultWriteTimeout)
}
