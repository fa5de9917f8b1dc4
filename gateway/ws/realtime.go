package ws

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/livedesk/gateway/clock"
	"github.com/livedesk/gateway/cluster"
	"github.com/livedesk/gateway/deskapi"
	"github.com/livedesk/gateway/gateway/api"
	"github.com/livedesk/gateway/hub"
	"github.com/livedesk/gateway/notify"
	"github.com/livedesk/gateway/protocol"
	"github.com/livedesk/gateway/store"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
)

// Socket timings (docs/protocol.md#websocket-frames).
const (
	helloTimeout = 10 * time.Second
	// PingInterval is how often the server pings every socket.
	PingInterval  = 25 * time.Second
	pingTimeout   = 15 * time.Second
	writeTimeout  = 10 * time.Second
	sendQueue     = 256
	pingerWorkers = 32
)

// HTTP is what the sessions ask of the HTTP API (*api.Handler): who an agent's
// token is, and the one writer of HTTP errors (an upgrade refused).
type HTTP interface {
	Authenticate(ctx context.Context, tok string) (*store.Agent, error)
	WriteError(w http.ResponseWriter, r *http.Request, err error)
}

// Options are what the sessions work with. Store, Secret, HTTP, Outbox's Wake,
// Draining and AcquireSocket are required; the rest has defaults.
type Options struct {
	Store  store.Store
	Clock  clock.Clock
	Logger *zap.Logger
	// Secret signs the visitors' tokens (visitorTokens).
	Secret []byte
	// DisconnectGrace is how long an agent without sockets stays available
	// (default routing.DefaultDisconnectGrace).
	DisconnectGrace time.Duration
	// PingTimeout is how long a socket may take to answer a ping (default 15 s).
	PingTimeout time.Duration
	// Cluster, when set, runs the desk on the cluster's leader (cluster.Node);
	// nil: the desk runs here (singleNode).
	Cluster *cluster.Options
	// HTTP authenticates agents and writes the HTTP errors of refused upgrades.
	HTTP HTTP
	// Outbox makes the notifications of offline messages and of the desk's
	// announcements; Wake tells the outbox worker one is due.
	Outbox notify.Outbox
	Wake   func()
	// Draining reports whether the node drains: upgrades are refused then.
	Draining func() bool
	// AcquireSocket counts an upgrade under its address's cap, or answers 429 and
	// reports false; release gives the place back when the socket is gone.
	AcquireSocket func(w http.ResponseWriter, r *http.Request) (release func(), ok bool)
}

// Realtime is the WebSocket side of a node: the hub of sockets, the routing desk
// (here or the cluster's, through deskNode), and the notifier that turns the
// desk's decisions into frames. It is safe for concurrent use.
type Realtime struct {
	opts     Options
	store    store.Store
	clock    clock.Clock
	http     HTTP
	hub      *hub.Hub
	desk     deskapi.Desk // node.Desk()
	out      frameOut     // where this node's own frames go (messages, typing)
	visitors visitorTokens
	log      *zap.Logger

	// node runs the desk here (a single node) or reaches the cluster's.
	node deskNode

	// hellos bounds the visitor hellos worked on at once.
	hellos *helloGate
	// leaving takes closed sockets out of their groups.
	leaving leaver

	// sessions holds every open socket's session, for pings and counts.
	sessions sync.Map // *session -> struct{}
	nSockets atomic.Int64

	pingTimeout time.Duration
	// pingMu guards pingTimer and pingStopped.
	pingMu      sync.Mutex
	pingTimer   clock.Timer
	pingStopped bool
}

// New builds the sessions of a node and its desk (or its place in the cluster);
// Start starts them.
func New(opts Options) *Realtime {
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.Logger == nil {
		opts.Logger = zap.NewNop()
	}
	rt := &Realtime{opts: opts, store: opts.Store, clock: opts.Clock, http: opts.HTTP, hub: hub.New(64),
		visitors: visitorTokens{secret: opts.Secret}, log: opts.Logger.Named("ws"),
		pingTimeout: opts.PingTimeout, hellos: newHelloGate(helloSlots, helloWait)}
	if rt.pingTimeout <= 0 {
		rt.pingTimeout = pingTimeout
	}
	rt.leaving.leave = rt.leaveGroups
	if o := opts.Cluster; o != nil {
		n := cluster.New(*o, cluster.Deps{Store: opts.Store, Clock: opts.Clock, Log: opts.Logger, Hub: rt.hub, Host: clusterHost{rt}})
		rt.node, rt.out = n, sendOut{n.Out()}
	} else {
		rt.out = hubOut{rt.hub}
		rt.node = newSingleNode(rt)
	}
	rt.desk = rt.node.Desk()
	return rt
}

// Desk is the routing desk the sessions use, for the HTTP API to share.
func (rt *Realtime) Desk() deskapi.Desk { return rt.desk }

// Start loads the desk (single node) or joins the cluster, and arms the pinger.
func (rt *Realtime) Start(ctx context.Context) error {
	if err := rt.node.Start(ctx); err != nil {
		return err
	}
	rt.armPinger()
	return nil
}

// Stop closes every socket with 1012, spread over spread, and stops the desk.
func (rt *Realtime) Stop(spread time.Duration) {
	rt.pingMu.Lock()
	rt.pingStopped = true
	stopTimer(rt.pingTimer)
	rt.pingMu.Unlock()
	// The sockets closed now had a live agent behind them: the desk keeps that
	// record (store.Agent.HadSocket) for the next start's restart grace.
	rt.node.Stopping()
	rt.hub.CloseAll(hub.CloseRestart, "server restarting", spread, nil)
	rt.node.Stop()
}

// armPinger schedules the next ping round on the clock (so tests can trigger it).
func (rt *Realtime) armPinger() {
	rt.pingMu.Lock()
	defer rt.pingMu.Unlock()
	if rt.pingStopped {
		return
	}
	rt.pingTimer = rt.clock.AfterFunc(PingInterval, func() {
		go func() {
			rt.pingRound()
			rt.armPinger()
		}()
	})
}

// pingRound pings every socket with a few workers; a socket that does not answer
// within the ping timeout is closed. Only the interval follows the injectable clock;
// the wait for a pong is real time, since it measures the peer.
func (rt *Realtime) pingRound() {
	work := make(chan *session)
	var wg sync.WaitGroup
	for i := 0; i < pingerWorkers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ss := range work {
				ctx, cancel := context.WithTimeout(context.Background(), rt.pingTimeout)
				if err := ss.conn.Ping(ctx); err != nil {
					// The peer is gone: no close handshake to wait for.
					ss.client.Close(hub.CloseNormal, "ping timeout")
					_ = ss.conn.CloseNow()
				}
				cancel()
			}
		}()
	}
	rt.sessions.Range(func(k, _ any) bool {
		work <- k.(*session)
		return true
	})
	close(work)
	wg.Wait()
}

// refuseWhileDraining answers 503 (Retry-After: 1) to a WebSocket upgrade once the
// node drains: a socket accepted now would only be cut at exit, and the client's
// retry reaches another node through the load balancer. It reports whether it did.
func (rt *Realtime) refuseWhileDraining(w http.ResponseWriter, r *http.Request) bool {
	if !rt.opts.Draining() {
		return false
	}
	w.Header().Set("Retry-After", "1")
	rt.http.WriteError(w, r, &api.APIError{Status: http.StatusServiceUnavailable, Code: protocol.CodeUnavailable, Message: "this node is shutting down: reconnect"})
	return true
}

// accept upgrades a request to a WebSocket with the gateway's limits; over its
// address's socket cap it answers 429 instead (acquireSocket). release gives the
// socket's place back once it is gone; ok false means the request was answered.
func (rt *Realtime) accept(w http.ResponseWriter, r *http.Request, skipOriginCheck bool) (c *websocket.Conn, release func(), ok bool) {
	release, ok = rt.opts.AcquireSocket(w, r)
	if !ok {
		return nil, nil, false
	}
	c, err := websocket.Accept(smallBuffers{w}, r, &websocket.AcceptOptions{InsecureSkipVerify: skipOriginCheck, CompressionMode: websocket.CompressionDisabled})
	if err != nil {
		release()
		return nil, nil, false
	}
	c.SetReadLimit(protocol.MaxFrameBytes)
	return c, release, true
}

// SocketsOpen is the number of open sockets on this node (for metrics and tests).
func (rt *Realtime) SocketsOpen() int64 { return rt.nSockets.Load() }

// RegisterMetrics adds the gauges of the sessions and the node's own metrics.
func (rt *Realtime) RegisterMetrics(reg *prometheus.Registry) {
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "gateway_ws_sockets", Help: "Open WebSocket connections (visitors and agents) on this node.",
	}, func() float64 { return float64(rt.SocketsOpen()) }))
	reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "gateway_visitor_hellos_shed_total", Help: "Visitor hellos answered unavailable (close 1013) because the node was already welcoming as many as it takes at once for 5 s.",
	}, func() float64 { return float64(rt.hellos.shed.Load()) }))
	rt.node.RegisterMetrics(reg)
}

// VisitorToken is the token a visitor's hello on siteID gets for visitorID (tests
// make genuine visitor tokens with it).
func (rt *Realtime) VisitorToken(siteID, visitorID string) string {
	return rt.visitors.sign(siteID, visitorID)
}

// ClusterNode is this node's place in the cluster; nil on a single node.
func (rt *Realtime) ClusterNode() *cluster.Node {
	n, _ := rt.node.(*cluster.Node)
	return n
}
