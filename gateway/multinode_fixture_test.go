package gateway

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/livedesk/gateway/clock"
	"github.com/livedesk/gateway/cluster"
	"github.com/livedesk/gateway/internal/pgtest"
	"github.com/livedesk/gateway/internal/redistest"
	"github.com/livedesk/gateway/internal/webhooktest"
	"github.com/livedesk/gateway/store"
	"github.com/livedesk/gateway/store/postgres"
	redisstore "github.com/livedesk/gateway/store/redis"
	"github.com/redis/go-redis/v9"
)

// testCluster is several gateway nodes in this process over one real redis-server,
// sharing one fake clock (the schedule's time) while heartbeats and leases run on
// real time. nodes[i] is a fixture whose API and sockets reach node i; they share
// the records (sites, agents, tokens) made before the start. The store is Redis,
// or with pg set PostgreSQL (each node its own pool, Redis only for the cluster).
type testCluster struct {
	t     *testing.T
	redis *redistest.Server
	pg    *pgtest.Server // nil: the Redis store
	clock *clock.Fake
	nodes []*fixture
}

// clusterTestOptions keep failure detection short so tests need not wait long.
func clusterTestOptions(client redis.UniversalClient, node string) *cluster.Options {
	return &cluster.Options{Client: client, Prefix: "t:", NodeID: node, LeaseTTL: time.Second, Heartbeat: 100 * time.Millisecond,
		NodeTTL: 700 * time.Millisecond, CallTimeout: 2 * time.Second}
}

// redisClient is a client to srv with the store's timeouts.
func redisClient(t *testing.T, srv *redistest.Server) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: srv.Addr(), MaxRetries: -1, DialTimeout: time.Second, ReadTimeout: time.Second,
		WriteTimeout: time.Second, ContextTimeoutEnabled: true})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// newTestCluster starts n nodes on the Redis store.
func newTestCluster(t *testing.T, n int) *testCluster {
	t.Helper()
	return startTestCluster(t, n, nil)
}

// newTestClusterPostgres starts n nodes on PostgreSQL as the store (a real server
// of its own), with Redis for the cluster only.
func newTestClusterPostgres(t *testing.T, n int) *testCluster {
	t.Helper()
	return startTestCluster(t, n, pgtest.Start(t))
}

func startTestCluster(t *testing.T, n int, pg *pgtest.Server) *testCluster {
	t.Helper()
	srv := redistest.Start(t)
	tc := &testCluster{t: t, redis: srv, pg: pg, clock: clock.NewFake(testStart)}
	// Records first, through node 0's store, as newFixture makes them.
	f0 := &fixture{t: t, clock: tc.clock, store: tc.newStore(), tokens: map[string]string{}}
	f0.mkRecords()
	for i := 0; i < n; i++ {
		f := f0
		if i > 0 {
			cp := *f0
			f = &cp
			f.store = tc.newStore()
		}
		tc.startNode(f, i)
		tc.nodes = append(tc.nodes, f)
	}
	f0.mkTokens() // the nodes share f0's tokens map (a struct copy copies the reference)
	tc.waitLeader()
	return tc
}

// newStore opens one node's store: a Redis store on its own client, or a
// PostgreSQL store with its own pool; closed when the test ends.
func (tc *testCluster) newStore() store.Store {
	tc.t.Helper()
	if tc.pg == nil {
		return redisstore.New(redisClient(tc.t, tc.redis), redisstore.DefaultPrefix)
	}
	ps, err := postgres.Open(context.Background(), tc.pg.URL())
	if err != nil {
		tc.t.Fatal(err)
	}
	tc.t.Cleanup(func() { _ = ps.Close() })
	return ps
}

// startNode starts node i on f's store, the cluster talking through the Redis
// store's client or, on PostgreSQL, a Redis client of its own.
func (tc *testCluster) startNode(f *fixture, i int) {
	t := tc.t
	t.Helper()
	var client redis.UniversalClient
	if rs, ok := f.store.(*redisstore.Store); ok {
		client = rs.Client()
	} else {
		client = redisClient(t, tc.redis)
	}
	var err error
	f.srv, err = New(Options{Store: f.store, Secret: testSecret, Clock: tc.clock, Cluster: clusterTestOptions(client, fmt.Sprintf("node%d", i)),
		Notify: NotifyOptions{WebhookAllowPrivate: true, Resolver: webhooktest.HostsOnlyResolver()}}) // webhook receivers are on loopback
	if err != nil {
		t.Fatal(err)
	}
	if err := f.srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.http = httptest.NewServer(f.srv.Handler())
	srv, h := f.srv, f.http
	t.Cleanup(func() { h.CloseClientConnections(); srv.Stop(0); h.Close() })
}

// leader returns the index of the node that runs the desk (-1: none).
func (tc *testCluster) leader() int {
	for i, f := range tc.nodes {
		if f.srv != nil && f.srv.rt.ClusterNode().IsLeader() {
			return i
		}
	}
	return -1
}

// waitLeader waits until a node runs the desk and has heard from every live node.
func (tc *testCluster) waitLeader() int {
	tc.t.Helper()
	live := 0
	for _, f := range tc.nodes {
		if f.srv != nil {
			live++
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if i := tc.leader(); i >= 0 {
			if tc.nodes[i].srv.rt.ClusterNode().LeaderHeard() >= live {
				return i
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	tc.t.Fatal("no leader that heard every node within 10 s")
	return -1
}
