// Package api owns the HTTP JSON API of docs/protocol.md#http-api: its handlers, the
// agent tokens and the roles that guard every endpoint, the login limits, the
// validation of request bodies, and the one helper that writes every error
// (WriteError). It knows the desk only through deskapi.Desk and the sockets only
// through Live; the gateway package builds a Handler and registers its methods on
// its routes.
package api

import (
	"context"
	"errors"
	"github.com/livedesk/gateway/internal/clientaddr"
	"github.com/livedesk/gateway/internal/loginlimit"
	"net/http"
	"time"

	"github.com/livedesk/gateway/clock"
	"github.com/livedesk/gateway/deskapi"
	"github.com/livedesk/gateway/notify"
	"github.com/livedesk/gateway/protocol"
	"github.com/livedesk/gateway/store"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
)

// Live is what the API asks of the WebSocket side after a change it stored.
type Live interface {
	// AgentChanged shows an agent's new record to its own sockets, on every node.
	AgentChanged(a *store.Agent)
	// ForceLogout closes every socket of an agent, on every node.
	ForceLogout(agentID string)
	// OfflineChanged tells the agents of m's site that m changed state.
	OfflineChanged(ctx context.Context, m *store.OfflineMessage)
}

// Options are what a Handler works with. Store, Secret, Desk, Live, Webhooks and
// Wake are required; the rest has defaults.
type Options struct {
	Store  store.Store
	Secret []byte
	Clock  clock.Clock
	Logger *zap.Logger
	// TokenTTL is how long a login token lasts (default DefaultTokenTTL).
	TokenTTL time.Duration
	// Desk is the routing desk, local or the cluster's.
	Desk deskapi.Desk
	// Live reaches the sockets.
	Live Live
	// Webhooks checks the webhook URLs a site is saved with.
	Webhooks *notify.Webhooks
	// Wake tells the notifications worker that an item is due now.
	Wake func()
	// TrustedProxies are the peers whose X-Forwarded-For names the client the login
	// limits count on.
	TrustedProxies clientaddr.TrustedProxies
	// Registry receives the login counter (gateway_logins_total); nil: none.
	Registry *prometheus.Registry
}

// Handler serves the API endpoints; its exported methods are the handlers the
// gateway registers. It is safe for concurrent use.
type Handler struct {
	store  store.Store
	clock  clock.Clock
	log    *zap.Logger
	tokens *TokenIssuer
	opts   Options
	desk   deskapi.Desk
	live   Live
	// logins limits failed logins per address and account; loginResults counts them.
	logins       *loginlimit.Guard
	loginResults *prometheus.CounterVec
	// dummyHash is compared against when the e-mail is unknown, so a login takes as
	// long whether or not the account exists.
	dummyHash []byte
}

// New builds a Handler.
func New(opts Options) (*Handler, error) {
	if opts.Store == nil || opts.Desk == nil || opts.Live == nil || opts.Webhooks == nil || opts.Wake == nil {
		return nil, errors.New("api: Options.Store, Desk, Live, Webhooks and Wake are required")
	}
	if len(opts.Secret) < 16 {
		return nil, errors.New("api: Options.Secret must be at least 16 bytes")
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.Logger == nil {
		opts.Logger = zap.NewNop()
	}
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = DefaultTokenTTL
	}
	h := &Handler{store: opts.Store, clock: opts.Clock, log: opts.Logger, opts: opts, desk: opts.Desk, live: opts.Live,
		tokens: &TokenIssuer{Secret: opts.Secret, TTL: opts.TokenTTL, Clock: opts.Clock}, logins: loginlimit.NewGuard(),
		loginResults: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gateway_logins_total", Help: "Login attempts by result (ok, bad_credentials, rate_limited).",
		}, []string{"result"}),
	}
	if opts.Registry != nil {
		opts.Registry.MustRegister(h.loginResults)
	}
	hash, err := HashPassword("not a real password, only for timing")
	if err != nil {
		return nil, err
	}
	h.dummyHash = []byte(hash)
	return h, nil
}

// storeError maps store errors to API errors (errorCodes); unknown ones are logged
// as internal.
func (h *Handler) storeError(r *http.Request, err error) *APIError {
	if c, ok := codeOf(err, false); ok {
		return &APIError{Status: c.status, Code: c.code, Message: c.api, Field: c.field}
	}
	h.log.Error("api request failed", zap.String("method", r.Method), zap.String("path", r.URL.Path), zap.Error(err))
	return &APIError{Status: http.StatusInternalServerError, Code: protocol.CodeInternal, Message: "internal error"}
}

// checkWebhookTargets refuses, as a 400 naming the field, a webhook URL of st whose
// host is (or resolves to) a non-public address while those are not allowed. st
// holds only the fields of the request body (a scratch site for a PATCH), so
// URLs already stored are not looked up again.
func (h *Handler) checkWebhookTargets(ctx context.Context, st *store.Site) error {
	for _, u := range []struct{ field, url string }{
		{"notify.webhook_url", st.Notify.WebhookURL},
		{"presence_alerts.webhook_url", st.PresenceAlerts.WebhookURL},
	} {
		if u.url == "" {
			continue
		}
		if err := h.opts.Webhooks.CheckTarget(ctx, u.url); err != nil {
			return badRequest(u.field, "%v", err)
		}
	}
	return nil
}

// clientAddr is the address the request comes from, as the trusted proxies say
// (clientaddr.TrustedProxies.ClientAddr).
func (h *Handler) clientAddr(r *http.Request) string { return h.opts.TrustedProxies.ClientAddr(r) }
