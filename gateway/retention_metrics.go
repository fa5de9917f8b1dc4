package gateway

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/livedesk/gateway/store"
)

// retentionMetrics is what the retention job reports on /metrics
// (docs/operations.md#retention). In a cluster the leader's numbers move; the
// other nodes' stay at zero.
type retentionMetrics struct {
	deleted     *prometheus.CounterVec
	runs        *prometheus.CounterVec
	lastRun     prometheus.Gauge
	lastRunTook prometheus.Gauge
	running     prometheus.Gauge
	runDeleted  prometheus.Gauge
	sitesLeft   prometheus.Gauge
}

// Results of a run.
const (
	retentionOK         = "ok"
	retentionError      = "error"
	retentionHandedOver = "handed_over"
)

// Kinds of the deletion counter.
const (
	retentionKindConversation = "conversation"
	retentionKindMessage      = "message"
	retentionKindOffline      = "offline_message"
)

func newRetentionMetrics(reg prometheus.Registerer) *retentionMetrics {
	m := &retentionMetrics{
		deleted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gateway_retention_deleted_total", Help: "Records the retention job deleted, by kind (conversation, message, offline_message).",
		}, []string{"kind"}),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gateway_retention_runs_total", Help: "Retention runs ended, by result (ok, error: retried at the next run, handed_over: leadership lost).",
		}, []string{"result"}),
		lastRun: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "gateway_retention_last_run_timestamp_seconds", Help: "When the last retention run ended (Unix time; 0 before the first).",
		}),
		lastRunTook: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "gateway_retention_last_run_duration_seconds", Help: "How long the last retention run took, pauses between batches included.",
		}),
		running: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "gateway_retention_running", Help: "1 while a retention run is under way on this node.",
		}),
		runDeleted: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "gateway_retention_run_deleted", Help: "Records deleted so far by the retention run under way, or by the last one.",
		}),
		sitesLeft: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "gateway_retention_sites_pending", Help: "Sites the retention run under way has still to purge, the one in progress included.",
		}),
	}
	for _, k := range []string{retentionKindConversation, retentionKindMessage, retentionKindOffline} {
		m.deleted.WithLabelValues(k) // shown at 0 from the start
	}
	for _, r := range []string{retentionOK, retentionError, retentionHandedOver} {
		m.runs.WithLabelValues(r)
	}
	reg.MustRegister(m.deleted, m.runs, m.lastRun, m.lastRunTook, m.running, m.runDeleted, m.sitesLeft)
	return m
}

// count adds one batch's deletions; run is the run's total so far.
func (m *retentionMetrics) count(batch, run store.PurgeCounts) {
	m.deleted.WithLabelValues(retentionKindConversation).Add(float64(batch.Conversations))
	m.deleted.WithLabelValues(retentionKindMessage).Add(float64(batch.Messages))
	m.deleted.WithLabelValues(retentionKindOffline).Add(float64(batch.Offline))
	m.runDeleted.Set(float64(run.Total()))
}

// ended records the end of a run.
func (m *retentionMetrics) ended(result string, at time.Time, took time.Duration) {
	m.runs.WithLabelValues(result).Inc()
	m.lastRun.Set(float64(at.UnixNano()) / 1e9)
	m.lastRunTook.Set(took.Seconds())
}
