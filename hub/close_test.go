package hub

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/livedesk/gateway/internal/testkit"
)

func TestCloseAfterWritesPendingThenCloses(t *testing.T) {
	tc := newTestClient(ClientOptions{}, true)
	tc.fake.block()
	tc.Send([]byte("p"))
	testkit.Recv(t, "write of p", tc.fake.started)
	tc.Send([]byte("a"))
	tc.SendStatus([]byte("b"))
	tc.CloseAfter(CloseLoggedOut, "logged out")
	testkit.Equal(t, "send after CloseAfter", tc.Send([]byte("c")), false)
	testkit.Equal(t, "status after CloseAfter", tc.SendStatus([]byte("c")), false)
	testkit.Equal(t, "code while flushing", tc.CloseCode(), 0)
	tc.CloseAfter(CloseRestart, "second call ignored")
	tc.fake.unblock()
	waitClosed(t, tc.Client)
	_, events, closes, _ := tc.fake.snapshot()
	testkit.Equal(t, "events", events, []string{"p", "a", "b", "close 4002 logged out"})
	testkit.Equal(t, "transport closes", closes, 1)
	testkit.Equal(t, "close code", tc.CloseCode(), CloseLoggedOut)
	testkit.Equal(t, "OnClose code", testkit.Recv(t, "OnClose", tc.onClose), CloseLoggedOut)
}

func TestCloseAfterIdleClosesAtOnce(t *testing.T) {
	tc := newTestClient(ClientOptions{}, false)
	tc.CloseAfter(CloseRestart, "restart")
	select {
	case <-tc.Done():
	default:
		t.Fatal("an idle client did not close at once")
	}
	testkit.Equal(t, "close code", tc.CloseCode(), CloseRestart)
}

func TestCloseAfterFlushIsBounded(t *testing.T) {
	// A live but slow peer: each write takes 40ms, under the 100ms write timeout,
	// but ten of them would take 400ms. CloseAfter gives up after 100ms.
	tc := newTestClient(ClientOptions{WriteTimeout: 100 * time.Millisecond}, false)
	tc.fake.delay = 40 * time.Millisecond
	for i := 0; i < 10; i++ {
		tc.Send([]byte("x"))
	}
	tc.CloseAfter(CloseRestart, "restart")
	waitClosed(t, tc.Client)
	testkit.Equal(t, "close code", tc.CloseCode(), CloseRestart)
	frames, _, _, _ := tc.fake.snapshot()
	if len(frames) >= 10 {
		t.Fatalf("wrote all %d frames: the flush was not bounded", len(frames))
	}
}

func TestCloseDropsPending(t *testing.T) {
	tc := newTestClient(ClientOptions{}, true)
	tc.fake.block()
	tc.Send([]byte("p"))
	testkit.Recv(t, "write of p", tc.fake.started)
	tc.Send([]byte("a"))
	tc.Send([]byte("b"))
	tc.Close(CloseNormal, "bye")
	testkit.Equal(t, "code", tc.CloseCode(), CloseNormal)
	testkit.Equal(t, "pending after Close", tc.pending(), 0)
	waitIdle(t, tc.Client, tc.exits)
	_, events, closes, after := tc.fake.snapshot()
	testkit.Equal(t, "events", events, []string{"close 1000 bye"}) // p was cut by the close
	testkit.Equal(t, "transport closes", closes, 1)
	testkit.Equal(t, "writes after close", after, 0)
	testkit.Equal(t, "OnClose code", testkit.Recv(t, "OnClose", tc.onClose), CloseNormal)
	tc.Close(CloseInternal, "again")
	testkit.Equal(t, "code after second Close", tc.CloseCode(), CloseNormal)
	testkit.Equal(t, "reason", tc.CloseReason(), "bye")
}

func TestOnCloseOnceUnderRaces(t *testing.T) {
	var calls atomic.Int32
	f := newFake()
	f.block()
	c := NewClient(f, ClientOptions{QueueLimit: 8, OnClose: func(int) { calls.Add(1) }})
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				switch i % 10 {
				case 3:
					c.CloseAfter(CloseRestart, "")
				case 7:
					c.Close(CloseNormal, "")
				default:
					c.Send([]byte("x"))
					c.SendStatus([]byte("s"))
				}
			}
		}()
	}
	wg.Wait()
	waitClosed(t, c)
	f.unblock()
	testkit.Equal(t, "OnClose calls", calls.Load(), int32(1))
}
