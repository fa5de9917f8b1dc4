package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/livedesk/gateway/internal/redistest"
	"github.com/livedesk/gateway/store"
)

// Writers write until the redis-server is killed with SIGKILL; after a restart on
// the same directory, every write that returned nil is there. (A process kill keeps
// what Redis wrote to the append-only file; appendfsync always is what keeps it
// through a machine crash too, which a test cannot cut the power for.)
func TestCrashKeepsAcknowledgedWrites(t *testing.T) {
	t.Parallel()
	const writers, killAfter = 8, 200
	srv := redistest.Start(t)
	ctx := t.Context()
	s := newStoreOn(t, newClient(t, srv), "crash:")
	conv := &store.Conversation{ID: "crash-conv", SiteID: "crash-site", State: store.StateOpen}
	must(t, s.CreateConversation(ctx, conv))

	type acked struct {
		sites   []string
		msgs    []*store.Message
		offline []string
	}
	var (
		done   [writers]acked
		errs   [writers]error
		rounds atomic.Int64
		killed atomic.Bool
		early  atomic.Bool // a write failed before the kill
		wg     sync.WaitGroup
	)
	for w := range writers {
		wg.Go(func() {
			fail := func(err error) {
				errs[w] = err
				if !killed.Load() {
					early.Store(true)
				}
			}
			for n := 0; ; n++ {
				id := fmt.Sprintf("w%d-%06d", w, n)
				if err := s.CreateSite(ctx, &store.Site{ID: id, Name: "site " + id}); err != nil {
					fail(err)
					return
				}
				done[w].sites = append(done[w].sites, id)
				m, _, err := s.AppendMessage(ctx, &store.Message{ConversationID: conv.ID, Text: id, ClientID: id})
				if err != nil {
					fail(err)
					return
				}
				done[w].msgs = append(done[w].msgs, m)
				off, _, err := s.AddOfflineMessage(ctx, &store.OfflineMessage{SiteID: "crash-site", VisitorID: "v", Message: id, ClientID: id})
				if err != nil {
					fail(err)
					return
				}
				done[w].offline = append(done[w].offline, off.ID)
				rounds.Add(1)
			}
		})
	}
	deadline := time.Now().Add(30 * time.Second)
	for rounds.Load() < killAfter && time.Now().Before(deadline) && !early.Load() {
		time.Sleep(time.Millisecond)
	}
	killed.Store(true)
	srv.Stop()
	wg.Wait()
	if early.Load() {
		t.Fatalf("a write failed before the kill: %v", errors.Join(errs[:]...))
	}
	for w, err := range errs {
		if !errors.Is(err, store.ErrUnavailable) {
			t.Fatalf("writer %d stopped with %v, want ErrUnavailable", w, err)
		}
	}
	t.Logf("redis-server killed after %d acknowledged rounds of 3 writes", rounds.Load())

	srv.Restart()
	waitBack(t, s)
	for w := range writers {
		for _, id := range done[w].sites {
			site, err := s.GetSite(ctx, id)
			if err != nil || site.Name != "site "+id {
				t.Fatalf("acknowledged site %s after the crash: %+v, %v", id, site, err)
			}
		}
	}
	msgs, err := s.ListMessages(ctx, conv.ID, 0, 1000)
	must(t, err)
	for i, m := range msgs {
		if m.Seq != int64(i+1) || m.Text != m.ClientID {
			t.Fatalf("message %d after the crash: %+v", i+1, m)
		}
	}
	for w := range writers {
		for _, m := range done[w].msgs {
			if m.Seq > int64(len(msgs)) || msgs[m.Seq-1].Text != m.Text {
				t.Fatalf("acknowledged message %d (%s) lost", m.Seq, m.Text)
			}
		}
	}
	got, err := s.GetConversation(ctx, conv.ID)
	must(t, err)
	if got.LastSeq != int64(len(msgs)) {
		t.Fatalf("LastSeq %d with %d messages", got.LastSeq, len(msgs))
	}
	offline := map[string]bool{}
	for after := ""; ; {
		page, err := s.ListOfflineMessages(ctx, "crash-site", after, 500)
		must(t, err)
		if len(page) == 0 {
			break
		}
		for _, m := range page {
			offline[m.ID] = true
		}
		after = page[len(page)-1].ID
	}
	for w := range writers {
		for _, id := range done[w].offline {
			if !offline[id] {
				t.Fatalf("acknowledged offline message %s lost", id)
			}
		}
	}
	// The indexes came back too: a resend is a duplicate, a new message follows on.
	first := done[0].msgs[0]
	again, dup, err := s.AppendMessage(ctx, &store.Message{ConversationID: conv.ID, Text: "resent", ClientID: first.ClientID})
	must(t, err)
	if !dup || again.Seq != first.Seq {
		t.Fatalf("resend after the crash: dup=%v seq=%d, want a duplicate of %d", dup, again.Seq, first.Seq)
	}
	next, _, err := s.AppendMessage(ctx, &store.Message{ConversationID: conv.ID, Text: "next"})
	must(t, err)
	if next.Seq != int64(len(msgs))+1 {
		t.Fatalf("seq after the crash %d, want %d", next.Seq, len(msgs)+1)
	}
}

// While Redis is down every call fails fast with ErrUnavailable; once it is back
// the same store works again.
func TestOutage(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	ctx := t.Context()
	s := newStoreOn(t, newClient(t, srv), "outage:")
	site := &store.Site{Name: "Shop"}
	must(t, s.CreateSite(ctx, site))
	conv := &store.Conversation{SiteID: site.ID, State: store.StateOpen}
	must(t, s.CreateConversation(ctx, conv))
	_, _, err := s.AppendMessage(ctx, &store.Message{ConversationID: conv.ID, Text: "before"})
	must(t, err)

	srv.Stop()
	calls := []struct {
		name string
		call func() error
	}{
		{"Ping", func() error { return s.Ping(ctx) }},
		{"GetSite", func() error { _, err := s.GetSite(ctx, site.ID); return err }},
		{"CreateSite", func() error { return s.CreateSite(ctx, &store.Site{Name: "New"}) }},
		{"UpdateSite", func() error {
			_, err := s.UpdateSite(ctx, site.ID, func(*store.Site) error { return nil })
			return err
		}},
		{"CreateConversation", func() error {
			return s.CreateConversation(ctx, &store.Conversation{SiteID: site.ID, State: store.StateQueued},
				&store.Message{From: store.FromVisitor, Text: "during", ClientID: "start"})
		}},
		{"AppendMessage", func() error {
			_, _, err := s.AppendMessage(ctx, &store.Message{ConversationID: conv.ID, Text: "during"})
			return err
		}},
		{"AppendLive", func() error {
			_, _, _, err := s.AppendLive(ctx, &store.Message{ConversationID: conv.ID, From: store.FromVisitor, Text: "during"}, "")
			return err
		}},
		{"ListConversations", func() error {
			_, err := s.ListConversations(ctx, store.ConversationFilter{SiteID: site.ID})
			return err
		}},
		{"PutSettingIfAbsent", func() error { _, err := s.PutSettingIfAbsent(ctx, "k", []byte("v")); return err }},
	}
	for _, c := range calls {
		start := time.Now()
		err := c.call()
		d := time.Since(start)
		if !errors.Is(err, store.ErrUnavailable) {
			t.Errorf("%s while Redis is down: %v, want ErrUnavailable", c.name, err)
		}
		if d > 3*time.Second {
			t.Errorf("%s while Redis is down took %v", c.name, d)
		}
		t.Logf("%s while Redis is down: failed in %v", c.name, d.Round(time.Millisecond))
	}

	srv.Restart()
	t.Logf("store answered %v after the restart", waitBack(t, s).Round(time.Millisecond))
	got, err := s.GetSite(ctx, site.ID)
	must(t, err)
	if got.Name != "Shop" {
		t.Fatalf("site after the outage: %+v", got)
	}
	m, _, err := s.AppendMessage(ctx, &store.Message{ConversationID: conv.ID, Text: "after"})
	must(t, err)
	if m.Seq != 2 {
		t.Fatalf("seq after the outage: %d, want 2", m.Seq)
	}
}

// A server that stops answering (paused here) makes calls fail after the client's
// read timeout, or the caller's deadline when that comes first.
func TestHungServer(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	ctx := t.Context()
	s := newStoreOn(t, newClient(t, srv), "hung:")
	must(t, s.PutSetting(ctx, "k", []byte("v")))
	must(t, srv.Client().Do(ctx, "CLIENT", "PAUSE", "2500", "ALL").Err())

	start := time.Now()
	_, err := s.GetSetting(ctx, "k")
	if !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("GetSetting from a hung server: %v, want ErrUnavailable", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("GetSetting from a hung server took %v (read timeout 1 s)", d)
	}

	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	start = time.Now()
	err = s.PutSetting(short, "k", []byte("w"))
	if !errors.Is(err, store.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("PutSetting past its deadline: %v, want ErrUnavailable and DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 900*time.Millisecond {
		t.Fatalf("PutSetting with a 100 ms deadline took %v", d)
	}
}
