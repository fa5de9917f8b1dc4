package gateway

import (
	"context"
	"github.com/livedesk/gateway/gateway/api"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/livedesk/gateway/clock"
	"github.com/livedesk/gateway/cluster"
	"github.com/livedesk/gateway/deskapi"
	"github.com/livedesk/gateway/hub"
	"github.com/livedesk/gateway/protocol"
	"go.uber.org/zap"
)

// Socket timings (docs/protocol.md#6-websocket-frames).
const (
	helloTimeout  = 10 * time.Second
	pingInterval  = 25 * time.Second
	pingTimeout   = 15 * time.Second
	writeTimeout  = 10 * time.Second
	sendQueue     = 256
	pingerWorkers = 32
)

// realtime is the WebSocket side of the server: the hub of sockets, the routing
// desk, and the notifier that turns the desk's decisions into frames.
type realtime struct {
	s        *Server
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

func newRealtime(s *Server) *realtime {
	rt := &realtime{s: s, hub: hub.New(64), visitors: visitorTokens{secret: s.opts.Secret}, log: s.log.Named("ws"),
		pingTimeout: s.opts.PingTimeout, hellos: newHelloGate(helloSlots, helloWait)}
	if rt.pingTimeout <= 0 {
		rt.pingTimeout = pingTimeout
	}
	rt.leaving.leave = rt.leaveGroups
	if o := s.opts.Cluster; o != nil {
		n := cluster.New(*o, cluster.Deps{Store: s.store, Clock: s.clock, Log: s.log, Hub: rt.hub, Host: clusterHost{rt}})
		rt.node, rt.out = n, sendOut{n.Out()}
	} else {
		rt.out = hubOut{rt.hub}
		rt.node = newSingleNode(rt)
	}
	rt.desk = rt.node.Desk()
	return rt
}

// start loads the desk (single node) or joins the cluster, and arms the pinger.
func (rt *realtime) start(ctx context.Context) error {
	if err := rt.node.Start(ctx); err != nil {
		return err
	}
	rt.armPinger()
	return nil
}

// stop closes every socket with 1012, spread over spread, and stops the desk.
func (rt *realtime) stop(spread time.Duration) {
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
func (rt *realtime) armPinger() {
	rt.pingMu.Lock()
	defer rt.pingMu.Unlock()
	if rt.pingStopped {
		return
	}
	rt.pingTimer = rt.s.clock.AfterFunc(pingInterval, func() {
		go func() {
			rt.pingRound()
			rt.armPinger()
		}()
	})
}

// pingRound pings every socket with a few workers; a socket that does not answer
// within the ping timeout is closed. Only the interval follows the injectable clock;
// the wait for a pong is real time, since it measures the peer.
func (rt *realtime) pingRound() {
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
func (rt *realtime) refuseWhileDraining(w http.ResponseWriter, r *http.Request) bool {
	if !rt.s.draining.Load() {
		return false
	}
	w.Header().Set("Retry-After", "1")
	rt.s.api.WriteError(w, r, &api.APIError{Status: http.StatusServiceUnavailable, Code: protocol.CodeUnavailable, Message: "this node is shutting down: reconnect"})
	return true
}

// accept upgrades a request to a WebSocket with the gateway's limits; over its
// address's socket cap it answers 429 instead (acquireSocket). release gives the
// socket's place back once it is gone; ok false means the request was answered.
func (rt *realtime) accept(w http.ResponseWriter, r *http.Request, skipOriginCheck bool) (c *websocket.Conn, release func(), ok bool) {
	release, ok = rt.s.acquireSocket(w, r)
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

// socketsOpen is the number of open sockets (for metrics).
func (rt *realtime) socketsOpen() int64 { return rt.nSockets.Load() }
