package hub

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/livedesk/gateway/internal/testkit"
	"github.com/redis/go-redis/v9"
)

// signal returns a hook that reports each call on the returned channel.
func signal() (func(), <-chan struct{}) {
	ch := make(chan struct{}, 100)
	return func() { ch <- struct{}{} }, ch
}

// TestRedisBrokerRedisRestart kills redis-server and starts it again on the same
// port: go-redis reconnects and restores the subscription by itself (the probe is
// off here), nobody calls Subscribe again, and OnReconnect reports it.
func TestRedisBrokerRedisRestart(t *testing.T) {
	ctx := context.Background()
	r := startRedis(t)
	onReconnect, reconnected := signal()
	h, got := collect()
	b := newTestRedisBroker(t, r.Client(), h, RedisOptions{
		ProbeInterval: -1, ProbeTimeout: time.Second, OnReconnect: onReconnect,
	})
	testkit.NoError(t, b.Subscribe(ctx, "site:1"))
	testkit.NoError(t, r.Client().Publish(ctx, "site:1", "before").Err())
	testkit.Equal(t, "before the restart", testkit.Recv(t, "first message", got), "site:1=before")

	r.Stop()
	if err := b.Publish(ctx, "site:1", []byte("down")); err == nil {
		t.Error("Publish with Redis down: no error")
	}
	// The reference is taken; the subscription follows when Redis is back.
	if err := b.Subscribe(ctx, "site:2"); !errors.Is(err, ErrSubscribePending) {
		t.Errorf("Subscribe with Redis down: got %v, want ErrSubscribePending", err)
	}
	testkit.Equal(t, "reference held while down", b.Subscribed("site:2"), 1)

	r.Restart()
	testkit.Recv(t, "OnReconnect", reconnected)
	// OnReconnect comes with the first reply on the new connection, which answers
	// the one SUBSCRIBE that restored every channel: delivery works from here on.
	pub := r.Client()
	testkit.NoError(t, pub.Publish(ctx, "site:1", "after").Err())
	testkit.Equal(t, "site:1 after the restart", testkit.Recv(t, "site:1 message", got), "site:1=after")
	testkit.NoError(t, pub.Publish(ctx, "site:2", "new").Err())
	testkit.Equal(t, "site:2 subscribed while down", testkit.Recv(t, "site:2 message", got), "site:2=new")
	testkit.Equal(t, "reconnects", b.Reconnects(), uint64(1))
	// And the broker's own calls work again.
	testkit.NoError(t, b.Subscribe(ctx, "site:3"))
	testkit.NoError(t, b.Publish(ctx, "site:3", []byte("x")))
	testkit.Equal(t, "site:3", testkit.Recv(t, "site:3 message", got), "site:3=x")
}

// TestRedisBrokerServerKill has the server drop the subscription connection
// (CLIENT KILL TYPE pubsub): go-redis reconnects, OnReconnect is called.
func TestRedisBrokerServerKill(t *testing.T) {
	ctx := context.Background()
	r := startRedis(t)
	onReconnect, reconnected := signal()
	h, got := collect()
	b := newTestRedisBroker(t, r.Client(), h, RedisOptions{ProbeInterval: -1, OnReconnect: onReconnect})
	admin := r.Client()
	testkit.NoError(t, b.Subscribe(ctx, "site:1"))

	killed, err := admin.Do(ctx, "CLIENT", "KILL", "TYPE", "pubsub").Int()
	testkit.NoError(t, err)
	testkit.Equal(t, "pubsub connections killed", killed, 1)
	testkit.Recv(t, "OnReconnect", reconnected)
	testkit.NoError(t, admin.Publish(ctx, "site:1", "after").Err())
	testkit.Equal(t, "after the kill", testkit.Recv(t, "message", got), "site:1=after")
}

// TestRedisBrokerSilentDeath freezes the broker's connections: they stay open but
// carry nothing, so go-redis sees no error and would wait forever. The probe
// notices, the broker replaces the subscription connection and resubscribes.
func TestRedisBrokerSilentDeath(t *testing.T) {
	ctx := context.Background()
	r := startRedis(t)
	var f freezer
	client := r.Client(func(o *redis.Options) { o.Dialer = f.dial })
	onReconnect, reconnected := signal()
	h, got := collect()
	b := newTestRedisBroker(t, client, h, RedisOptions{
		ProbeInterval: 50 * time.Millisecond, ProbeTimeout: 250 * time.Millisecond, OnReconnect: onReconnect,
	})
	pub := r.Client()
	testkit.NoError(t, b.Subscribe(ctx, "site:1"))
	testkit.NoError(t, pub.Publish(ctx, "site:1", "before").Err())
	testkit.Equal(t, "before", testkit.Recv(t, "first message", got), "site:1=before")

	f.freezeAll()
	// Redis still counts the frozen subscriber and sends this into the void.
	n, err := pub.Publish(ctx, "site:1", "lost").Result()
	testkit.NoError(t, err)
	testkit.Equal(t, "receivers of the lost message", n, int64(1))

	testkit.Recv(t, "OnReconnect after the probe failed", reconnected)
	testkit.NoError(t, pub.Publish(ctx, "site:1", "after").Err())
	// "lost" went down the frozen connection: the next delivery is "after".
	testkit.Equal(t, "after recovery", testkit.Recv(t, "message after recovery", got), "site:1=after")
	if b.Reconnects() < 1 {
		t.Errorf("Reconnects: got %d, want >= 1", b.Reconnects())
	}
}
