package hub

import (
	"context"
	"errors"
	"testing"

	"github.com/livedesk/gateway/internal/testkit"
)

func TestLocalBrokerRefCounting(t *testing.T) {
	ctx := context.Background()
	var got []string
	b := NewLocalBroker(func(channel string, payload []byte) {
		got = append(got, channel+"="+string(payload))
	})
	publish := func(channel, payload string) {
		t.Helper()
		testkit.NoError(t, b.Publish(ctx, channel, []byte(payload)))
	}

	publish("site:1", "before") // not subscribed: dropped
	testkit.NoError(t, b.Subscribe(ctx, "site:1"))
	testkit.NoError(t, b.Subscribe(ctx, "site:1"))
	testkit.Equal(t, "refs", b.Subscribed("site:1"), 2)
	publish("site:1", "two refs")
	publish("site:2", "other channel")
	testkit.NoError(t, b.Unsubscribe(ctx, "site:1"))
	publish("site:1", "one ref")
	testkit.NoError(t, b.Unsubscribe(ctx, "site:1"))
	testkit.Equal(t, "refs", b.Subscribed("site:1"), 0)
	publish("site:1", "no refs")
	testkit.NoError(t, b.Unsubscribe(ctx, "site:1")) // extra: no-op, no underflow
	testkit.NoError(t, b.Subscribe(ctx, "site:1"))
	testkit.Equal(t, "refs after an extra unsubscribe", b.Subscribed("site:1"), 1)
	publish("site:1", "again")

	testkit.Equal(t, "delivered", got, []string{"site:1=two refs", "site:1=one ref", "site:1=again"})
}

func TestLocalBrokerHandlerMayCallBack(t *testing.T) {
	ctx := context.Background()
	var b *LocalBroker
	var got []string
	b = NewLocalBroker(func(channel string, payload []byte) {
		got = append(got, string(payload))
		if string(payload) == "first" {
			testkit.NoError(t, b.Unsubscribe(ctx, channel)) // must not deadlock
			testkit.NoError(t, b.Publish(ctx, channel, []byte("dropped")))
		}
	})
	testkit.NoError(t, b.Subscribe(ctx, "c"))
	testkit.NoError(t, b.Publish(ctx, "c", []byte("first")))
	testkit.Equal(t, "delivered", got, []string{"first"})
}

func TestLocalBrokerClose(t *testing.T) {
	ctx := context.Background()
	called := false
	b := NewLocalBroker(func(string, []byte) { called = true })
	testkit.NoError(t, b.Subscribe(ctx, "c"))
	testkit.NoError(t, b.Close())
	for name, err := range map[string]error{
		"publish":     b.Publish(ctx, "c", []byte("x")),
		"subscribe":   b.Subscribe(ctx, "c"),
		"unsubscribe": b.Unsubscribe(ctx, "c"),
		"close":       b.Close(),
	} {
		if !errors.Is(err, ErrBrokerClosed) {
			t.Errorf("%s after Close: %v, want ErrBrokerClosed", name, err)
		}
	}
	testkit.Equal(t, "handler called", called, false)

	done, cancel := context.WithCancel(ctx)
	cancel()
	b2 := NewLocalBroker(nil)
	if err := b2.Subscribe(done, "c"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Subscribe with a done context: %v", err)
	}
}
