// Package gateway owns the Server: its configuration (Options, Config), its route
// table (routes.go), the health and metrics endpoints, the per-address caps, and
// the wiring of the store, the clock, the logger and the notifications outbox into
// the HTTP API (package gateway/api) and the WebSocket sessions (package
// gateway/ws, which run the desk here or reach the cluster's). Imports go one way:
// gateway -> gateway/ws -> gateway/api (its error table and JSON views) -> deskapi,
// routing, notify, store, protocol; gateway/ws also -> cluster, hub.
package gateway

import (
	"context"
	"errors"
	"github.com/livedesk/gateway/internal/clientaddr"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/livedesk/gateway/clock"
	"github.com/livedesk/gateway/cluster"
	"github.com/livedesk/gateway/gateway/api"
	"github.com/livedesk/gateway/gateway/ws"
	"github.com/livedesk/gateway/notify"
	"github.com/livedesk/gateway/store"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
)

// Options configures a Server. Store and Secret are required; the rest has defaults.
type Options struct {
	Store  store.Store
	Secret []byte
	Clock  clock.Clock
	Logger *zap.Logger
	// TokenTTL is how long a login token lasts (default api.DefaultTokenTTL).
	TokenTTL time.Duration
	// Demo serves the demo page at "/".
	Demo bool
	// DemoSiteID is the site the demo page embeds.
	DemoSiteID string
	// DisconnectGrace is how long an agent without sockets stays available
	// (default routing.DefaultDisconnectGrace).
	DisconnectGrace time.Duration
	// PingTimeout is how long a socket may take to answer the server's ping
	// (default 15 s).
	PingTimeout time.Duration
	// Registry receives the metrics; a new one is made when nil.
	Registry *prometheus.Registry
	// Cluster, when set, runs the server as one node of a cluster; Store must then
	// be one every node shares (the Redis store, or PostgreSQL beside a Redis for
	// the cluster's traffic).
	Cluster *cluster.Options
	// Notify configures e-mail and webhooks.
	Notify NotifyOptions
	// TrustedProxies are the peers whose X-Forwarded-For names the client that the
	// login limits and the socket cap count on (clientaddr.TrustedProxies.ClientAddr); none: the client is the
	// TCP peer.
	TrustedProxies clientaddr.TrustedProxies
	// MaxConnsPerAddr caps the TCP connections one peer address holds open at once
	// (LimitListener); MaxSocketsPerAddr caps the WebSockets of one client address.
	// 0: no cap.
	MaxConnsPerAddr   int
	MaxSocketsPerAddr int
	// SeparateMetrics: /metrics is served on a listener of its own (--metrics-addr,
	// startMetrics), and the Handler answers 404 for it.
	SeparateMetrics bool
	// BodyReadTimeout bounds the time to read a request body (default
	// DefaultBodyReadTimeout).
	BodyReadTimeout time.Duration
}

// Server serves the API. It is safe for concurrent use.
type Server struct {
	store    store.Store
	clock    clock.Clock
	log      *zap.Logger
	opts     Options
	api      *api.Handler
	mux      *http.ServeMux
	metrics  *httpMetrics
	registry *prometheus.Registry

	caps     *addrCaps
	draining atomic.Bool
	rt       *ws.Realtime
	outbox   notify.Outbox
	worker   *notify.Worker
	webhooks *notify.Webhooks
	// routeTable is every "METHOD path" route registered (set by routes, then read-only).
	routeTable []string
}

// New builds a Server.
func New(opts Options) (*Server, error) {
	if opts.Store == nil {
		return nil, errors.New("gateway: Options.Store is required")
	}
	if len(opts.Secret) < 16 {
		return nil, errors.New("gateway: Options.Secret must be at least 16 bytes")
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.Logger == nil {
		opts.Logger = zap.NewNop()
	}
	if opts.BodyReadTimeout <= 0 {
		opts.BodyReadTimeout = DefaultBodyReadTimeout
	}
	if opts.Registry == nil {
		opts.Registry = prometheus.NewRegistry()
	}
	if opts.Cluster != nil {
		c := opts.Cluster.WithDefaults()
		opts.Cluster = &c
	}
	s := &Server{
		store:    opts.Store,
		clock:    opts.Clock,
		log:      opts.Logger,
		opts:     opts,
		mux:      http.NewServeMux(),
		registry: opts.Registry,
	}
	s.metrics = newHTTPMetrics(s.registry)
	s.caps = newAddrCaps(opts, s.registry)
	s.newNotifications()
	s.rt = ws.New(ws.Options{Store: s.store, Clock: s.clock, Logger: s.log, Secret: opts.Secret,
		DisconnectGrace: opts.DisconnectGrace, PingTimeout: opts.PingTimeout, Cluster: opts.Cluster,
		HTTP: wsHTTP{s}, Outbox: s.outbox, Wake: s.worker.Wake, Draining: s.draining.Load, AcquireSocket: s.acquireSocket})
	h, err := api.New(api.Options{Store: s.store, Secret: opts.Secret, Clock: s.clock, Logger: s.log, TokenTTL: opts.TokenTTL,
		Desk: s.rt.Desk(), Live: s.rt, Webhooks: s.webhooks, Wake: s.worker.Wake,
		TrustedProxies: opts.TrustedProxies, Registry: s.registry})
	if err != nil {
		return nil, err
	}
	s.api = h
	s.rt.RegisterMetrics(s.registry)
	s.routes()
	return s, nil
}

// Start loads the routing desk from the store and starts the socket pinger. The
// WebSocket endpoints work once it returns.
func (s *Server) Start(ctx context.Context) error {
	if err := s.rt.Start(ctx); err != nil {
		return err
	}
	s.worker.Start()
	return nil
}

// Stop closes every socket with 1012 spread evenly over spread (clients reconnect
// elsewhere with backoff), and stops the desk's timers. A graceful stop (spread > 0)
// also sends the notifications due now, for up to 5 s; the rest stay in the outbox.
func (s *Server) Stop(spread time.Duration) {
	s.rt.Stop(spread)
	if spread > 0 {
		s.worker.Drain(outboxDrain) // a graceful stop: send what is due before leaving
	} else {
		s.worker.Stop()
	}
}

// outboxDrain bounds how long a graceful stop spends sending due notifications.
const outboxDrain = 5 * time.Second

// Handler returns the root handler: API, health, metrics and (with Demo) the demo
// page, every answer with the security headers (withSecurityHeaders), every request
// body read within BodyReadTimeout (withBodyDeadline), and connections over the
// per-address cap refused (refuseConnsOverCap).
func (s *Server) Handler() http.Handler {
	return withBodyDeadline(s.opts.BodyReadTimeout, withSecurityHeaders(s.metrics.wrap(s.refuseConnsOverCap(s.mux))))
}

// Mux exposes the router so other parts (WebSocket endpoints, widget files) can add
// their routes.
func (s *Server) Mux() *http.ServeMux { return s.mux }

// Registry returns the Prometheus registry the server reports to.
func (s *Server) Registry() *prometheus.Registry { return s.registry }

// SetDraining makes /readyz fail so load balancers stop sending new traffic.
func (s *Server) SetDraining() { s.draining.Store(true) }

// wsHTTP is the HTTP API as the sessions reach it (ws.HTTP). It looks s.api up at
// each call: the sessions are built first, since the API is built over their desk.
type wsHTTP struct{ s *Server }

func (h wsHTTP) Authenticate(ctx context.Context, tok string) (*store.Agent, error) {
	return h.s.api.Authenticate(ctx, tok)
}

func (h wsHTTP) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	h.s.api.WriteError(w, r, err)
}
