package hub

import (
	"testing"

	"github.com/livedesk/gateway/internal/testkit"
)

// writtenAfterIdle waits for tc's writer to finish and returns what it wrote.
func writtenAfterIdle(t *testing.T, tc *testClient) []string {
	t.Helper()
	waitIdle(t, tc.Client, tc.exits)
	frames, _, _, _ := tc.fake.snapshot()
	return frames
}

func TestHoldReleaseOrdersWelcomeFirstAndDropsWhatTheSnapshotHas(t *testing.T) {
	tc := newTestClient(ClientOptions{QueueLimit: 8}, false)
	tc.Hold()
	tc.SendSeq([]byte("status-5"), 5, true) // made before the snapshot (seq 7): dropped
	tc.SendSeq([]byte("msg-0"), 0, false)   // unordered: kept
	tc.SendSeq([]byte("status-9"), 9, true) // after: kept
	tc.Send([]byte("plain"))                // plain Send while held: kept
	tc.SendSeq([]byte("queue-7"), 7, false) // equal to the snapshot: dropped
	if got := writtenAfterIdle(t, tc); len(got) != 0 {
		t.Fatalf("a held client wrote %q", got)
	}
	if !tc.Release(7, []byte("welcome")) {
		t.Fatal("Release failed")
	}
	tc.Send([]byte("after"))
	testkit.Equal(t, "frames", writtenAfterIdle(t, tc), []string{"welcome", "msg-0", "status-9", "plain", "after"})
}

func TestHoldOverflowClosesSlowConsumer(t *testing.T) {
	tc := newTestClient(ClientOptions{QueueLimit: 2}, false)
	tc.Hold()
	tc.SendSeq([]byte("a"), 1, false)
	tc.SendSeq([]byte("b"), 2, false)
	if tc.SendSeq([]byte("c"), 3, false) {
		t.Fatal("third held frame accepted over a limit of 2")
	}
	testkit.Equal(t, "close code", tc.CloseCode(), CloseSlowConsumer)
	if tc.Release(0, []byte("welcome")) {
		t.Fatal("Release on a closed client reported success")
	}
}

func TestBroadcastSeqReachesHeldAndFreeMembers(t *testing.T) {
	h := New(4)
	held, free := newTestClient(ClientOptions{}, false), newTestClient(ClientOptions{}, false)
	h.Join("g", held.Client)
	h.Join("g", free.Client)
	held.Hold()
	testkit.Equal(t, "reached", h.BroadcastSeq("g", []byte("x"), 3, false), 2)
	testkit.Equal(t, "free member got", writtenAfterIdle(t, free), []string{"x"})
	testkit.Equal(t, "held member got", len(writtenAfterIdle(t, held)), 0)
	held.Release(2)
	testkit.Equal(t, "held member after release", writtenAfterIdle(t, held), []string{"x"})
}
