package ws

import (
	"sync"
	"testing"
	"time"

	"github.com/livedesk/gateway/hub"
)

// Every pushed leave runs exactly once, however many sockets push at once, and a
// push after the drain went idle starts the next one.
func TestLeaverRunsEveryLeaveOnce(t *testing.T) {
	var mu sync.Mutex
	seen := map[*hub.Client]int{}
	done := make(chan struct{}, 1<<14)
	l := &leaver{leave: func(c *hub.Client, groups []string) {
		mu.Lock()
		seen[c]++
		mu.Unlock()
		if len(groups) != 2 {
			t.Errorf("groups %v", groups)
		}
		done <- struct{}{}
	}}
	wait := func(n int) {
		t.Helper()
		timeout := time.After(10 * time.Second)
		for i := 0; i < n; i++ {
			select {
			case <-done:
			case <-timeout:
				t.Fatalf("%d of %d leaves ran", i, n)
			}
		}
	}
	const pushers, each = 64, 100
	clients := make([]*hub.Client, pushers*each)
	for i := range clients {
		clients[i] = &hub.Client{}
	}
	var wg sync.WaitGroup
	for p := 0; p < pushers; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				l.push(clients[p*each+i], []string{"site:s", "visitor:v"})
			}
		}()
	}
	wg.Wait()
	wait(len(clients))
	for i := 0; i < 1000 && l.running.Load(); i++ {
		time.Sleep(time.Millisecond)
	}
	if l.running.Load() {
		t.Fatal("the drain is still running with nothing to leave")
	}
	late := &hub.Client{}
	l.push(late, []string{"site:s", "visitor:v"})
	wait(1)
	mu.Lock()
	defer mu.Unlock()
	for _, c := range append(clients, late) {
		if seen[c] != 1 {
			t.Fatalf("a client left %d times", seen[c])
		}
	}
}
