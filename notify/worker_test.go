package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/livedesk/gateway/clock"
	"github.com/livedesk/gateway/internal/redistest"
	"github.com/livedesk/gateway/internal/webhooktest"
	"github.com/livedesk/gateway/store"
	redisstore "github.com/livedesk/gateway/store/redis"
)

func webhookItem(id, url string, at time.Time) *store.Notification {
	return &store.Notification{ID: id, EventID: "ev-" + id, Type: TypeStatusChanged, SiteID: "s1", Channel: store.ChannelWebhook,
		URL: url, Secret: "k", Data: json.RawMessage(`{"site":{"id":"s1"}}`), State: store.NotificationPending, CreatedAt: at, NextAttemptAt: at}
}

// waitItem polls the store until cond holds for the item (the worker runs in real
// time); it fails the test after 10 s.
func waitItem(t *testing.T, st store.Store, id string, what string, cond func(*store.Notification) bool) *store.Notification {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		n, err := st.GetNotification(context.Background(), id)
		if err == nil && cond(n) {
			return n
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: item is %+v (%v)", what, n, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestWorkerRetriesThenGivesUpAtTheWindowEnd(t *testing.T) {
	st := openBolt(t)
	clk := clock.NewFake(t0)
	hook := webhooktest.Start(t)
	for i := 0; i < 10; i++ {
		hook.Fail(500)
	}
	reg := prometheus.NewRegistry()
	w := NewWorker(WorkerOptions{Store: st, Clock: clk, Webhooks: loopbackWebhooks(time.Second), Metrics: NewMetrics(reg, st, clk),
		Backoff: Backoff{Base: 10 * time.Second, Max: time.Hour, Window: time.Minute, Jitter: func() float64 { return 0.5 }}})
	w.Start()
	defer w.Stop()
	if _, err := st.AddNotifications(context.Background(), webhookItem("n1", hook.URL, t0)); err != nil {
		t.Fatal(err)
	}
	w.Wake()
	// Attempts at +0, +10 s, +30 s and the last one at the window's end, +60 s.
	for i, at := range []time.Duration{10 * time.Second, 30 * time.Second, 60 * time.Second} {
		waitItem(t, st, "n1", fmt.Sprintf("attempt %d recorded", i+1), func(n *store.Notification) bool { return n.Attempts == i+1 })
		n, _ := st.GetNotification(context.Background(), "n1")
		if !n.NextAttemptAt.Equal(t0.Add(at)) {
			t.Fatalf("after attempt %d next at %v, want +%v", i+1, n.NextAttemptAt.Sub(t0), at)
		}
		clk.Set(t0.Add(at))
	}
	n := waitItem(t, st, "n1", "given up", func(n *store.Notification) bool { return n.State == store.NotificationFailed })
	if n.Attempts != 4 || !strings.Contains(n.LastError, "500") || n.DeliveredAt != nil {
		t.Fatalf("failed item %+v", n)
	}
	if got := len(hook.Requests()); got != 4 {
		t.Fatalf("%d requests, want 4", got)
	}
	w.Stop() // the counters move after the store does: let the last attempt end
	if v := testutil.ToFloat64(w.o.Metrics.failures.WithLabelValues("webhook", TypeStatusChanged)); v != 4 {
		t.Fatalf("failures metric %v", v)
	}
	if v := testutil.ToFloat64(w.o.Metrics.gaveUp.WithLabelValues("webhook", TypeStatusChanged)); v != 1 {
		t.Fatalf("gave-up metric %v", v)
	}
	// Nothing pending any more: depth 0.
	if out, err := testutil.GatherAndCount(reg, "gateway_notifications_pending"); err != nil || out != 1 {
		t.Fatalf("pending gauge: %v %v", out, err)
	}
}

func TestOutboxDepthMetrics(t *testing.T) {
	st := openBolt(t)
	clk := clock.NewFake(t0)
	reg := prometheus.NewRegistry()
	NewMetrics(reg, st, clk)
	for i := 0; i < 3; i++ {
		if _, err := st.AddNotifications(context.Background(), webhookItem(fmt.Sprintf("n%d", i), "http://127.0.0.1:9/", t0.Add(time.Duration(i)*time.Minute))); err != nil {
			t.Fatal(err)
		}
	}
	clk.Set(t0.Add(10 * time.Minute))
	want := `
# HELP gateway_notifications_oldest_pending_seconds Age of the oldest pending notification (0 when none).
# TYPE gateway_notifications_oldest_pending_seconds gauge
gateway_notifications_oldest_pending_seconds 600
# HELP gateway_notifications_pending Notifications in the outbox not yet delivered nor given up.
# TYPE gateway_notifications_pending gauge
gateway_notifications_pending 3
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "gateway_notifications_pending", "gateway_notifications_oldest_pending_seconds"); err != nil {
		t.Fatal(err)
	}
}

func TestEmailWithoutMailerFailsTheAttemptWithTheReason(t *testing.T) {
	st := openBolt(t)
	clk := clock.NewFake(t0)
	w := NewWorker(WorkerOptions{Store: st, Clock: clk, Webhooks: loopbackWebhooks(time.Second)})
	w.Start()
	defer w.Stop()
	n := webhookItem("e1", "", t0)
	n.Channel, n.To = store.ChannelEmail, []string{"a@example.com"}
	if _, err := st.AddNotifications(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	w.Wake()
	got := waitItem(t, st, "e1", "attempt recorded", func(n *store.Notification) bool { return n.Attempts == 1 })
	if got.State != store.NotificationPending || !strings.Contains(got.LastError, "--smtp-url") {
		t.Fatalf("item %+v", got)
	}
}

// A stop in the middle of an attempt leaves the item pending, with no attempt
// counted: the receiver did not refuse it.
func TestStopMidAttemptKeepsTheItemPending(t *testing.T) {
	st := openBolt(t)
	clk := clock.NewFake(t0)
	entered := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body) // the server notices a closed connection only after the body
		entered <- struct{}{}
		<-r.Context().Done()
	}))
	defer srv.Close()
	w := NewWorker(WorkerOptions{Store: st, Clock: clk, Webhooks: loopbackWebhooks(30 * time.Second)})
	w.Start()
	if _, err := st.AddNotifications(context.Background(), webhookItem("n1", srv.URL, t0)); err != nil {
		t.Fatal(err)
	}
	w.Wake()
	<-entered
	w.Stop()
	n, err := st.GetNotification(context.Background(), "n1")
	if err != nil || n.State != store.NotificationPending || n.Attempts != 0 {
		t.Fatalf("after stop: %+v %v", n, err)
	}
}

// Two nodes' workers over one Redis outbox deliver each item exactly once.
func TestTwoWorkersWithRedisClaimsDeliverEachItemOnce(t *testing.T) {
	srv := redistest.Start(t)
	var seenMu sync.Mutex
	seen := map[string]int{}
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b WebhookBody
		_ = json.NewDecoder(r.Body).Decode(&b)
		seenMu.Lock()
		seen[b.ID]++
		seenMu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer hook.Close()
	var stores []store.Store
	var workers []*Worker
	for i := 0; i < 2; i++ {
		rs, err := redisstore.Open(context.Background(), "redis://"+srv.Addr())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { rs.Close() })
		stores = append(stores, rs)
		w := NewWorker(WorkerOptions{Store: rs, Clock: clock.Real{}, Webhooks: loopbackWebhooks(5 * time.Second),
			Claims: NewRedisClaims(rs.Client(), "t:", fmt.Sprintf("node%d", i)), Poll: 20 * time.Millisecond, Concurrency: 8})
		workers = append(workers, w)
	}
	const total = 200
	now := time.Now()
	var items []*store.Notification
	for i := 0; i < total; i++ {
		items = append(items, webhookItem(fmt.Sprintf("n%03d", i), hook.URL, now))
	}
	if _, err := stores[0].AddNotifications(context.Background(), items...); err != nil {
		t.Fatal(err)
	}
	for _, w := range workers {
		w.Start()
		defer w.Stop()
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		stats, err := stores[1].OutboxStats(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if stats.Pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d still pending", stats.Pending)
		}
		time.Sleep(10 * time.Millisecond)
	}
	seenMu.Lock()
	defer seenMu.Unlock()
	if len(seen) != total {
		t.Fatalf("%d distinct events delivered, want %d", len(seen), total)
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("%s delivered %d times", id, n)
		}
	}
}

// A graceful stop sends what is due now, even if the loop never saw it.
func TestDrainSendsWhatIsDue(t *testing.T) {
	st := openBolt(t)
	clk := clock.NewFake(t0)
	hook := webhooktest.Start(t)
	w := NewWorker(WorkerOptions{Store: st, Clock: clk, Webhooks: loopbackWebhooks(5 * time.Second), Poll: time.Hour})
	w.Start()
	if _, err := st.AddNotifications(context.Background(), webhookItem("n1", hook.URL, t0)); err != nil {
		t.Fatal(err)
	}
	// No Wake: only the drain's last round can find it.
	w.Drain(5 * time.Second)
	n, err := st.GetNotification(context.Background(), "n1")
	if err != nil || n.State != store.NotificationDelivered || len(hook.Requests()) != 1 {
		t.Fatalf("after drain: %+v %v, %d requests", n, err, len(hook.Requests()))
	}
}
