package cluster

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/livedesk/gateway/clock"
	"github.com/livedesk/gateway/deskapi"
	"github.com/livedesk/gateway/hub"
	"github.com/livedesk/gateway/routing"
	"github.com/livedesk/gateway/store"
	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"
)

// Host is what a node needs from the endpoint side of the server it runs in (the
// gateway implements it). Its methods are called from the node's goroutines.
type Host interface {
	// NewDesk makes a routing desk on the server's store and clock whose decisions
	// go to out as frames, the deskapi.Desk over it, and the function that cancels
	// its pending presence checks (call it after the desk's Close).
	NewDesk(out deskapi.Out) (d *routing.Desk, local deskapi.Desk, stopAlerts func())
	// StatusFrame is the "status" frame of st, as the desk's notifier sends it to
	// the visitors of a site.
	StatusFrame(st routing.Status) []byte
	// ForceLogoutHere sends force_logout to every socket of the agent on this node
	// and closes them.
	ForceLogoutHere(agentID string)
	// MoveAgentSockets moves the agent's sockets on this node to the groups of its
	// edited site list.
	MoveAgentSockets(a *store.Agent)
}

// Deps is what a node is given by the server it runs in.
type Deps struct {
	// Store is the server's store (the Redis store every node shares).
	Store store.Store
	// Clock is the schedule's clock.
	Clock clock.Clock
	// Log is the server's logger; the node logs under "cluster".
	Log *zap.Logger
	// Hub holds this node's sockets: frames from the cluster reach its groups.
	Hub *hub.Hub
	// Host is the endpoint side.
	Host Host
}

// Node is a server's part in a cluster: the Redis broker its sockets' groups are
// subscribed through, the publisher its frames and calls go out by, the client of
// the leader's desk, the lease, and (while it holds the lease) the leader.
//
// Lock rule: leaderMu guards leader and term; sockMu guards sockets and orders the calls that
// change them with the heartbeats that report them (both are queued on the ordered
// publisher under sockMu, so the leader sees them in the order they happened).
type Node struct {
	d      Deps
	o      Options
	log    *zap.Logger
	broker *hub.RedisBroker
	pub    *publisher
	rpc    *rpcClient
	lease  *Lease
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

	stopc    chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup
}

// New makes a node with o (defaults filled in) and d; Start joins the cluster.
func New(o Options, d Deps) *Node {
	o = o.WithDefaults()
	log := d.Log.Named("cluster").With(zap.String("node", o.NodeID))
	n := &Node{d: d, o: o, log: log, sockets: map[string]int{}, activity: map[string]time.Time{}, stopc: make(chan struct{})}
	n.pub = newPublisher(o.Client, o.Prefix, log)
	n.rpc = newRPCClient(o.NodeID, n.pub, o.CallTimeout)
	n.sites = newSiteCache(d.Store)
	n.views = newSiteViews()
	n.lease = NewLease(o.Client, o.Prefix, o.NodeID, LeaseOptions{TTL: o.LeaseTTL, OnAcquire: n.lead, OnLose: n.unlead, Logger: log})
	return n
}

// Desk is the deskapi.Desk of this node: every decision is made by the leader.
func (n *Node) Desk() deskapi.Desk { return remoteDesk{n} }

// Out is where this node's own frames go (messages, typing): to the members of a
// group on every node, not numbered.
func (n *Node) Out() deskapi.Out { return n.pub }

// Start subscribes to the node's own channels, starts the heartbeat and enters the
// election. It does not wait for a leader: calls fail with unavailable until one
// is elected.
func (n *Node) Start(ctx context.Context) error {
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

// Stop leaves the election (a leader hands over at once), tells the leader this
// node's sockets are gone, and closes the broker and the publisher. Stop may be
// called more than once (as Lease.Stop): the later calls do nothing.
func (n *Node) Stop() {
	n.stopOnce.Do(func() {
		close(n.stopc)
		n.wg.Wait()
		n.lease.Stop()
		opLeave.cast(n.rpc, n.o.NodeID, leaveReq{})
		_ = n.broker.Close()
		n.pub.close()
	})
}

// lead runs when this node wins the lease (on the lease's goroutine, which must not
// wait for the desk to load: it has a lease to renew). The desk loads in the
// background, retried until it loads or the lease is lost.
func (n *Node) lead(epoch int64) {
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
func (n *Node) unlead() {
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

// Stopping tells the desk this node leads, if any, that the node drains
// (routing.Desk.Stopping): its sockets' agents keep their socket record for the
// next leader's restart grace.
func (n *Node) Stopping() {
	n.leaderMu.Lock()
	defer n.leaderMu.Unlock()
	if n.leader != nil {
		n.leader.d.Stopping()
	}
}

// IsLeader reports whether this node runs the desk now.
func (n *Node) IsLeader() bool {
	n.leaderMu.Lock()
	defer n.leaderMu.Unlock()
	return n.leader != nil
}

// handle receives everything the node is subscribed to. It runs on the broker's
// workers (one per channel at a time) and never blocks for long.
func (n *Node) handle(channel string, payload []byte) {
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
			n.views.observe(group, b, seq, n.d.Clock.Now())
		}
		n.d.Hub.BroadcastSeq(group, b, seq, status)
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
func (n *Node) control(c control) {
	switch c.Op {
	case ctlLogout:
		n.d.Host.ForceLogoutHere(c.ID)
	case ctlSite:
		n.sites.drop(c.ID)
	case ctlDepartments:
		// The view lists the departments: a deleted or renamed one would linger.
		n.views.drop(c.ID)
	case ctlAgent:
		ctx, cancel := opCtx()
		defer cancel()
		a, err := n.d.Store.GetAgent(ctx, c.ID)
		if err != nil {
			return
		}
		n.d.Host.MoveAgentSockets(a)
	}
}

// broadcastControl sends a control message to every node, this one included.
func (n *Node) broadcastControl(c control) {
	b, _ := json.Marshal(c)
	n.pub.publish(chanControl, b, nil)
}

// ForceLogout tells every node, this one included, to log the agent's sockets out
// (Host.ForceLogoutHere).
func (n *Node) ForceLogout(agentID string) { n.broadcastControl(control{Op: ctlLogout, ID: agentID}) }

// BroadcastLogout is ForceLogout from a process that is not a node (the
// reset-password command): every running node of the cluster under prefix (""
// for the default) logs the agent's sockets out.
func BroadcastLogout(ctx context.Context, c redis.UniversalClient, prefix, agentID string) error {
	if prefix == "" {
		prefix = defaultPrefix
	}
	b, _ := json.Marshal(control{Op: ctlLogout, ID: agentID})
	return c.Publish(ctx, prefix+chanControl, b).Err()
}

// AgentEdited tells every node, this one included, to reload the agent and move
// its sockets (Host.MoveAgentSockets).
func (n *Node) AgentEdited(a *store.Agent) { n.broadcastControl(control{Op: ctlAgent, ID: a.ID}) }

// Subscribe subscribes this node to group's channel; call it before a socket
// joins the group, so that every frame of the group decided after the socket's
// welcome reaches this node. It does not wait longer than the call timeout.
func (n *Node) Subscribe(group string) {
	ctx, cancel := context.WithTimeout(context.Background(), n.o.CallTimeout)
	defer cancel()
	if err := n.broker.Subscribe(ctx, n.o.Prefix+chanGroup+group); err != nil {
		// The reference is taken; the broker confirms it when Redis is back.
		n.log.Debug("subscription not confirmed", zap.String("group", group), zap.Error(err))
	}
	n.views.joined(group)
}

// Unsubscribe drops this node's reference to group's channel without waiting for
// Redis (hub.RedisBroker.Release): a socket that goes away has nothing to wait for.
func (n *Node) Unsubscribe(group string) {
	n.views.left(group)
	n.broker.Release(n.o.Prefix + chanGroup + group)
}

// beat reports this node's sockets to the leader every Heartbeat.
func (n *Node) beat() {
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

func (n *Node) sendHeartbeat() {
	n.sockMu.Lock()
	defer n.sockMu.Unlock()
	report := make(map[string]int, len(n.sockets))
	for a, c := range n.sockets {
		report[a] = c
	}
	opHeartbeat.cast(n.rpc, n.o.NodeID, heartbeatReq{Sockets: report})
}

// resync runs after the broker's subscription was re-established (Redis restarted
// or the connection broke): frames published meanwhile are gone, so every site
// this node has visitors of gets its current status again.
func (n *Node) resync() {
	n.views.dropAll()
	go func() {
		n.sendHeartbeat()
		for _, g := range n.d.Hub.Groups("site:") {
			siteID := strings.TrimPrefix(g, "site:")
			ctx, cancel := opCtx()
			r, err := opStatus.call(ctx, n.rpc, siteID, statusReq{Site: siteID})
			cancel()
			if err != nil {
				continue
			}
			n.d.Hub.BroadcastStatus(g, n.d.Host.StatusFrame(r.Status))
		}
	}()
}

// dropped runs on the broker's reader for a message it could not deliver: a status
// frame may be among them, so the site's view is no longer trusted.
func (n *Node) dropped(channel string) {
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
