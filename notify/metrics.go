package notify

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/livedesk/gateway/clock"
	"github.com/livedesk/gateway/store"
)

// Metrics counts what the worker does and reads the outbox's depth from the store.
// A nil *Metrics counts nothing.
type Metrics struct {
	deliveries *prometheus.CounterVec
	failures   *prometheus.CounterVec
	gaveUp     *prometheus.CounterVec
}

// NewMetrics registers the outbox metrics on reg. The depth gauges read the store
// when scraped (one short query each); in a cluster every node reports the same
// shared outbox.
func NewMetrics(reg prometheus.Registerer, s store.Store, clk clock.Clock) *Metrics {
	m := &Metrics{
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gateway_notification_deliveries_total", Help: "Notifications this node delivered (receiver accepted), by channel and event type.",
		}, []string{"channel", "type"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gateway_notification_attempt_failures_total", Help: "Delivery attempts that failed and will be retried or were the last, by channel and event type.",
		}, []string{"channel", "type"}),
		gaveUp: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gateway_notifications_failed_total", Help: "Notifications given up after the retry window (24 h), by channel and event type.",
		}, []string{"channel", "type"}),
	}
	// One scrape reads both gauges: read the store once for them (within a second).
	var (
		mu     sync.Mutex
		last   store.OutboxStats
		readAt time.Time
	)
	stats := func() store.OutboxStats {
		mu.Lock()
		defer mu.Unlock()
		if now := time.Now(); now.Sub(readAt) > time.Second {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			if st, err := s.OutboxStats(ctx); err == nil {
				last, readAt = st, now
			}
		}
		return last
	}
	reg.MustRegister(m.deliveries, m.failures, m.gaveUp,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "gateway_notifications_pending", Help: "Notifications in the outbox not yet delivered nor given up.",
		}, func() float64 { return float64(stats().Pending) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "gateway_notifications_oldest_pending_seconds", Help: "Age of the oldest pending notification (0 when none).",
		}, func() float64 {
			st := stats()
			if st.OldestPending.IsZero() {
				return 0
			}
			return clk.Now().Sub(st.OldestPending).Seconds()
		}),
	)
	return m
}

func (m *Metrics) attempt(channel, typ string, err error, gaveUp bool) {
	if m == nil {
		return
	}
	switch {
	case err == nil:
		m.deliveries.WithLabelValues(channel, typ).Inc()
	default:
		m.failures.WithLabelValues(channel, typ).Inc()
		if gaveUp {
			m.gaveUp.WithLabelValues(channel, typ).Inc()
		}
	}
}
