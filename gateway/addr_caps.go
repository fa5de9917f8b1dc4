package gateway

import (
	"context"
	"github.com/livedesk/gateway/internal/clientaddr"
	"net"
	"net/http"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/livedesk/gateway/gateway/api"
	"github.com/livedesk/gateway/protocol"
)

// Default per-address caps (docs/operations.md#address-caps): an office of 500
// people behind one NAT, each with two widget tabs open, holds 1,000 sockets, and
// their browsers' idle keep-alive connections about as many again.
const (
	DefaultMaxSocketsPerAddr = 1000
	DefaultMaxConnsPerAddr   = 2000
)

// addrCounter counts what each client address holds open at once, up to max.
//
// Lock rule: mu guards n.
type addrCounter struct {
	max int // 0: no cap, nothing is counted
	mu  sync.Mutex
	n   map[string]int
}

func newAddrCounter(max int) *addrCounter { return &addrCounter{max: max, n: map[string]int{}} }

// acquire counts one more for addr and reports true, or reports false (counting
// nothing) when addr already holds max. Without a cap it always reports true.
func (c *addrCounter) acquire(addr string) bool {
	if c.max <= 0 {
		return true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n[addr] >= c.max {
		return false
	}
	c.n[addr]++
	return true
}

// release gives back one that acquire counted for addr.
func (c *addrCounter) release(addr string) {
	if c.max <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n[addr] <= 1 {
		delete(c.n, addr)
		return
	}
	c.n[addr]--
}

// addrCaps are the caps on what one client address holds open at once: TCP
// connections (counted on the peer, by the listener LimitListener makes) and
// WebSockets (counted on TrustedProxies.ClientAddr, at the upgrade). What is over a cap is refused
// with 429 and counted in gateway_addr_cap_refused_total{kind}.
type addrCaps struct {
	conns, sockets *addrCounter
	trusted        clientaddr.TrustedProxies
	refused        *prometheus.CounterVec
}

func newAddrCaps(opts Options, reg *prometheus.Registry) *addrCaps {
	c := &addrCaps{conns: newAddrCounter(opts.MaxConnsPerAddr), sockets: newAddrCounter(opts.MaxSocketsPerAddr),
		trusted: opts.TrustedProxies, refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gateway_addr_cap_refused_total",
			Help: "Connections (kind conn) and WebSockets (kind socket) refused with 429 because their client address already held as many as its cap.",
		}, []string{"kind"})}
	for _, kind := range []string{"conn", "socket"} {
		c.refused.WithLabelValues(kind) // present at 0, so a rate can be taken from the start
	}
	reg.MustRegister(c.refused)
	return c
}

// refuseOverCap answers 429 rate_limited (Retry-After: 10) to what is over its
// address's cap (what names it: "connections", "WebSockets").
func (s *Server) refuseOverCap(w http.ResponseWriter, r *http.Request, what string) {
	w.Header().Set("Retry-After", "10")
	s.api.WriteError(w, r, &api.APIError{Status: http.StatusTooManyRequests, Code: protocol.CodeRateLimited,
		Message: "too many " + what + " open from your address: close some and retry"})
}

// LimitListener wraps l so that each peer address has at most
// Options.MaxConnsPerAddr connections counted at once; peers that are trusted
// proxies are not counted (their connections carry many clients). A connection over
// the cap is counted in the metric at once and kept just long enough to answer its
// first request with 429 (Connection: close), for which the http.Server must use
// ConnContext. Without a cap it returns l.
func (s *Server) LimitListener(l net.Listener) net.Listener {
	if s.caps.conns.max <= 0 {
		return l
	}
	return capListener{Listener: l, caps: s.caps}
}

type capListener struct {
	net.Listener
	caps *addrCaps
}

// Accept counts the connection on its peer, or marks it over the cap.
func (l capListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return c, err
	}
	addr := clientaddr.PeerHost(c.RemoteAddr().String())
	if l.caps.trusted.Trusts(addr) {
		return c, nil
	}
	if !l.caps.conns.acquire(addr) {
		l.caps.refused.WithLabelValues("conn").Inc()
		return &capConn{Conn: c, over: true}, nil
	}
	return &capConn{Conn: c, release: func() { l.caps.conns.release(addr) }}, nil
}

// capConn is a connection LimitListener accepted: counted (release gives its place
// back, once, at Close) or over its address's cap.
type capConn struct {
	net.Conn
	over    bool
	release func()
	once    sync.Once
}

// Close closes the connection and gives its place back.
func (c *capConn) Close() error {
	if c.release != nil {
		c.once.Do(c.release)
	}
	return c.Conn.Close()
}

// CloseWrite lets net/http end a response with a FIN before closing (so the client
// reads the 429 rather than a reset), as it does on a bare *net.TCPConn.
func (c *capConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// overCapKey marks the context of a connection over its address's cap.
type overCapKey struct{}

// ConnContext is for http.Server.ConnContext beside LimitListener: the requests of
// a connection over its address's cap are answered 429 by the Handler.
func (s *Server) ConnContext(ctx context.Context, c net.Conn) context.Context {
	if cc, ok := c.(*capConn); ok && cc.over {
		return context.WithValue(ctx, overCapKey{}, true)
	}
	return ctx
}

// refuseConnsOverCap answers 429 (and closes the connection after it) to every
// request of a connection over its address's cap.
func (s *Server) refuseConnsOverCap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Context().Value(overCapKey{}) == nil {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Connection", "close")
		s.refuseOverCap(w, r, "connections")
	})
}

// acquireSocket counts a WebSocket upgrade on its client address, or answers 429
// and counts the refusal when the address holds its cap already. release gives the
// place back when the socket is gone.
func (s *Server) acquireSocket(w http.ResponseWriter, r *http.Request) (release func(), ok bool) {
	addr := s.opts.TrustedProxies.ClientAddr(r)
	if !s.caps.sockets.acquire(addr) {
		s.caps.refused.WithLabelValues("socket").Inc()
		s.refuseOverCap(w, r, "WebSockets")
		return nil, false
	}
	return func() { s.caps.sockets.release(addr) }, true
}
