package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/livedesk/gateway/internal/redistest"
	"github.com/livedesk/gateway/store"
	redisstore "github.com/livedesk/gateway/store/redis"
	"github.com/livedesk/gateway/store/storetest"
)

// prefixes hands out a distinct key prefix per store, so stores made one after the
// other on one server start empty.
var prefixes atomic.Int64

func newPrefix(name string) string {
	return fmt.Sprintf("%s%d:", name, prefixes.Add(1))
}

// newStore returns a store on srv under a fresh prefix, closed when t ends.
func newStore(t testing.TB, srv *redistest.Server) *redisstore.Store {
	t.Helper()
	return newStoreOn(t, srv.Client(), newPrefix("t"))
}

func newStoreOn(t testing.TB, client redis.UniversalClient, prefix string) *redisstore.Store {
	t.Helper()
	s := redisstore.New(client, prefix)
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// newClient returns a client of srv of its own (its own connections), closed when t
// ends, configured as New's doc comment says.
func newClient(t testing.TB, srv *redistest.Server) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{
		Addr:                  srv.Addr(),
		DialTimeout:           time.Second,
		DialerRetries:         1,
		MaxRetries:            -1,
		ReadTimeout:           time.Second,
		WriteTimeout:          time.Second,
		ContextTimeoutEnabled: true,
	})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func TestContract(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	storetest.Run(t, func(t *testing.T) store.Store { return newStore(t, srv) })
}

// Open parses a URL, pings and owns its client; a closed store is unavailable.
func TestOpen(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	ctx := t.Context()
	s, err := redisstore.Open(ctx, srv.URL())
	must(t, err)
	if n := s.Client().(*redis.Client).Options().PoolSize; n < 64 {
		t.Fatalf("pool of %d connections, want at least 64 when the URL sets none", n)
	}
	small, err := redisstore.Open(ctx, srv.URL()+"?pool_size=3")
	must(t, err)
	if n := small.Client().(*redis.Client).Options().PoolSize; n != 3 {
		t.Fatalf("pool of %d connections, want the URL's 3", n)
	}
	must(t, small.Close())
	must(t, s.PutSetting(ctx, "k", []byte("v")))
	keys, err := srv.Client().Keys(ctx, redisstore.DefaultPrefix+"*").Result()
	must(t, err)
	if len(keys) != 1 || keys[0] != redisstore.DefaultPrefix+"setting:k" {
		t.Fatalf("keys after PutSetting: %q", keys)
	}
	must(t, s.Close())
	must(t, s.Close())
	if err := s.Ping(ctx); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Ping after Close: %v, want ErrUnavailable", err)
	}
	if _, err := s.GetSetting(ctx, "k"); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("GetSetting after Close: %v, want ErrUnavailable", err)
	}

	if _, err := redisstore.Open(ctx, "http://user:hunter2@host/"); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("Open of a bad URL: %v", err)
	}
	srv.Stop()
	start := time.Now()
	_, err = redisstore.Open(ctx, srv.URL())
	if !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Open of a stopped server: %v, want ErrUnavailable", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Open of a stopped server took %v", d)
	}
}

// Every key the store writes starts with its prefix, so stores with different
// prefixes never see each other's data.
func TestKeysStayUnderPrefix(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	ctx := t.Context()
	a := newStoreOn(t, srv.Client(), "a:")
	b := newStoreOn(t, srv.Client(), "b:")
	fill(t, a)
	keys, err := srv.Client().Keys(ctx, "*").Result()
	must(t, err)
	for _, k := range keys {
		if !strings.HasPrefix(k, "a:") {
			t.Errorf("key %q outside the prefix", k)
		}
	}
	sites, err := b.ListSites(ctx)
	must(t, err)
	agents, err := b.ListAgents(ctx)
	must(t, err)
	convs, err := b.ListConversations(ctx, store.ConversationFilter{})
	must(t, err)
	notes, err := b.ListNotifications(ctx, store.NotificationFilter{})
	must(t, err)
	if len(sites)+len(agents)+len(convs)+len(notes) != 0 {
		t.Fatalf("another prefix sees %d sites, %d agents, %d conversations, %d notifications",
			len(sites), len(agents), len(convs), len(notes))
	}
}

// fill writes one record of every kind.
func fill(t testing.TB, s store.Store) {
	t.Helper()
	ctx := t.Context()
	site := &store.Site{Name: "Shop"}
	must(t, s.CreateSite(ctx, site))
	must(t, s.CreateAgent(ctx, &store.Agent{Email: "o@x.example", Role: store.RoleOwner}))
	conv := &store.Conversation{SiteID: site.ID, VisitorID: "v", State: store.StateOpen}
	must(t, s.CreateConversation(ctx, conv))
	_, _, err := s.AppendMessage(ctx, &store.Message{ConversationID: conv.ID, Text: "hi", ClientID: "c1"})
	must(t, err)
	note := &store.Notification{ID: "n1", Type: "offline_message", SiteID: site.ID, Channel: store.ChannelEmail, State: store.NotificationPending}
	off, _, err := s.AddOfflineMessage(ctx, &store.OfflineMessage{SiteID: site.ID, VisitorID: "v", ClientID: "c1"}, note)
	must(t, err)
	_, _, err = s.SetOfflineState(ctx, site.ID, off.ID, store.OfflineDone)
	must(t, err)
	_, err = s.UpdateNotification(ctx, note.ID, func(n *store.Notification) error {
		n.State = store.NotificationDelivered
		return nil
	})
	must(t, err)
	must(t, s.PutSetting(ctx, "k", []byte("v")))
	_, err = s.VisitorNumber(ctx, site.ID, "v")
	must(t, err)
}

// waitBack waits until s answers after a restart of its server (go-redis probes a
// server it could not dial once a second).
func waitBack(t testing.TB, s store.Store) time.Duration {
	t.Helper()
	start := time.Now()
	for s.Ping(t.Context()) != nil {
		if time.Since(start) > 10*time.Second {
			t.Fatal("the store did not come back within 10 s of the restart")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(start)
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// countHook counts the commands a client sends, a pipeline's one by one.
type countHook struct{ n atomic.Int64 }

func (h *countHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *countHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmd)
	}
}

func (h *countHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.n.Add(int64(len(cmds)))
		return next(ctx, cmds)
	}
}

// A chat start (a conversation and its first message) is one command: one script,
// one round trip, one fsync with appendfsync always.
func TestCreateConversationWithFirstMessageIsOneCommand(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	ctx := t.Context()
	client := newClient(t, srv)
	hook := new(countHook)
	client.AddHook(hook)
	s := newStoreOn(t, client, newPrefix("one"))
	start := func() {
		t.Helper()
		c := &store.Conversation{SiteID: "s", VisitorID: "v", State: store.StateQueued}
		must(t, s.CreateConversation(ctx, c, &store.Message{From: store.FromVisitor, Text: "hello", ClientID: "start"}))
		if c.LastSeq != 1 {
			t.Fatalf("LastSeq %d after a start, want 1", c.LastSeq)
		}
	}
	start() // loads the script (EVALSHA answered NOSCRIPT, then EVAL) on a fresh server
	before := hook.n.Load()
	start()
	if n := hook.n.Load() - before; n != 1 {
		t.Fatalf("a start sent %d commands, want 1", n)
	}
}
