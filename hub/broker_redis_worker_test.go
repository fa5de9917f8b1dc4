package hub

import (
	"context"
	"strconv"
	"testing"

	"github.com/livedesk/gateway/internal/testkit"
)

// sameWorker and otherWorker return a channel name that maps to the same worker
// as channel, or to another one.
func sameWorker(channel string, workers int) string  { return findWorker(channel, workers, true) }
func otherWorker(channel string, workers int) string { return findWorker(channel, workers, false) }

func findWorker(channel string, workers int, same bool) string {
	for i := 0; ; i++ {
		c := channel + "-" + strconv.Itoa(i)
		if (workerIndex(c, workers) == workerIndex(channel, workers)) == same {
			return c
		}
	}
}

// TestRedisBrokerSlowHandler blocks the handler on one channel: another worker's
// channel is still delivered, and the reader drops (and counts) what does not fit
// the blocked worker's queue instead of waiting.
func TestRedisBrokerSlowHandler(t *testing.T) {
	const workers, queue, burst = 4, 4, 20
	ctx := context.Background()
	r := startRedis(t)
	slow := "site:slow"
	fast := otherWorker(slow, workers)

	started, release := make(chan struct{}), make(chan struct{})
	slowGot, fastGot := make(chan string, burst+1), make(chan string, 1)
	dropped := make(chan string, burst+1)
	b := newTestRedisBroker(t, r.Client(), func(channel string, payload []byte) {
		if channel == fast {
			fastGot <- string(payload)
			return
		}
		slowGot <- string(payload)
		if string(payload) == "s0" {
			close(started)
			<-release
		}
	}, RedisOptions{Workers: workers, WorkerQueue: queue, OnDrop: func(channel string) { dropped <- channel }})
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release) // let Close finish if the test failed early
		}
	})
	pub := newTestRedisBroker(t, r.Client(), nil, RedisOptions{})
	testkit.NoError(t, b.Subscribe(ctx, slow))
	testkit.NoError(t, b.Subscribe(ctx, fast))

	testkit.NoError(t, pub.Publish(ctx, slow, []byte("s0")))
	testkit.Recv(t, "slow handler to start", started)
	for i := 1; i <= burst; i++ {
		testkit.NoError(t, pub.Publish(ctx, slow, []byte("s"+strconv.Itoa(i))))
	}
	// s1..s4 fill the blocked worker's queue; s5..s20 are dropped.
	for range burst - queue {
		testkit.Equal(t, "dropped on", testkit.Recv(t, "a drop", dropped), slow)
	}
	testkit.NoError(t, pub.Publish(ctx, fast, []byte("f")))
	testkit.Equal(t, "fast channel while slow blocks", testkit.Recv(t, "fast message", fastGot), "f")
	testkit.Equal(t, "drops", b.Drops(), uint64(burst-queue))

	close(release)
	testkit.Equal(t, "first", testkit.Recv(t, "s0", slowGot), "s0")
	for i := 1; i <= queue; i++ {
		testkit.Equal(t, "queued", testkit.Recv(t, "queued message", slowGot), "s"+strconv.Itoa(i))
	}
}

// TestRedisBrokerUnsubscribeDropsQueued: messages already queued for a channel are
// not handed to the handler once the last reference is gone.
func TestRedisBrokerUnsubscribeDropsQueued(t *testing.T) {
	const workers = 2
	ctx := context.Background()
	r := startRedis(t)
	blocker := "site:blocker"
	gone := sameWorker(blocker, workers)
	marker := sameWorker(gone, workers)
	started, release := make(chan struct{}), make(chan struct{})
	h, got := collect()
	b := newTestRedisBroker(t, r.Client(), func(channel string, payload []byte) {
		if channel == blocker {
			close(started)
			<-release
			return
		}
		h(channel, payload)
	}, RedisOptions{Workers: workers})
	pub := r.Client()
	for _, c := range []string{blocker, gone, marker} {
		testkit.NoError(t, b.Subscribe(ctx, c))
	}

	testkit.NoError(t, pub.Publish(ctx, blocker, "block").Err())
	testkit.Recv(t, "the worker to block", started)
	// Queued behind the blocked call, in this order: the reader keeps Redis' order.
	testkit.NoError(t, pub.Publish(ctx, gone, "queued").Err())
	testkit.NoError(t, pub.Publish(ctx, marker, "marker").Err())
	testkit.NoError(t, b.Unsubscribe(ctx, gone))
	close(release)
	// The marker comes after "queued" on the same worker: had "queued" been
	// delivered, it would arrive first.
	testkit.Equal(t, "first delivery after the unsubscribe", testkit.Recv(t, "marker", got), marker+"=marker")
}

// TestRedisBrokerHandlerMayCallBack: the handler may use the broker.
func TestRedisBrokerHandlerMayCallBack(t *testing.T) {
	ctx := context.Background()
	r := startRedis(t)
	var b *RedisBroker
	h, got := collect()
	b = newTestRedisBroker(t, r.Client(), func(channel string, payload []byte) {
		if channel == "first" {
			assertNoErrorAsync(t, b.Unsubscribe(ctx, "first"))
			assertNoErrorAsync(t, b.Subscribe(ctx, "second"))
			assertNoErrorAsync(t, b.Publish(ctx, "second", []byte("from the handler")))
			return
		}
		h(channel, payload)
	}, RedisOptions{})
	testkit.NoError(t, b.Subscribe(ctx, "first"))
	testkit.NoError(t, b.Publish(ctx, "first", []byte("go")))
	testkit.Equal(t, "published by the handler", testkit.Recv(t, "second", got), "second=from the handler")
	testkit.Equal(t, "refs of first", b.Subscribed("first"), 0)
}

// assertNoErrorAsync reports err from a goroutine other than the test's.
func assertNoErrorAsync(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Errorf("unexpected error: %v", err)
	}
}
