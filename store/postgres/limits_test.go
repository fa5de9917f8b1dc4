package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/livedesk/gateway/internal/pgtest"
	"github.com/livedesk/gateway/store"
	"github.com/livedesk/gateway/store/postgres"
	"github.com/livedesk/gateway/store/storetest"
)

// The list limits: a default for limit <= 0 and a cap for large ones.
func TestListLimits(t *testing.T) {
	storetest.ListLimits(t, newStore(t, pgtest.Start(t)))
}

// Agents without an e-mail are not indexed: several may exist, and none is found
// by the empty e-mail.
func TestAgentsWithoutEmail(t *testing.T) {
	storetest.AgentsWithoutEmail(t, newStore(t, pgtest.Start(t)))
}

// Nodes started together migrate once: every Open succeeds and each migration is
// recorded once.
func TestConcurrentOpenMigratesOnce(t *testing.T) {
	srv := pgtest.Start(t)
	ctx := t.Context()
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			s, err := postgres.Open(ctx, srv.URL())
			if err == nil {
				_ = s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Open %d: %v", i, err)
		}
	}
	s, err := postgres.Open(ctx, srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var n, distinct int
	if err := s.Pool().QueryRow(ctx, "SELECT count(*), count(DISTINCT version) FROM schema_migrations").Scan(&n, &distinct); err != nil {
		t.Fatal(err)
	}
	if n != postgres.LatestVersion() || distinct != n {
		t.Fatalf("schema_migrations holds %d rows (%d versions), want %d", n, distinct, postgres.LatestVersion())
	}
}

// A server crash (pg_ctl stop -m immediate) loses no acknowledged write; while
// it is down calls fail with store.ErrUnavailable, and once it is back the same
// store writes again, its sequence numbers following on without a gap.
func TestServerCrashKeepsAcknowledgedWrites(t *testing.T) {
	srv := pgtest.Start(t)
	s := newStore(t, srv)
	ctx := t.Context()
	conv := &store.Conversation{SiteID: "s", VisitorID: "v", State: store.StateOpen}
	must(t, s.CreateConversation(ctx, conv))
	const acked = 20
	for i := 1; i <= acked; i++ {
		m, _, err := s.AppendMessage(ctx, &store.Message{ConversationID: conv.ID, Text: fmt.Sprint(i), ClientID: fmt.Sprint("c", i)})
		must(t, err)
		if m.Seq != int64(i) {
			t.Fatalf("seq %d for message %d", m.Seq, i)
		}
	}
	srv.Kill()
	short, cancel := context.WithTimeout(ctx, 5*time.Second)
	_, _, err := s.AppendMessage(short, &store.Message{ConversationID: conv.ID, Text: "down"})
	cancel()
	if !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("append while the server is down: %v, want ErrUnavailable", err)
	}
	srv.Restart()
	deadline := time.Now().Add(10 * time.Second)
	for s.Ping(ctx) != nil {
		if time.Now().After(deadline) {
			t.Fatal("the store did not come back within 10 s of the restart")
		}
		time.Sleep(20 * time.Millisecond)
	}
	_, dup, err := s.AppendMessage(ctx, &store.Message{ConversationID: conv.ID, Text: "again", ClientID: "c7"})
	must(t, err)
	if !dup {
		t.Fatal("a resend after the crash was stored again")
	}
	m, _, err := s.AppendMessage(ctx, &store.Message{ConversationID: conv.ID, Text: "after"})
	must(t, err)
	if m.Seq != acked+1 {
		t.Fatalf("seq after the crash: %d, want %d", m.Seq, acked+1)
	}
	msgs, err := s.ListMessages(ctx, conv.ID, 0, 1000)
	must(t, err)
	if len(msgs) != acked+1 {
		t.Fatalf("%d messages after the crash, want %d", len(msgs), acked+1)
	}
}

// Concurrent appends to one conversation get the sequence numbers 1..n, each once.
func TestConcurrentAppendsHaveNoGaps(t *testing.T) {
	srv := pgtest.Start(t)
	a := newStore(t, srv)
	ctx := t.Context()
	conv := &store.Conversation{SiteID: "s", VisitorID: "v", State: store.StateOpen}
	must(t, a.CreateConversation(ctx, conv))
	// A second store on the same schema stands for a second node.
	b, err := postgres.Open(ctx, a.Pool().Config().ConnString())
	must(t, err)
	defer b.Close()
	const n = 100
	var wg sync.WaitGroup
	seqs := make([]int64, n)
	for i := range n {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Go(func() {
			m, _, err := s.AppendMessage(ctx, &store.Message{ConversationID: conv.ID, Text: "x"})
			if err != nil {
				t.Error(err)
				return
			}
			seqs[i] = m.Seq
		})
	}
	wg.Wait()
	seen := make(map[int64]bool)
	for _, q := range seqs {
		if q < 1 || q > n || seen[q] {
			t.Fatalf("sequence numbers %v: want 1..%d each once", seqs, n)
		}
		seen[q] = true
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
