package redisstore_test

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/livedesk/gateway/internal/redistest"
	"github.com/livedesk/gateway/store"
	redisstore "github.com/livedesk/gateway/store/redis"
)

// twoNodes returns two stores on one Redis, each with a client (and connections) of
// its own, as two gateway nodes have, under one fresh prefix.
func twoNodes(t *testing.T, srv *redistest.Server) [2]*redisstore.Store {
	t.Helper()
	prefix := newPrefix("nodes")
	return [2]*redisstore.Store{
		newStoreOn(t, newClient(t, srv), prefix),
		newStoreOn(t, newClient(t, srv), prefix),
	}
}

// race runs fns at once (as near as goroutines get) and waits for them.
func race(fns ...func()) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, fn := range fns {
		wg.Go(func() {
			<-start
			fn()
		})
	}
	close(start)
	wg.Wait()
}

// Two nodes each take the owner role from one of the last two owners at the same
// moment: exactly one succeeds, the other gets ErrLastOwner, and one owner is left.
func TestCrossClientLastOwner(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	ctx := t.Context()
	for round := range 40 {
		nodes := twoNodes(t, srv)
		var owners [2]*store.Agent
		for i := range owners {
			owners[i] = &store.Agent{Email: fmt.Sprintf("o%d@x.example", i), Role: store.RoleOwner}
			must(t, nodes[0].CreateAgent(ctx, owners[i]))
		}
		var errs [2]error
		remove := func(i int) func() {
			return func() {
				if round%2 == 1 && i == 1 { // odd rounds: a delete races a demotion
					errs[i] = nodes[i].DeleteAgent(ctx, owners[i].ID)
					return
				}
				_, errs[i] = nodes[i].UpdateAgent(ctx, owners[i].ID, func(a *store.Agent) error {
					a.Role = store.RoleAdmin
					return nil
				})
			}
		}
		race(remove(0), remove(1))
		ok := 0
		for i, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, store.ErrLastOwner):
				t.Fatalf("round %d: node %d: %v, want nil or ErrLastOwner", round, i, err)
			}
		}
		if ok != 1 {
			t.Fatalf("round %d: %d of the two removals succeeded (%v), want exactly 1", round, ok, errs)
		}
		agents, err := nodes[1].ListAgents(ctx)
		must(t, err)
		left := 0
		for _, a := range agents {
			if a.Role == store.RoleOwner {
				left++
			}
		}
		if left != 1 {
			t.Fatalf("round %d: %d owners left, want 1", round, left)
		}
	}
}

// Nodes creating agents with one e-mail (in different cases) at once: one wins.
func TestCrossClientEmailUnique(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	ctx := t.Context()
	for round := range 20 {
		nodes := twoNodes(t, srv)
		const each = 4
		errs := make([]error, 2*each)
		var fns []func()
		for i := range errs {
			email := "same@x.example"
			if i%2 == 1 {
				email = strings.ToUpper(email)
			}
			fns = append(fns, func() {
				errs[i] = nodes[i%2].CreateAgent(ctx, &store.Agent{Email: email, Role: store.RoleAgent})
			})
		}
		race(fns...)
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, store.ErrConflict):
				t.Fatalf("round %d: CreateAgent: %v, want nil or ErrConflict", round, err)
			}
		}
		agents, err := nodes[0].ListAgents(ctx)
		must(t, err)
		if ok != 1 || len(agents) != 1 {
			t.Fatalf("round %d: %d creates succeeded, %d agents stored; want 1 and 1", round, ok, len(agents))
		}
	}
}

// Appends from two nodes get every seq once, without gaps, in each sender's order;
// concurrent read-modify-writes of the same conversation lose nothing (and do not
// disturb the appends).
func TestCrossClientAppendAndUpdate(t *testing.T) {
	t.Parallel()
	const senders, each, updaters, updates = 4, 100, 4, 25
	srv := redistest.Start(t)
	ctx := t.Context()
	nodes := twoNodes(t, srv)
	conv := &store.Conversation{SiteID: "s", State: store.StateOpen, Page: "0"}
	must(t, nodes[0].CreateConversation(ctx, conv))

	seqs := make([][]int64, 2*senders)
	errs := make(chan error, 2*senders+2*updaters)
	var fns []func()
	for w := range 2 * senders {
		fns = append(fns, func() {
			for i := range each {
				id := fmt.Sprintf("w%d-%d", w, i)
				m, dup, err := nodes[w%2].AppendMessage(ctx, &store.Message{ConversationID: conv.ID, Text: id, ClientID: id})
				if err != nil || dup {
					errs <- fmt.Errorf("append %s: dup=%v err=%v", id, dup, err)
					return
				}
				seqs[w] = append(seqs[w], m.Seq)
			}
		})
	}
	for u := range 2 * updaters {
		fns = append(fns, func() {
			for range updates {
				_, err := nodes[u%2].UpdateConversation(ctx, conv.ID, func(c *store.Conversation) error {
					n, err := strconv.Atoi(c.Page)
					if err != nil {
						return err
					}
					c.Page = strconv.Itoa(n + 1)
					return nil
				})
				if err != nil {
					errs <- fmt.Errorf("update: %w", err)
					return
				}
			}
		})
	}
	race(fns...)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	seen := map[int64]bool{}
	for w, ss := range seqs {
		for i, seq := range ss {
			if i > 0 && seq <= ss[i-1] {
				t.Fatalf("sender %d got seq %d after %d", w, seq, ss[i-1])
			}
			if seen[seq] {
				t.Fatalf("seq %d handed out twice", seq)
			}
			seen[seq] = true
		}
	}
	const total = 2 * senders * each
	for seq := int64(1); seq <= total; seq++ {
		if !seen[seq] {
			t.Fatalf("seq %d never handed out", seq)
		}
	}
	got, err := nodes[1].GetConversation(ctx, conv.ID)
	must(t, err)
	if got.LastSeq != total || got.Page != strconv.Itoa(2*updaters*updates) {
		t.Fatalf("conversation after the race: LastSeq %d, counter %s; want %d, %d", got.LastSeq, got.Page, total, 2*updaters*updates)
	}
	msgs, err := nodes[1].ListMessages(ctx, conv.ID, 0, 1000)
	must(t, err)
	for i, m := range msgs {
		if m.Seq != int64(i+1) || m.Text != m.ClientID {
			t.Fatalf("message %d: %+v", i+1, m)
		}
	}
}
