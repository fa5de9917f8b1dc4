package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/livedesk/gateway/clock"
	"github.com/livedesk/gateway/store"
)

// DefaultTokenTTL is how long a login token is valid.
const DefaultTokenTTL = 24 * time.Hour

// TokenIssuer signs and checks agent tokens: HS256 JWTs carrying the agent id and
// its token version, so bumping the version revokes every token issued before.
// A token is valid for TTL from its issue on Clock, signed with Secret.
type TokenIssuer struct {
	Secret []byte
	TTL    time.Duration
	Clock  clock.Clock
}

type tokenClaims struct {
	Version int64 `json:"ver"`
	jwt.RegisteredClaims
}

// TokenIssuerName is the issuer ("iss") every agent token carries and is checked for.
const TokenIssuerName = "livedesk-gateway"

// Issue signs a token for a at its current token version and returns it with its
// expiry.
func (ti *TokenIssuer) Issue(a *store.Agent) (string, time.Time, error) {
	now := ti.Clock.Now()
	exp := now.Add(ti.TTL)
	c := tokenClaims{
		Version: a.TokenVersion,
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    TokenIssuerName,
			Subject:   a.ID,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(exp),
		},
	}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(ti.Secret)
	return tok, exp, err
}

// parse checks the signature, issuer and expiry and returns the claims. It does not
// look at the store: authenticate does.
func (ti *TokenIssuer) parse(tok string) (*tokenClaims, error) {
	var c tokenClaims
	_, err := jwt.ParseWithClaims(tok, &c, func(*jwt.Token) (any, error) { return ti.Secret, nil },
		jwt.WithValidMethods([]string{"HS256"}),
		jwt.WithIssuer(TokenIssuerName),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(ti.Clock.Now),
	)
	if err != nil {
		if errors.Is(err, jwt.ErrTokenExpired) {
			return nil, errors.New("token expired")
		}
		return nil, errors.New("invalid token")
	}
	if c.Subject == "" {
		return nil, errors.New("invalid token")
	}
	return &c, nil
}

// Authenticate resolves a bearer token to its agent. It fails for a bad signature,
// an expired token, a deleted agent and a revoked token version. The WebSocket
// endpoints use it for the agent's hello.
func (h *Handler) Authenticate(ctx context.Context, tok string) (*store.Agent, error) {
	c, err := h.tokens.parse(tok)
	if err != nil {
		return nil, unauthorized(err.Error())
	}
	a, err := h.store.GetAgent(ctx, c.Subject)
	if errors.Is(err, store.ErrNotFound) {
		return nil, unauthorized("invalid token")
	}
	if err != nil {
		return nil, err
	}
	if a.TokenVersion != c.Version {
		return nil, unauthorized("token revoked")
	}
	return a, nil
}

type ctxKey int

const agentKey ctxKey = 1

// Authed wraps a handler that needs a logged-in agent; the agent is in the context.
func (h *Handler) Authed(next func(w http.ResponseWriter, r *http.Request, me *store.Agent) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		authz := r.Header.Get("Authorization")
		tok, ok := strings.CutPrefix(authz, "Bearer ")
		if !ok || strings.TrimSpace(tok) == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="api"`)
			h.WriteError(w, r, unauthorized("missing bearer token"))
			return
		}
		me, err := h.Authenticate(r.Context(), strings.TrimSpace(tok))
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="api", error="invalid_token"`)
			h.WriteError(w, r, err)
			return
		}
		if err := next(w, r, me); err != nil {
			h.WriteError(w, r, err)
		}
	}
}

// isManager reports whether the agent may manage sites and agents.
func isManager(a *store.Agent) bool { return a.Role == store.RoleOwner || a.Role == store.RoleAdmin }

// requireManager is the owner-or-admin check.
func requireManager(me *store.Agent) error {
	if !isManager(me) {
		return Forbidden("", "only an owner or an admin may do this")
	}
	return nil
}

// isMember reports whether the agent may see a site: owners and admins see every
// site; agents see the sites they serve.
func isMember(me *store.Agent, siteID string) bool {
	return isManager(me) || me.Serves(siteID)
}

// canManageAgent reports whether me may change target: managers may, except that only
// an owner manages owners.
func canManageAgent(me, target *store.Agent) bool {
	if !isManager(me) {
		return false
	}
	return target.Role != store.RoleOwner || me.Role == store.RoleOwner
}

// Tokens is the issuer of the handler's agent tokens (the tests mint tokens with it).
func (h *Handler) Tokens() *TokenIssuer { return h.tokens }

// RevokeTokens makes every token issued to a before invalid (logout's effect); the
// caller stores a.
func RevokeTokens(a *store.Agent) { a.TokenVersion++ }
