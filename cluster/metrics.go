package cluster

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// RegisterMetrics adds the node's gauges and counters to reg (see
// docs/operations.md, "Metrics").
func (n *Node) RegisterMetrics(reg *prometheus.Registry) {
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "gateway_cluster_leader", Help: "1 while this node holds the lease and runs the routing desk.",
		}, func() float64 {
			if n.IsLeader() {
				return 1
			}
			return 0
		}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "gateway_cluster_published_total", Help: "Messages this node published to Redis (frames, calls, answers).",
		}, func() float64 { return float64(n.pub.published.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "gateway_cluster_publish_failures_total", Help: "Messages this node could not publish (Redis unreachable or queue full); sockets resync from the store.",
		}, func() float64 { return float64(n.pub.failed.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "gateway_cluster_call_failures_total", Help: "Calls to the leader that failed (no leader, timeout, Redis down); the frame got unavailable.",
		}, func() float64 { return float64(n.rpc.failures.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "gateway_cluster_broker_drops_total", Help: "Messages from Redis dropped because a delivery worker's queue was full.",
		}, func() float64 {
			if n.broker == nil {
				return 0
			}
			return float64(n.broker.Drops())
		}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "gateway_cluster_visitor_joins_total", Help: "Visitor welcomes, by who answered: the node's own view of the site (local) or a call to the leader (leader).",
			ConstLabels: prometheus.Labels{"path": "local"},
		}, func() float64 { return float64(n.joinsLocal.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "gateway_cluster_visitor_joins_total", Help: "Visitor welcomes, by who answered: the node's own view of the site (local) or a call to the leader (leader).",
			ConstLabels: prometheus.Labels{"path": "leader"},
		}, func() float64 { return float64(n.joinsLeader.Load()) }),
	)
}

// VisitorJoins counts the visitor welcomes this node built from its own view of
// the site's status (local) and those the leader answered (leader), as the
// gateway_cluster_visitor_joins_total counters do.
func (n *Node) VisitorJoins() (local, leader uint64) {
	return n.joinsLocal.Load(), n.joinsLeader.Load()
}

// TrustsView reports whether this node would welcome a visitor of the site at now
// from its own view of the site's status, without asking the leader.
func (n *Node) TrustsView(siteID string, now time.Time) bool {
	_, ok := n.views.get(siteID, now)
	return ok
}

// LeaderHeard is how many nodes, this one included, the desk this node leads has
// heard from (-1 when it does not lead, or its desk is still loading).
func (n *Node) LeaderHeard() int {
	n.leaderMu.Lock()
	l := n.leader
	n.leaderMu.Unlock()
	if l == nil {
		return -1
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.nodes)
}
