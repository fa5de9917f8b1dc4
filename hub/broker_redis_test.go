package hub

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/livedesk/gateway/internal/testkit"
	"github.com/redis/go-redis/v9"
)

// newTestRedisBroker returns a RedisBroker on c, closed in Cleanup.
func newTestRedisBroker(tb testing.TB, c redis.UniversalClient, h Handler, o RedisOptions) *RedisBroker {
	tb.Helper()
	b, err := NewRedisBroker(c, h, o)
	testkit.NoError(tb, err)
	tb.Cleanup(func() { _ = b.Close() })
	return b
}

// collect returns a handler that sends "channel=payload" to the returned channel.
func collect() (Handler, <-chan string) {
	ch := make(chan string, 10000)
	return func(channel string, payload []byte) { ch <- channel + "=" + string(payload) }, ch
}

func TestRedisBrokerTwoNodes(t *testing.T) {
	ctx := context.Background()
	r := startRedis(t)
	a := newTestRedisBroker(t, r.Client(), func(channel string, payload []byte) {
		t.Errorf("node A is not subscribed but got %s=%s", channel, payload)
	}, RedisOptions{})
	hb, got := collect()
	b := newTestRedisBroker(t, r.Client(), hb, RedisOptions{})
	publish := func(payload string) {
		t.Helper()
		testkit.NoError(t, a.Publish(ctx, "site:1", []byte(payload)))
	}

	publish("before") // B not subscribed: Redis has nobody to send it to
	testkit.NoError(t, b.Subscribe(ctx, "site:1"))
	testkit.NoError(t, b.Subscribe(ctx, "site:1"))
	testkit.Equal(t, "refs", b.Subscribed("site:1"), 2)
	publish("two refs")
	testkit.Equal(t, "first delivery", testkit.Recv(t, "two refs", got), "site:1=two refs")

	testkit.NoError(t, b.Unsubscribe(ctx, "site:1"))
	publish("one ref")
	testkit.Equal(t, "after one unsubscribe", testkit.Recv(t, "one ref", got), "site:1=one ref")

	testkit.NoError(t, b.Unsubscribe(ctx, "site:1")) // returns once Redis confirmed it
	testkit.Equal(t, "refs", b.Subscribed("site:1"), 0)
	publish("no refs")
	testkit.NoError(t, b.Unsubscribe(ctx, "site:1")) // extra: no-op, no underflow
	testkit.NoError(t, b.Subscribe(ctx, "site:1"))   // returns once Redis confirmed it
	testkit.Equal(t, "refs after an extra unsubscribe", b.Subscribed("site:1"), 1)
	publish("again")
	// Per-channel order: had "no refs" been delivered, it would come first.
	testkit.Equal(t, "after resubscribing", testkit.Recv(t, "again", got), "site:1=again")

	// The publishing node gets its own messages once it subscribes too.
	ha, gotA := collect()
	c := newTestRedisBroker(t, r.Client(), ha, RedisOptions{})
	testkit.NoError(t, c.Subscribe(ctx, "site:1"))
	testkit.NoError(t, c.Publish(ctx, "site:1", []byte("own")))
	testkit.Equal(t, "publisher's own", testkit.Recv(t, "own message", gotA), "site:1=own")
	testkit.Equal(t, "other node", testkit.Recv(t, "own message at B", got), "site:1=own")
}

func TestRedisBrokerClose(t *testing.T) {
	ctx := context.Background()
	r := startRedis(t)
	h, got := collect()
	b, err := NewRedisBroker(r.Client(), h, RedisOptions{})
	testkit.NoError(t, err)
	testkit.NoError(t, b.Subscribe(ctx, "site:1"))
	testkit.NoError(t, b.Publish(ctx, "site:1", []byte("x")))
	testkit.Equal(t, "delivered", testkit.Recv(t, "x", got), "site:1=x")

	testkit.NoError(t, b.Close())
	for name, err := range map[string]error{
		"Publish":     b.Publish(ctx, "site:1", nil),
		"Subscribe":   b.Subscribe(ctx, "site:1"),
		"Unsubscribe": b.Unsubscribe(ctx, "site:1"),
		"Close":       b.Close(),
	} {
		if !errors.Is(err, ErrBrokerClosed) {
			t.Errorf("%s after Close: got %v, want ErrBrokerClosed", name, err)
		}
	}
	if _, err := NewRedisBroker(nil, h, RedisOptions{}); err == nil {
		t.Error("NewRedisBroker(nil client): no error")
	}
}

func TestRedisBrokerContext(t *testing.T) {
	r := startRedis(t)
	b := newTestRedisBroker(t, r.Client(), nil, RedisOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for name, err := range map[string]error{
		"Publish":     b.Publish(ctx, "site:1", nil),
		"Subscribe":   b.Subscribe(ctx, "site:1"),
		"Unsubscribe": b.Unsubscribe(ctx, "site:1"),
	} {
		if !errors.Is(err, context.Canceled) || errors.Is(err, ErrSubscribePending) {
			t.Errorf("%s with a done context: got %v, want context.Canceled alone", name, err)
		}
	}
	testkit.Equal(t, "refs taken with a done context", b.Subscribed("site:1"), 0)
}

// TestRedisBrokerOrder publishes 10,000 messages on 10 channels from two nodes at
// once and checks each publisher's order per channel at a third node.
func TestRedisBrokerOrder(t *testing.T) {
	const channels, perPublisher = 10, 5000
	ctx := context.Background()
	r := startRedis(t)

	var mu sync.Mutex
	last := map[string]int{} // channel/publisher -> last sequence number
	var received int
	var problems []string
	all := make(chan struct{})
	recvB := newTestRedisBroker(t, r.Client(), func(channel string, payload []byte) {
		pub, seqText, _ := strings.Cut(string(payload), ":")
		seq, _ := strconv.Atoi(seqText)
		key := channel + "/" + pub
		mu.Lock()
		defer mu.Unlock()
		if want := last[key] + 1; seq != want && len(problems) < 10 {
			problems = append(problems, fmt.Sprintf("%s: got %d after %d", key, seq, last[key]))
		}
		last[key] = seq
		if received++; received == 2*perPublisher {
			close(all)
		}
	}, RedisOptions{Workers: 4})
	for i := range channels {
		testkit.NoError(t, recvB.Subscribe(ctx, "site:"+strconv.Itoa(i)))
	}

	// Each publisher sends pipelines of 100 PUBLISH commands, so messages arrive in
	// bursts and the workers have queues: order then depends on the channel keying.
	var wg sync.WaitGroup
	for _, name := range []string{"A", "B"} {
		pub := r.Client()
		wg.Go(func() {
			for start := 0; start < perPublisher; start += 100 {
				_, err := pub.Pipelined(ctx, func(p redis.Pipeliner) error {
					for i := start; i < start+100; i++ {
						// Message i goes to channel i%channels, as number i/channels+1 there.
						p.Publish(ctx, "site:"+strconv.Itoa(i%channels), name+":"+strconv.Itoa(i/channels+1))
					}
					return nil
				})
				if err != nil {
					t.Errorf("publisher %s: %v", name, err)
					return
				}
			}
		})
	}
	wg.Wait()
	testkit.Recv(t, "all 10,000 messages", all)
	mu.Lock()
	defer mu.Unlock()
	if len(problems) > 0 {
		t.Fatalf("order broken: %s", strings.Join(problems, "; "))
	}
	testkit.Equal(t, "drops", recvB.Drops(), uint64(0))
}

// TestRedisBrokerBatching subscribes to 1,000 channels in a burst and counts the
// SUBSCRIBE commands the server ran.
func TestRedisBrokerBatching(t *testing.T) {
	const n = 1000
	ctx := context.Background()
	r := startRedis(t)
	admin := r.Client()
	b := newTestRedisBroker(t, r.Client(), nil, RedisOptions{})
	// The first batch also proves the initial subscription (probe channel) is done.
	testkit.NoError(t, b.Subscribe(ctx, "warm-up"))
	before := commandCalls(t, admin, "subscribe")

	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if err := b.Subscribe(ctx, "site:"+strconv.Itoa(i)); err != nil {
				t.Errorf("Subscribe: %v", err)
			}
		})
	}
	wg.Wait()
	calls := commandCalls(t, admin, "subscribe") - before
	t.Logf("%d concurrent Subscribe calls took %d SUBSCRIBE commands", n, calls)
	if calls < 1 || calls > 20 {
		t.Errorf("SUBSCRIBE commands for %d channels: got %d, want 1..20", n, calls)
	}
	subscribed, err := admin.PubSubChannels(ctx, "site:*").Result()
	testkit.NoError(t, err)
	testkit.Equal(t, "channels subscribed at the server", len(subscribed), n)

	// Unsubscribing in a burst is batched too.
	before = commandCalls(t, admin, "unsubscribe")
	for i := range n {
		wg.Go(func() {
			if err := b.Unsubscribe(ctx, "site:"+strconv.Itoa(i)); err != nil {
				t.Errorf("Unsubscribe: %v", err)
			}
		})
	}
	wg.Wait()
	calls = commandCalls(t, admin, "unsubscribe") - before
	if calls < 1 || calls > 20 {
		t.Errorf("UNSUBSCRIBE commands for %d channels: got %d, want 1..20", n, calls)
	}
	subscribed, err = admin.PubSubChannels(ctx, "site:*").Result()
	testkit.NoError(t, err)
	testkit.Equal(t, "channels left at the server", len(subscribed), 0)
}

// Release drops the reference at once and the handler hears nothing more of the
// channel; the UNSUBSCRIBE follows with the next batch, and Redis then stops
// sending the channel to the node.
func TestRedisBrokerRelease(t *testing.T) {
	ctx := context.Background()
	r := startRedis(t)
	var after atomic.Bool
	hb, got := collect()
	b := newTestRedisBroker(t, r.Client(), func(channel string, payload []byte) {
		if after.Load() && channel == "site:1" {
			t.Errorf("handler called after Release: %s=%s", channel, payload)
		}
		hb(channel, payload)
	}, RedisOptions{})
	ctl := r.Client()
	testkit.NoError(t, b.Subscribe(ctx, "site:1"))
	testkit.NoError(t, b.Subscribe(ctx, "site:1"))
	b.Release("site:1")
	testkit.Equal(t, "refs after one release", b.Subscribed("site:1"), 1)
	testkit.NoError(t, ctl.Publish(ctx, "site:1", "kept").Err())
	testkit.Equal(t, "delivery with a reference left", testkit.Recv(t, "kept", got), "site:1=kept")
	b.Release("site:1")
	after.Store(true)
	testkit.Equal(t, "refs after the last release", b.Subscribed("site:1"), 0)
	b.Release("site:1") // extra: no-op, no underflow
	// Redis forgets the node's subscription once the batch went out.
	deadline := time.Now().Add(5 * time.Second)
	for {
		n, err := ctl.PubSubNumSub(ctx, "site:1").Result()
		testkit.NoError(t, err)
		if n["site:1"] == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis still sends site:1 to %d subscriber(s) 5 s after the release", n["site:1"])
		}
		time.Sleep(5 * time.Millisecond)
	}
	testkit.NoError(t, ctl.Publish(ctx, "site:1", "gone").Err())
	testkit.NoError(t, b.Subscribe(ctx, "site:2"))
	testkit.NoError(t, ctl.Publish(ctx, "site:2", "next").Err())
	testkit.Equal(t, "next delivery", testkit.Recv(t, "next", got), "site:2=next")
}
