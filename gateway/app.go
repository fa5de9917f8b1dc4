package gateway

import (
	"context"
	"errors"
	"fmt"
	"github.com/livedesk/gateway/internal/clientaddr"
	"io"
	"net"
	"net/http"
	"time"

	"os"

	"github.com/google/uuid"
	"github.com/livedesk/gateway/clock"
	"github.com/livedesk/gateway/cluster"
	"github.com/livedesk/gateway/gateway/setup"
	"github.com/livedesk/gateway/notify"
	"github.com/livedesk/gateway/store"
	"go.uber.org/zap"
)

// drainSpread is how long SIGTERM takes to close every socket (evenly spread, so
// clients do not all reconnect to the other nodes in the same instant).
const drainSpread = 3 * time.Second

// App is a running gateway: the store, the API server and its listener.
type App struct {
	cfg      Config
	log      *zap.Logger
	store    store.Store
	server   *Server
	http     *http.Server
	listener net.Listener
	// debugListener is --debug-addr's, bound with the main one (nil when off).
	debugListener net.Listener
	// metricsListener is --metrics-addr's, bound with the main one (nil when off).
	metricsListener net.Listener
	// Owner is what the start did about the owner account.
	Owner setup.OwnerResult
	// DemoSite is the demo site's id when --demo is set.
	DemoSite string
	cluster  *cluster.Options // nil on a single node
	debug    *http.Server     // --debug-addr, nil when off
	metrics  *http.Server     // --metrics-addr, nil when off
	// closeControl closes the cluster's own Redis client (nil on a single node).
	closeControl func() error
}

// closeStore closes the store and, in cluster mode, the cluster's own client.
func (a *App) closeStore() error {
	err := a.store.Close()
	if a.closeControl != nil {
		_ = a.closeControl()
	}
	return err
}

// Start checks that the data dir can be written, binds its listeners, then opens
// the store, makes sure the secret and the owner exist, and prints the owner's
// generated password once to out. The listeners come before the store: a start that
// cannot serve (a busy port) fails having created nothing, so the password is printed
// by the start that serves. Serve must follow.
func Start(ctx context.Context, cfg Config, clk clock.Clock, log *zap.Logger, out io.Writer) (*App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.RedisURL == "" && cfg.DatabaseURL == "" {
		if err := CheckDataDir(cfg.DataDir); err != nil {
			return nil, err
		}
	}
	app := &App{cfg: cfg, log: log}
	if err := app.listen(); err != nil {
		return nil, err
	}
	st, err := app.openStore(ctx)
	if err != nil {
		app.closeListeners()
		return nil, err
	}
	app.store = st
	if err := app.init(ctx, clk, out); err != nil {
		if app.server != nil {
			app.server.Stop(0)
		}
		_ = app.closeStore()
		app.closeListeners()
		return nil, err
	}
	return app, nil
}

// listen binds --addr, --debug-addr and --metrics-addr; when one fails, none stays
// bound.
func (a *App) listen() error {
	l, err := net.Listen("tcp", a.cfg.Addr)
	if err != nil {
		return fmt.Errorf("--addr %s: %w", a.cfg.Addr, err)
	}
	a.listener = l
	if a.cfg.DebugAddr != "" {
		if a.debugListener, err = net.Listen("tcp", a.cfg.DebugAddr); err != nil {
			a.debugListener = nil
			a.closeListeners()
			return fmt.Errorf("--debug-addr %s: %w", a.cfg.DebugAddr, err)
		}
	}
	if a.cfg.MetricsAddr != "" {
		if a.metricsListener, err = net.Listen("tcp", a.cfg.MetricsAddr); err != nil {
			a.metricsListener = nil
			a.closeListeners()
			return fmt.Errorf("--metrics-addr %s: %w", a.cfg.MetricsAddr, err)
		}
	}
	return nil
}

// closeListeners closes what listen bound (a start that failed after it).
func (a *App) closeListeners() {
	_ = a.listener.Close()
	for _, l := range []net.Listener{a.debugListener, a.metricsListener} {
		if l != nil {
			_ = l.Close()
		}
	}
}

// openStore opens the store the configuration names (OpenStore) and, with
// --redis-url, sets up cluster mode on the cluster's own client (OpenClusterClient).
func (a *App) openStore(ctx context.Context) (store.Store, error) {
	cfg := a.cfg
	st, err := OpenStore(ctx, cfg, false)
	if err != nil || cfg.RedisURL == "" {
		return st, err
	}
	ctl, closeCtl, err := OpenClusterClient(ctx, cfg, st)
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	node := cfg.NodeID
	if node == "" {
		host, _ := os.Hostname()
		node = host + "-" + uuid.NewString()[:8]
	}
	a.closeControl = closeCtl
	a.cluster = &cluster.Options{Client: ctl, NodeID: node, LeaseTTL: cfg.LeaseTTL, NodeTTL: cfg.NodeTTL}
	a.log.Info("cluster mode", zap.String("node", node), zap.String("store", storeKind(st)))
	return st, nil
}

func (a *App) init(ctx context.Context, clk clock.Clock, out io.Writer) error {
	secret, err := setup.EnsureSecret(ctx, a.store, a.cfg.Secret)
	if err != nil {
		return err
	}
	a.Owner, err = setup.EnsureOwner(ctx, a.store, a.cfg.OwnerEmail, a.cfg.OwnerPassword, clk.Now())
	if err != nil {
		return err
	}
	if a.cfg.Demo {
		site, err := setup.EnsureDemoSite(ctx, a.store, clk.Now())
		if err != nil {
			return err
		}
		a.DemoSite = site.ID
	}
	no, err := a.notifyOptions()
	if err != nil {
		return err
	}
	if no.WebhookAllowPrivate = a.cfg.WebhookAllowPrivate; no.WebhookAllowPrivate {
		a.log.Warn("webhooks may go to loopback, link-local and private addresses (--webhook-allow-private)")
	}
	proxies, err := clientaddr.ParseTrustedProxies(a.cfg.TrustedProxies)
	if err != nil {
		return fmt.Errorf("--trusted-proxies: %w", err)
	}
	a.server, err = New(Options{Store: a.store, Secret: secret, Clock: clk, Logger: a.log, Demo: a.cfg.Demo, DemoSiteID: a.DemoSite,
		DisconnectGrace: a.cfg.DisconnectGrace, Cluster: a.cluster, Notify: no,
		TrustedProxies: proxies, MaxConnsPerAddr: a.cfg.MaxConnsPerAddr, MaxSocketsPerAddr: a.cfg.MaxSocketsPerAddr,
		SeparateMetrics: a.metricsListener != nil})
	if err != nil {
		return err
	}
	if err := a.server.Start(ctx); err != nil {
		return err
	}
	if a.debugListener != nil {
		a.debug = startDebug(a.debugListener, a.log)
	}
	if a.metricsListener != nil {
		a.metrics = startMetrics(a.metricsListener, a.server, a.log)
	}
	a.http = &http.Server{Handler: a.server.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second,
		ErrorLog: zap.NewStdLog(a.log.Named("http")), ConnContext: a.server.ConnContext}
	a.printBanner(out)
	return nil
}

func (a *App) printBanner(out io.Writer) {
	url := "http://" + displayAddr(a.listener.Addr())
	fmt.Fprintf(out, "\nGateway listening on %s\n", url)
	switch {
	case a.Owner.Created && a.Owner.Password != "":
		fmt.Fprintf(out, "Owner account created: %s  password: %s  (printed only this once)\n", a.Owner.Email, a.Owner.Password)
	case a.Owner.Created:
		fmt.Fprintf(out, "Owner account created: %s (password from --owner-password)\n", a.Owner.Email)
	case a.Owner.Email != "" && a.cluster != nil:
		fmt.Fprintf(out, "Owner account: %s (its password was printed by the node that created it)\n", a.Owner.Email)
	case a.Owner.Email != "":
		fmt.Fprintf(out, "Owner account: %s (its password was printed at first start; use a new --data-dir to start afresh)\n", a.Owner.Email)
	}
	if a.cfg.Demo {
		fmt.Fprintf(out, "Demo page: %s/   console: %s/console/   API: %s/api/v1\n", url, url, url)
	}
	fmt.Fprintln(out)
}

// displayAddr turns ":8080" or "[::]:8080" into something a browser can open.
func displayAddr(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// Addr is the address the gateway listens on.
func (a *App) Addr() net.Addr { return a.listener.Addr() }

// MetricsAddr is the address /metrics is served on with --metrics-addr (nil
// without: it is then served on Addr).
func (a *App) MetricsAddr() net.Addr {
	if a.metricsListener == nil {
		return nil
	}
	return a.metricsListener.Addr()
}

// Server returns the API server (tests reach the store and options through it).
func (a *App) Server() *Server { return a.server }

// Serve answers requests until ctx is cancelled, then drains: /readyz fails, new
// connections stop, requests in flight finish (up to drainTimeout), the store closes.
func (a *App) Serve(ctx context.Context, drainTimeout time.Duration) error {
	errc := make(chan error, 1)
	go func() { errc <- a.http.Serve(a.server.LimitListener(a.listener)) }()
	select {
	case err := <-errc:
		a.server.Stop(0)
		a.closeMetrics()
		_ = a.closeStore()
		return err
	case <-ctx.Done():
	}
	a.log.Info("draining: closing sockets with 1012", zap.Duration("spread", drainSpread))
	a.server.SetDraining()
	a.server.Stop(drainSpread)
	if a.debug != nil {
		_ = a.debug.Close()
	}
	sctx, cancel := context.WithTimeout(context.Background(), drainTimeout)
	defer cancel()
	err := a.http.Shutdown(sctx)
	a.closeMetrics() // after the drain, so it can be watched
	if cerr := a.closeStore(); err == nil {
		err = cerr
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// closeMetrics stops --metrics-addr's server, when there is one.
func (a *App) closeMetrics() {
	if a.metrics != nil {
		_ = a.metrics.Close()
	}
}

// notifyOptions builds the SMTP sender from --smtp-url and --smtp-from (none when
// unset: e-mail notifications are then off, and the log says so).
func (a *App) notifyOptions() (NotifyOptions, error) {
	if a.cfg.SMTPURL == "" {
		a.log.Info("e-mail notifications off: no --smtp-url (webhooks still go out)")
		return NotifyOptions{}, nil
	}
	sc, err := notify.ParseSMTPURL(a.cfg.SMTPURL)
	if err != nil {
		return NotifyOptions{}, fmt.Errorf("--smtp-url: %w", err)
	}
	m, err := notify.NewSMTP(sc, a.cfg.SMTPFrom, notify.SMTPOptions{})
	if err != nil {
		return NotifyOptions{}, fmt.Errorf("--smtp-url: %w", err)
	}
	a.log.Info("e-mail notifications on", zap.Stringer("smtp", m))
	return NotifyOptions{Mailer: m}, nil
}
