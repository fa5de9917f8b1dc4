package hub

import (
	"fmt"
	"testing"
	"time"

	"github.com/livedesk/gateway/internal/testkit"
)

func TestCloseAllSpreadsCloses(t *testing.T) {
	for _, tc := range []struct {
		clients      int
		spread       time.Duration
		wantBatches  int
		wantStepSize time.Duration
	}{
		{clients: 100, spread: 2 * time.Second, wantBatches: 100, wantStepSize: 2 * time.Second / 99},
		{clients: 1000, spread: time.Second, wantBatches: 101, wantStepSize: 10 * time.Millisecond},
		{clients: 7, spread: 0, wantBatches: 1},
		{clients: 1, spread: time.Second, wantBatches: 1},
	} {
		t.Run(fmt.Sprintf("%d in %v", tc.clients, tc.spread), func(t *testing.T) {
			h := New(8)
			cs := make([]*Client, tc.clients)
			for i := range cs {
				cs[i] = NewClient(newFake(), ClientOptions{})
				h.Join(fmt.Sprint("site:", i%5), cs[i])
				h.Join(fmt.Sprint("visitor:", i), cs[i]) // in two groups, asked once
			}
			closed := func() int {
				n := 0
				for _, c := range cs {
					if c.CloseCode() != 0 {
						n++
					}
				}
				return n
			}
			var sleeps []time.Duration
			var closedAtSleep []int
			h.CloseAll(CloseRestart, "restart", tc.spread, func(d time.Duration) {
				sleeps = append(sleeps, d)
				closedAtSleep = append(closedAtSleep, closed())
			})

			testkit.Equal(t, "sleeps", len(sleeps), tc.wantBatches-1)
			var total time.Duration
			for _, d := range sleeps {
				testkit.Equal(t, "step", d, tc.wantStepSize)
				total += d
			}
			if tc.wantBatches > 1 && (total > tc.spread || total < tc.spread-time.Duration(tc.wantBatches)) {
				t.Fatalf("slept %v in all, want %v", total, tc.spread)
			}
			// Evenly: before sleep k, the first k batches' share of clients is closed.
			for k, n := range closedAtSleep {
				if want := (k + 1) * tc.clients / tc.wantBatches; n != want {
					t.Fatalf("closed before sleep %d: %d, want %d", k, n, want)
				}
			}
			for i, c := range cs {
				if c.CloseCode() != CloseRestart {
					t.Fatalf("client %d: code %d, want %d", i, c.CloseCode(), CloseRestart)
				}
			}
		})
	}
}

func TestCloseAllFlushesPending(t *testing.T) {
	h := New(0)
	tc := newTestClient(ClientOptions{}, true)
	h.Join("site:1", tc.Client)
	tc.fake.block()
	tc.Send([]byte("p"))
	testkit.Recv(t, "write of p", tc.fake.started)
	tc.Send([]byte("a"))
	h.CloseAll(CloseRestart, "restart", 0, nil) // returns with the client asked to close
	testkit.Equal(t, "code while flushing", tc.CloseCode(), 0)
	tc.fake.unblock()
	waitClosed(t, tc.Client)
	_, events, _, _ := tc.fake.snapshot()
	testkit.Equal(t, "events", events, []string{"p", "a", "close 1012 restart"})
}

func TestCloseAllEmpty(t *testing.T) {
	New(0).CloseAll(CloseRestart, "", time.Second, func(time.Duration) { t.Fatal("slept with no clients") })
}
