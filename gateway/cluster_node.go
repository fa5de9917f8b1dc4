package gateway

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/livedesk/gateway/cluster"
	"github.com/livedesk/gateway/hub"
	"github.com/livedesk/gateway/store"
	"go.uber.org/zap"
)

// clusterNode is a Server's part in a cluster: the Redis broker its sockets' groups
// are subscribed through, the publisher its frames and calls go out by, the client
// of the leader's desk, the lease, and (while it holds the lease) the leader.
//
// Lock rule: leaderMu guards leader and term; sockMu guards sockets and orders the calls that
// change them with the heartbeats that report them (both are queued on the ordered
// publisher under sockMu, so the leader sees them in the order they happened).
type clusterNode struct {
	rt     *realtime
	o      ClusterOptions
	log    *zap.Logger
	broker *hub.RedisBroker
	pub    *publisher
	rpc    *rpcClient
	lease  *cluster.Lease
	sites  *siteCache
	views  *siteViews

	// joinsLocal and joinsLeader count visitor welcomes built from the node's own
	// view of the site and those the leader answered.
	joinsLocal, joinsLeader atomic.Uint64

	leaderMu sync.Mutex
	leader   *leader
	term     uint64 // bumped at each lead and unlead: a load from an older term is dropped

	sockMu  sync.Mutex
	sockets map[string]int // agent -> live sockets on this node the leader was told of

	activityMu sync.Mutex
	activity   map[string]time.Time // agent -> last activity sent (throttle)

	stopc chan struct{}
	wg    sync.WaitGroup
}

func newClusterNode(rt *realtime, o ClusterOptions) *clusterNode {
	o = o.withDefaults()
	log := rt.s.log.Named("cluster").With(zap.String("node", o.NodeID))
	n := &clusterNode{rt: rt, o: o, log: log, sockets: map[string]int{}, activity: map[string]time.Time{}, stopc: make(chan struct{})}
	n.pub = newPublisher(o.Client, o.Prefix, log)
	n.rpc = newRPCClient(o.NodeID, n.pub, o.CallTimeout)
	n.sites = newSiteCache(rt.s.store)
	n.views = newSiteViews()
	n.lease = cluster.NewLease(o.Client, o.Prefix, o.NodeID, cluster.LeaseOptions{TTL: o.LeaseTTL, OnAcquire: n.lead, OnLose: n.unlead, Logger: log})
	return n
}

func (n *clusterNode) desk() deskAPI { return remoteDesk{n} }

// start subscribes to the node's own channels, starts the heartbeat and enters the
// election. It does not wait for a leader: calls fail with unavailable until one
// is elected.
func (n *clusterNode) start(ctx context.Context) error {
	b, err := hub.NewRedisBroker(n.o.Client, n.handle, hub.RedisOptions{OnReconnect: n.resync, OnDrop: n.dropped, Logger: n.log})
	if err != nil {
		return err
	}
	n.broker = b
	for _, ch := range []string{chanControl, chanNode + n.o.NodeID, chanLease} {
		if err := b.Subscribe(ctx, n.o.Prefix+ch); err != nil {
			_ = b.Close()
			return err
		}
	}
	n.wg.Add(1)
	go n.beat()
	n.lease.Start()
	return nil
}

// stop leaves the election (a leader hands over at once), tells the leader this
// node's sockets are gone, and closes the broker and the publisher.
func (n *clusterNode) stop() {
	close(n.stopc)
	n.wg.Wait()
	n.lease.Stop()
	n.rpc.cast("leave", n.o.NodeID, struct{}{})
	_ = n.broker.Close()
	n.pub.close()
}

// lead runs when this node wins the lease (on the lease's goroutine, which must not
// wait for the desk to load: it has a lease to renew). The desk loads in the
// background, retried until it loads or the lease is lost.
func (n *clusterNode) lead(epoch int64) {
	n.leaderMu.Lock()
	n.term++
	term := n.term
	n.leaderMu.Unlock()
	go func() {
		for {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			l, err := startLeader(ctx, n, epoch)
			cancel()
			n.leaderMu.Lock()
			if n.term != term { // lost the lease meanwhile
				n.leaderMu.Unlock()
				if l != nil {
					l.stop()
				}
				return
			}
			if err != nil {
				n.leaderMu.Unlock()
				n.log.Error("could not load the desk as leader; retrying", zap.Error(err))
				select {
				case <-n.stopc:
					return
				case <-time.After(time.Second):
				}
				continue
			}
			n.leader = l
			n.leaderMu.Unlock()
			sctx, scancel := context.WithTimeout(context.Background(), n.o.CallTimeout)
			if err := n.broker.Subscribe(sctx, n.o.Prefix+chanLeader); err != nil {
				n.log.Warn("leader subscription not confirmed yet", zap.Error(err))
			}
			scancel()
			n.log.Info("leading the cluster", zap.Int64("epoch", epoch))
			n.sendHeartbeat() // count this node's own sockets at once
			return
		}
	}()
}

// unlead runs when this node loses the lease.
func (n *clusterNode) unlead() {
	n.leaderMu.Lock()
	n.term++
	l := n.leader
	n.leader = nil
	n.leaderMu.Unlock()
	if l == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	_ = n.broker.Unsubscribe(ctx, n.o.Prefix+chanLeader)
	cancel()
	l.stop()
	n.log.Info("no longer leading")
}

// stopping tells the desk this node leads, if any, that the node drains
// (routing.Desk.Stopping): its sockets' agents keep their socket record for the
// next leader's restart grace.
func (n *clusterNode) stopping() {
	n.leaderMu.Lock()
	defer n.leaderMu.Unlock()
	if n.leader != nil {
		n.leader.d.Stopping()
	}
}

// isLeader reports whether this node runs the desk now.
func (n *clusterNode) isLeader() bool {
	n.leaderMu.Lock()
	defer n.leaderMu.Unlock()
	return n.leader != nil
}

// handle receives everything the node is subscribed to. It runs on the broker's
// workers (one per channel at a time) and never blocks for long.
func (n *clusterNode) handle(channel string, payload []byte) {
	ch := strings.TrimPrefix(channel, n.o.Prefix)
	switch {
	case strings.HasPrefix(ch, chanGroup):
		b, seq, status, err := decodeEnvelope(payload)
		if err != nil {
			n.log.Warn("malformed group frame dropped", zap.String("channel", channel))
			return
		}
		group := ch[len(chanGroup):]
		if status {
			n.views.observe(group, b, seq, n.rt.s.clock.Now())
		}
		n.rt.hub.BroadcastSeq(group, b, seq, status)
	case ch == chanLeader:
		n.leaderMu.Lock()
		l := n.leader
		n.leaderMu.Unlock()
		if l != nil {
			l.dispatch(payload)
		}
	case strings.HasPrefix(ch, chanNode):
		var r rpcReply
		if json.Unmarshal(payload, &r) == nil {
			n.rpc.deliver(r)
		}
	case ch == chanControl:
		var c control
		if json.Unmarshal(payload, &c) == nil {
			go n.control(c) // may read the store
		}
	case ch == chanLease:
		n.lease.TryNow()
	}
}

// control acts on a control message.
func (n *clusterNode) control(c control) {
	switch c.Op {
	case ctlLogout:
		n.rt.forceLogoutHere(c.ID)
	case ctlSite:
		n.sites.drop(c.ID)
	case ctlAgent:
		ctx, cancel := opCtx()
		defer cancel()
		a, err := n.rt.s.store.GetAgent(ctx, c.ID)
		if err != nil {
			return
		}
		n.rt.moveAgentSockets(a)
	}
}

// broadcastControl sends a control message to every node, this one included.
func (n *clusterNode) broadcastControl(c control) {
	b, _ := json.Marshal(c)
	n.pub.publish(chanControl, b, nil)
}

func (n *clusterNode) subscribe(group string) {
	ctx, cancel := context.WithTimeout(context.Background(), n.o.CallTimeout)
	defer cancel()
	if err := n.broker.Subscribe(ctx, n.o.Prefix+chanGroup+group); err != nil {
		// The reference is taken; the broker confirms it when Redis is back.
		n.log.Debug("subscription not confirmed", zap.String("group", group), zap.Error(err))
	}
	n.views.joined(group)
}

// unsubscribe drops this node's reference to group's channel without waiting for
// Redis (hub.RedisBroker.Release): a socket that goes away has nothing to wait for.
func (n *clusterNode) unsubscribe(group string) {
	n.views.left(group)
	n.broker.Release(n.o.Prefix + chanGroup + group)
}

// beat reports this node's sockets to the leader every Heartbeat.
func (n *clusterNode) beat() {
	defer n.wg.Done()
	t := time.NewTicker(n.o.Heartbeat)
	defer t.Stop()
	for {
		select {
		case <-n.stopc:
			return
		case <-t.C:
			n.sendHeartbeat()
		}
	}
}

func (n *clusterNode) sendHeartbeat() {
	n.sockMu.Lock()
	defer n.sockMu.Unlock()
	report := make(map[string]int, len(n.sockets))
	for a, c := range n.sockets {
		report[a] = c
	}
	n.rpc.cast("heartbeat", n.o.NodeID, argSockets{Sockets: report})
}

// resync runs after the broker's subscription was re-established (Redis restarted
// or the connection broke): frames published meanwhile are gone, so every site
// this node has visitors of gets its current status again.
func (n *clusterNode) resync() {
	n.views.dropAll()
	go func() {
		n.sendHeartbeat()
		for _, g := range n.rt.hub.Groups("site:") {
			siteID := strings.TrimPrefix(g, "site:")
			ctx, cancel := opCtx()
			var r resStatus
			err := n.rpc.call(ctx, "status", siteID, argID{siteID}, &r)
			cancel()
			if err != nil {
				continue
			}
			n.rt.hub.BroadcastStatus(g, frame("status", map[string]any{"status": r.Status}))
		}
	}()
}

// dropped runs on the broker's reader for a message it could not deliver: a status
// frame may be among them, so the site's view is no longer trusted.
func (n *clusterNode) dropped(channel string) {
	if g, ok := strings.CutPrefix(channel, n.o.Prefix+chanGroup); ok {
		if id := siteOfGroup(g); id != "" {
			n.views.drop(id)
		}
	}
}

// siteCache keeps the sites this node's visitors connect to, read from the store;
// a control message drops an edited site at once, and entries are re-read after
// siteCacheTTL in case that message was lost.
type siteCache struct {
	st store.Store
	// mu guards m.
	mu sync.Mutex
	m  map[string]cachedSite
}

type cachedSite struct {
	s  *store.Site
	at time.Time
}

const siteCacheTTL = 10 * time.Second

func newSiteCache(st store.Store) *siteCache { return &siteCache{st: st, m: map[string]cachedSite{}} }

// get returns the site, nil when it does not exist or cannot be read now.
func (c *siteCache) get(id string) *store.Site {
	c.mu.Lock()
	e, ok := c.m[id]
	c.mu.Unlock()
	if ok && time.Since(e.at) < siteCacheTTL {
		return e.s
	}
	ctx, cancel := opCtx()
	defer cancel()
	s, err := c.st.GetSite(ctx, id)
	if err != nil {
		if ok {
			return e.s // Redis is away: the last copy is better than none
		}
		return nil
	}
	c.mu.Lock()
	c.m[id] = cachedSite{s, time.Now()}
	c.mu.Unlock()
	return s
}

func (c *siteCache) drop(id string) {
	c.mu.Lock()
	delete(c.m, id)
	c.mu.Unlock()
}
