package hub

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/livedesk/gateway/internal/testkit"
)

func TestHubMembership(t *testing.T) {
	h := New(0)
	testkit.Equal(t, "shards", len(h.shards), DefaultShards)
	a := NewClient(newFake(), ClientOptions{})
	b := NewClient(newFake(), ClientOptions{})

	h.Join("site:1", a)
	h.Join("site:1", a) // no-op
	h.Join("site:1", b)
	h.Join("site:2", a)
	h.Join("agent:7", b)
	testkit.Equal(t, "count site:1", h.Count("site:1"), 2)
	testkit.Equal(t, "count site:2", h.Count("site:2"), 1)
	testkit.Equal(t, "count none", h.Count("site:3"), 0)
	testkit.Equal(t, "total", h.Total(), 2)
	testkit.Equal(t, "site groups", sorted(h.Groups("site:")), []string{"site:1", "site:2"})
	testkit.Equal(t, "all groups", sorted(h.Groups("")), []string{"agent:7", "site:1", "site:2"})

	h.Leave("site:3", a)  // no such group
	h.Leave("agent:7", a) // not a member
	testkit.Equal(t, "total after no-op leaves", h.Total(), 2)

	h.Leave("site:2", a)
	testkit.Equal(t, "groups after emptying site:2", sorted(h.Groups("site:")), []string{"site:1"})
	testkit.Equal(t, "total: a still in site:1", h.Total(), 2)
	h.Leave("site:1", a)
	testkit.Equal(t, "total without a", h.Total(), 1)
	testkit.Equal(t, "count site:1", h.Count("site:1"), 1)
	h.Leave("site:1", b)
	h.Leave("agent:7", b)
	testkit.Equal(t, "total empty", h.Total(), 0)
	testkit.Equal(t, "no groups", len(h.Groups("")), 0)
}

func TestHubLeaveKeepsOthers(t *testing.T) {
	// Leave swaps the last member into the hole: every other member must stay reachable.
	h := New(1)
	cs := make([]*Client, 10)
	for i := range cs {
		cs[i] = NewClient(newFake(), ClientOptions{})
		h.Join("g", cs[i])
	}
	for _, i := range []int{0, 9, 4, 5} {
		h.Leave("g", cs[i])
	}
	var got []*Client
	h.Each("g", func(c *Client) { got = append(got, c) })
	want := []*Client{cs[1], cs[2], cs[3], cs[6], cs[7], cs[8]}
	if len(got) != len(want) {
		t.Fatalf("members: %d, want %d", len(got), len(want))
	}
	for _, c := range want {
		if !slices.Contains(got, c) {
			t.Fatalf("a member went missing")
		}
	}
}

func TestJoinClosedClient(t *testing.T) {
	h := New(4)
	c := NewClient(newFake(), ClientOptions{})
	c.Close(CloseNormal, "")
	h.Join("g", c)
	testkit.Equal(t, "count", h.Count("g"), 0)
	testkit.Equal(t, "total", h.Total(), 0)
}

func TestBroadcastReachesOnlyMembers(t *testing.T) {
	h := New(8)
	var wg sync.WaitGroup
	mk := func() *fakeTransport {
		f := newFake()
		f.onWrite = func([]byte) { wg.Done() }
		return f
	}
	in1, in2, out := mk(), mk(), mk()
	h.Join("site:1", NewClient(in1, ClientOptions{}))
	h.Join("site:1", NewClient(in2, ClientOptions{}))
	h.Join("site:2", NewClient(out, ClientOptions{}))

	wg.Add(4)
	testkit.Equal(t, "queued", h.Broadcast("site:1", []byte("m")), 2)
	testkit.Equal(t, "queued status", h.BroadcastStatus("site:1", []byte("s")), 2)
	testkit.Equal(t, "no group", h.Broadcast("site:9", []byte("x")), 0)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	testkit.Recv(t, "frames", done)
	for _, f := range []*fakeTransport{in1, in2} {
		frames, _, _, _ := f.snapshot()
		testkit.Equal(t, "member frames", frames, []string{"m", "s"})
	}
	frames, _, _, _ := out.snapshot()
	testkit.Equal(t, "non-member frames", len(frames), 0)
}

func TestBroadcastSharesFrame(t *testing.T) {
	h := New(0)
	var wg sync.WaitGroup
	frame := []byte("shared")
	var mu sync.Mutex
	var seen []*byte
	for i := 0; i < 3; i++ {
		c := NewClient(transportFunc(func(b []byte) {
			mu.Lock()
			seen = append(seen, &b[0])
			mu.Unlock()
			wg.Done()
		}), ClientOptions{})
		h.Join("g", c)
	}
	wg.Add(3)
	h.Broadcast("g", frame)
	wg.Wait()
	for _, p := range seen {
		if p != &frame[0] {
			t.Fatal("a recipient got a copy of the frame")
		}
	}
}

// transportFunc is a Transport whose writes call a function and never fail.
type transportFunc func([]byte)

func (f transportFunc) Write(_ context.Context, b []byte) error { f(b); return nil }
func (f transportFunc) Close(int, string) error                 { return nil }

// TestOnCloseMayLeaveDuringBroadcast: a broadcast that overflows a client's queue
// closes it on the broadcasting goroutine; its OnClose leaves the group. That must
// not deadlock on the shard lock.
func TestOnCloseMayLeaveDuringBroadcast(t *testing.T) {
	h := New(1)
	f := newFake()
	f.block()
	var c *Client
	c = NewClient(f, ClientOptions{QueueLimit: 1, OnClose: func(int) { h.Leave("g", c) }})
	h.Join("g", c)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 3; i++ {
			h.Broadcast("g", []byte("x"))
		}
	}()
	testkit.Recv(t, "broadcasts to return", done)
	waitClosed(t, c)
	testkit.Equal(t, "count", h.Count("g"), 0)
	testkit.Equal(t, "total", h.Total(), 0)
}

// TestSlowClientDoesNotBlockOthers: one member of a group stops reading. Every other
// member gets every frame before the slow one is closed (4003) on its write timeout:
// no head-of-line blocking.
func TestSlowClientDoesNotBlockOthers(t *testing.T) {
	const fast, frames = 100, 20
	h := New(0)
	var delivered atomic.Int64
	allDelivered := make(chan struct{})
	fakes := make([]*fakeTransport, fast)
	for i := range fakes {
		f := newFake()
		f.onWrite = func([]byte) {
			if delivered.Add(1) == fast*frames {
				close(allDelivered)
			}
		}
		fakes[i] = f
		h.Join("site:1", NewClient(f, ClientOptions{WriteTimeout: 100 * time.Millisecond}))
	}
	slowFake := newFake()
	slowFake.block() // never unblocked: the peer is gone quiet
	var deliveredAtClose atomic.Int64
	slowClosed := make(chan struct{})
	slow := NewClient(slowFake, ClientOptions{WriteTimeout: 100 * time.Millisecond, OnClose: func(int) {
		deliveredAtClose.Store(delivered.Load())
		close(slowClosed)
	}})
	h.Join("site:1", slow)

	want := make([]string, frames)
	for k := range want {
		want[k] = fmt.Sprint("frame ", k)
		testkit.Equal(t, "queued for", h.Broadcast("site:1", []byte(want[k])), fast+1)
	}
	testkit.Recv(t, "every fast client to get every frame", allDelivered)
	testkit.Recv(t, "slow client to close", slowClosed)
	testkit.Equal(t, "frames delivered when the slow client closed", deliveredAtClose.Load(), int64(fast*frames))
	testkit.Equal(t, "slow close code", slow.CloseCode(), CloseSlowConsumer)
	testkit.Equal(t, "slow close reason", slow.CloseReason(), ReasonWriteTimeout)
	for i, f := range fakes {
		got, _, _, _ := f.snapshot()
		testkit.Equal(t, fmt.Sprint("frames of client ", i), got, want)
	}
}

func TestHubConcurrent(t *testing.T) {
	h := New(4)
	groups := []string{"site:1", "site:2", "site:3", "agent:1", "agent:2"}
	var written atomic.Int64
	newClient := func() *Client {
		return NewClient(transportFunc(func([]byte) { written.Add(1) }), ClientOptions{QueueLimit: 1 << 12})
	}
	clients := make([]*Client, 40)
	for i := range clients {
		clients[i] = newClient()
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				c := clients[(g*7+i)%len(clients)]
				name := groups[(g+i)%len(groups)]
				switch i % 8 {
				case 0, 1:
					h.Join(name, c)
				case 2:
					h.Leave(name, c)
				case 3:
					h.Broadcast(name, []byte("m"))
				case 4:
					h.BroadcastStatus(name, []byte("s"))
				case 5:
					h.Count(name)
					h.Total()
				case 6:
					h.Groups("site:")
				case 7:
					h.Each(name, func(c *Client) { c.SendStatus([]byte("e")) })
				}
			}
		}()
	}
	wg.Wait()

	// The counters agree with the membership that is left.
	distinct := map[*Client]bool{}
	for _, name := range h.Groups("") {
		h.Each(name, func(c *Client) { distinct[c] = true })
	}
	testkit.Equal(t, "total", h.Total(), len(distinct))
	for _, name := range groups {
		for _, c := range clients {
			h.Leave(name, c)
		}
	}
	testkit.Equal(t, "total after leaving all", h.Total(), 0)
	testkit.Equal(t, "groups after leaving all", len(h.Groups("")), 0)
	for _, c := range clients {
		testkit.Equal(t, "client group count", c.groups.Load(), int32(0))
	}
}

func sorted(s []string) []string {
	slices.Sort(s)
	return s
}
