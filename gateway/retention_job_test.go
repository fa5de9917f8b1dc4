package gateway

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/livedesk/gateway/store"
)

const day = 24 * time.Hour

// seedConv stores a conversation of the site in state, over at ended (none when
// zero), with n messages.
func seedConv(t *testing.T, st store.Store, siteID, state string, created, ended time.Time, n int) *store.Conversation {
	t.Helper()
	c := &store.Conversation{SiteID: siteID, VisitorID: "v-" + siteID, State: state, CreatedAt: created}
	if !ended.IsZero() {
		c.EndedAt = &ended
	}
	if err := st.CreateConversation(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if _, _, err := st.AppendMessage(context.Background(), &store.Message{ConversationID: c.ID, From: store.FromVisitor,
			Text: fmt.Sprintf("line %d", i), At: created}); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// seedOffline stores an offline message of the site created at created, in state.
func seedOffline(t *testing.T, st store.Store, siteID, state string, created time.Time) *store.OfflineMessage {
	t.Helper()
	m, _, err := st.AddOfflineMessage(context.Background(), &store.OfflineMessage{SiteID: siteID, VisitorID: "v", Message: "hi", CreatedAt: created})
	if err != nil {
		t.Fatal(err)
	}
	if state != store.OfflineNew {
		if m, _, err = st.SetOfflineState(context.Background(), siteID, m.ID, state); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

// exists reports whether the conversation is still stored.
func exists(t *testing.T, st store.Store, c *store.Conversation) bool {
	t.Helper()
	_, err := st.GetConversation(context.Background(), c.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

// offlineIDs lists the ids of a site's offline messages.
func storedOffline(t *testing.T, st store.Store, siteID string) []string {
	t.Helper()
	list, err := st.ListOfflineMessages(context.Background(), siteID, "", 500)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, m := range list {
		out = append(out, m.ID)
	}
	return out
}

// metricsHave fails the test unless /metrics shows every line of want.
func (f *fixture) metricsHave(want ...string) {
	f.t.Helper()
	body := string(f.mustDo("GET", "/metrics", "", nil, 200).Body)
	for _, w := range want {
		if !strings.Contains(body, w+"\n") {
			f.t.Errorf("/metrics lacks %q", w)
		}
	}
}

// promFloat is v as /metrics writes it.
func promFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// smallBatches makes the job delete 3 records a batch, a second apart.
func smallBatches(o *Options) { o.Retention = RetentionOptions{Batch: 3, Pause: time.Second} }

// The job deletes what is older than a site's retention_days, in batches, and
// keeps the rest; a site without it keeps everything. The counts show in /metrics.
func TestRetentionJobDeletesWhatExpired(t *testing.T) {
	f := newFixture(t, smallBatches)
	f.mustDo("PATCH", "/api/v1/sites/"+f.siteA.ID, f.tokens["admin"], map[string]any{"retention_days": 30}, 200)
	now := f.clock.Now()
	old, recent := now.Add(-40*day), now.Add(-10*day)
	firstRun := now.Add(DefaultRetentionInterval)
	a, b := f.siteA.ID, f.siteB.ID
	gone := []*store.Conversation{
		seedConv(t, f.store, a, store.StateEnded, old, old, 4),
		seedConv(t, f.store, a, store.StateMissed, old, old, 0),
	}
	kept := []*store.Conversation{
		seedConv(t, f.store, a, store.StateEnded, old, recent, 2),                // ended within the 30 days
		seedConv(t, f.store, a, store.StateOpen, old, time.Time{}, 1),            // never while open
		seedConv(t, f.store, a, store.StateEnded, old, firstRun.Add(-30*day), 1), // exactly 30 days at the run: not older
		seedConv(t, f.store, b, store.StateEnded, old, old, 1),                   // site B keeps everything
	}
	oldDone := seedOffline(t, f.store, a, store.OfflineDone, old)
	keptA := []string{
		seedOffline(t, f.store, a, store.OfflineRead, old).ID, // read is not handled
		seedOffline(t, f.store, a, store.OfflineNew, old).ID,
		seedOffline(t, f.store, a, store.OfflineDone, recent).ID,
	}
	keptB := []string{seedOffline(t, f.store, b, store.OfflineDone, old).ID}

	f.clock.Advance(DefaultRetentionInterval - time.Second)
	if !exists(t, f.store, gone[0]) {
		t.Fatal("deleted before the first run")
	}
	// The first run's first batch: 3 of the first conversation's 4 messages.
	f.clock.Advance(time.Second)
	if msgs, err := f.store.ListMessages(context.Background(), gone[0].ID, 0, 0); err != nil || len(msgs) != 1 {
		t.Fatalf("after one batch of 3: %d messages, %v", len(msgs), err)
	}
	f.metricsHave(`gateway_retention_running 1`, `gateway_retention_run_deleted 3`, `gateway_retention_sites_pending 1`)
	f.clock.Advance(10 * time.Second) // the other batches, a second apart
	for _, c := range gone {
		if exists(t, f.store, c) {
			t.Errorf("expired conversation %s (%s) still stored", c.ID, c.State)
		}
	}
	for _, c := range kept {
		if !exists(t, f.store, c) {
			t.Errorf("conversation %s of site %s (%s, ended %v) deleted", c.ID, c.SiteID, c.State, c.EndedAt)
		}
	}
	if got := storedOffline(t, f.store, a); strings.Join(got, ",") != strings.Join(keptA, ",") {
		t.Errorf("site A's offline messages: %v, want %v (not %s)", got, keptA, oldDone.ID)
	}
	if got := storedOffline(t, f.store, b); strings.Join(got, ",") != strings.Join(keptB, ",") {
		t.Errorf("site B's offline messages: %v, want %v", got, keptB)
	}
	counts, err := f.store.CountOffline(context.Background(), a)
	if err != nil || counts != (store.OfflineCounts{New: 1, Read: 1, Done: 1}) {
		t.Errorf("site A's offline counts %+v, %v", counts, err)
	}
	f.metricsHave(
		`gateway_retention_deleted_total{kind="conversation"} 2`,
		`gateway_retention_deleted_total{kind="message"} 4`,
		`gateway_retention_deleted_total{kind="offline_message"} 1`,
		`gateway_retention_runs_total{result="ok"} 1`,
		`gateway_retention_running 0`,
		`gateway_retention_run_deleted 7`,
		`gateway_retention_sites_pending 0`,
		fmt.Sprintf(`gateway_retention_last_run_timestamp_seconds %s`, promFloat(float64(firstRun.Add(2*time.Second).Unix()))),
		`gateway_retention_last_run_duration_seconds 2`, // 7 records, 3 a batch: 3 batches, 2 pauses
	)

	// The next run, an interval later, finds nothing more; clearing the setting
	// keeps everything from then on.
	f.mustDo("PATCH", "/api/v1/sites/"+a, f.tokens["admin"], map[string]any{"retention_days": nil}, 200)
	f.clock.Advance(31 * day)
	for _, c := range kept {
		if !exists(t, f.store, c) {
			t.Errorf("conversation %s deleted after retention_days was cleared", c.ID)
		}
	}
	f.metricsHave(`gateway_retention_deleted_total{kind="conversation"} 2`, `gateway_retention_runs_total{result="error"} 0`)
}

// purgeFault is the real store with PurgeExpired failing while fail is set (as an
// unreachable store fails it).
type purgeFault struct {
	store.Store
	fail atomic.Bool
}

func (p *purgeFault) PurgeExpired(ctx context.Context, siteID string, before time.Time, limit int) (store.PurgeCounts, error) {
	if p.fail.Load() {
		return store.PurgeCounts{}, fmt.Errorf("purge: %w", store.ErrUnavailable)
	}
	return p.Store.PurgeExpired(ctx, siteID, before, limit)
}

// A store error is logged and the run retried at the next one; nothing crashes.
func TestRetentionJobRetriesAfterAStoreError(t *testing.T) {
	var fault *purgeFault
	f := newFixture(t, func(o *Options) {
		fault = &purgeFault{Store: o.Store}
		fault.fail.Store(true)
		o.Store = fault
	})
	f.mustDo("PATCH", "/api/v1/sites/"+f.siteA.ID, f.tokens["admin"], map[string]any{"retention_days": 1}, 200)
	c := seedConv(t, f.store, f.siteA.ID, store.StateEnded, f.clock.Now().Add(-2*day), f.clock.Now().Add(-2*day), 1)
	f.clock.Advance(DefaultRetentionInterval)
	if !exists(t, f.store, c) {
		t.Fatal("deleted through a failing store")
	}
	f.metricsHave(`gateway_retention_runs_total{result="error"} 1`, `gateway_retention_running 0`)
	fault.fail.Store(false)
	f.clock.Advance(DefaultRetentionInterval)
	if exists(t, f.store, c) {
		t.Fatal("not deleted by the run after the error")
	}
	f.metricsHave(`gateway_retention_runs_total{result="ok"} 1`, `gateway_retention_deleted_total{kind="conversation"} 1`)
}

// In a cluster only the leader purges; when it stops, the new leader's next run
// does.
func TestRetentionJobRunsOnTheLeader(t *testing.T) {
	tc := newTestCluster(t, 2)
	lead := tc.waitLeader()
	f := tc.nodes[lead]
	f.mustDo("PATCH", "/api/v1/sites/"+f.siteA.ID, f.tokens["admin"], map[string]any{"retention_days": 7}, 200)
	old := tc.clock.Now().Add(-8 * day)
	c1 := seedConv(t, f.store, f.siteA.ID, store.StateEnded, old, old, 2)
	tc.clock.Advance(DefaultRetentionInterval)
	if exists(t, f.store, c1) {
		t.Fatal("the leader did not purge")
	}
	f.metricsHave(`gateway_retention_deleted_total{kind="conversation"} 1`, `gateway_retention_runs_total{result="ok"} 1`)
	other := tc.nodes[1-lead]
	other.metricsHave(`gateway_retention_deleted_total{kind="conversation"} 0`, `gateway_retention_runs_total{result="ok"} 0`)

	tc.stopNode(lead)
	if tc.waitLeader() != 1-lead {
		t.Fatal("the other node did not take over")
	}
	c2 := seedConv(t, other.store, other.siteA.ID, store.StateEnded, old, old, 1)
	tc.clock.Advance(DefaultRetentionInterval)
	if exists(t, other.store, c2) {
		t.Fatal("the new leader did not purge")
	}
	other.metricsHave(`gateway_retention_deleted_total{kind="conversation"} 1`)
}
