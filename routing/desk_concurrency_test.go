package routing

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/livedesk/gateway/routing/schedule"
	"github.com/livedesk/gateway/store"
)

// TestConcurrentSmoke drives the desk from many goroutines while the fake clock runs
// schedule boundaries, queue timeouts, idle and grace timers; afterwards the desk and
// the store agree and no rule is broken. Run it under -race.
func TestConcurrentSmoke(t *testing.T) {
	t0 := utc(0, 10, 0, 0)
	r := newRig(t, t0)
	s1 := newSite("s1", schedule.AlwaysOpen())
	s1.QueueTimeoutSeconds = 20
	r.addSite(s1)
	s2 := newSite("s2", daily("UTC", iv("10:00", "10:03"), iv("10:05", "10:08"), iv("10:10", "10:13")))
	s2.ClosingSoonMinutes = 1
	s2.QueueTimeoutSeconds = 30
	r.addSite(s2)
	agents := []*store.Agent{newAgent("a1", 2), newAgent("a2", 2), newAgent("a3", 1, "s2"), newAgent("a4", 3, "s1")}
	agents[0].IdleMinutes = 1
	sh := daily("UTC", iv("10:02", "10:06"))
	agents[1].Schedule, agents[1].ShiftWarningMinutes = &sh, 1
	maxChats := map[string]int{}
	for _, a := range agents {
		r.addAgent(a)
		maxChats[a.ID] = a.MaxChats
	}
	agents[3].IdleMinutes = 0
	r.load()
	// a4 keeps one socket throughout (and never idles), so site s1 stays online
	// however far the clock goroutine runs ahead of the others: conversations are
	// created whatever the scheduling.
	if _, err := r.d.AgentConnected("a4"); err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	fail := func(format string, args ...any) { t.Errorf(format, args...) }
	wg.Add(1)
	go func() { // the clock
		defer wg.Done()
		for i := 0; i < 200; i++ {
			r.clk.Advance(5 * time.Second)
		}
	}()
	for g := 0; g < 8; g++ { // visitors
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				site := []string{"s1", "s2"}[(g+i)%2]
				v := fmt.Sprintf("v%d-%d", g, i/3) // some visitors try several times
				_, err := r.d.StartChat(r.ctx, StartRequest{SiteID: site, VisitorID: v, ClientID: fmt.Sprintf("c%d", i), Text: "hi"})
				if err != nil && !errors.Is(err, ErrConversationExists) {
					fail("StartChat: %v", err)
				}
				if i%4 == 3 {
					if c := r.d.VisitorConversation(v); c != nil {
						if _, err := r.d.EndChat(r.ctx, EndRequest{ConversationID: c.ID, By: store.FromVisitor}); err != nil && !errors.Is(err, ErrNotInConversation) {
							fail("visitor EndChat: %v", err)
						}
					}
				}
			}
		}()
	}
	for _, a := range agents { // agents
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				snap, err := r.d.AgentConnected(a.ID)
				if err != nil {
					fail("AgentConnected: %v", err)
					return
				}
				r.d.Activity(a.ID)
				if i%2 == 1 {
					for _, c := range snap.Conversations {
						if _, err := r.d.EndChat(r.ctx, EndRequest{ConversationID: c.ID, By: store.FromAgent, AgentID: a.ID}); err != nil && !errors.Is(err, ErrNotInConversation) {
							fail("agent EndChat: %v", err)
						}
					}
				}
				if i%7 == 6 {
					status := []string{store.PresenceAway, store.PresenceOnline}[i%2]
					if _, err := r.d.SetPresence(r.ctx, a.ID, status, PresenceReasonManual); err != nil {
						fail("SetPresence: %v", err)
					}
				}
				if i%3 != 0 {
					r.d.AgentDisconnected(a.ID)
				}
			}
		}()
	}
	wg.Wait()
	checkInvariants(t, r, maxChats)
	r.clk.Advance(time.Hour) // every pending timer runs
	checkInvariants(t, r, maxChats)
}

// checkInvariants: every stored conversation is in exactly one state; the desk holds
// exactly the queued and open ones, as stored, each visitor at most one; queues and
// loads match the store; nobody is over max_chats.
func checkInvariants(t *testing.T, r *rig, maxChats map[string]int) {
	t.Helper()
	all, err := r.st.ListConversations(r.ctx, store.ConversationFilter{Limit: 500})
	assertNoError(t, err)
	if len(all) == 0 || len(all) == 500 {
		t.Fatalf("%d conversations: the smoke test did not run as meant", len(all))
	}
	inState := map[string]string{}
	for _, state := range []string{store.StateQueued, store.StateOpen, store.StateEnded, store.StateMissed} {
		cs, err := r.st.ListConversations(r.ctx, store.ConversationFilter{State: state, Limit: 500})
		assertNoError(t, err)
		for _, c := range cs {
			if prev, ok := inState[c.ID]; ok {
				t.Errorf("conversation %s listed as %s and %s", c.ID, prev, state)
			}
			inState[c.ID] = state
		}
	}
	counts := map[string]int{}
	for _, st := range inState {
		counts[st]++
	}
	t.Logf("conversations by state: %v", counts)
	open := map[string]int{}
	queued := map[string]int{}
	inFlight := map[string]string{}
	for _, c := range all {
		if inState[c.ID] != c.State {
			t.Errorf("conversation %s is %q but indexed as %q", c.ID, c.State, inState[c.ID])
		}
		dc := r.d.Conversation(c.ID)
		live := c.State == store.StateQueued || c.State == store.StateOpen
		switch {
		case live && dc == nil:
			t.Errorf("%s conversation %s unknown to the desk", c.State, c.ID)
		case !live && dc != nil:
			t.Errorf("%s conversation %s still in the desk", c.State, c.ID)
		case live && (dc.State != c.State || dc.AgentID != c.AgentID):
			t.Errorf("conversation %s: desk %s/%s, store %s/%s", c.ID, dc.State, dc.AgentID, c.State, c.AgentID)
		}
		if live {
			if other, ok := inFlight[c.VisitorID]; ok {
				t.Errorf("visitor %s has two conversations in flight: %s and %s", c.VisitorID, other, c.ID)
			}
			inFlight[c.VisitorID] = c.ID
		}
		if c.State == store.StateOpen {
			open[c.AgentID]++
		}
		if c.State == store.StateQueued {
			queued[c.SiteID]++
		}
	}
	for id, n := range open {
		if n > maxChats[id] {
			t.Errorf("agent %s has %d open conversations, max_chats %d", id, n, maxChats[id])
		}
	}
	for _, site := range []string{"s1", "s2"} {
		assertEqual(t, site+" queue length", r.d.QueueLength(site), queued[site])
	}
	r.d.mu.Lock()
	defer r.d.mu.Unlock()
	for id, as := range r.d.agents {
		if as.open != open[id] {
			t.Errorf("agent %s: desk counts %d open, store has %d", id, as.open, open[id])
		}
	}
	for v, id := range r.d.byVisitor {
		if inFlight[v] != id {
			t.Errorf("desk maps visitor %s to %s, store says %q", v, id, inFlight[v])
		}
	}
}
