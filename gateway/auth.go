package gateway

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

// tokenIssuer signs and checks agent tokens: HS256 JWTs carrying the agent id and
// its token version, so bumping the version revokes every token issued before.
type tokenIssuer struct {
	secret []byte
	ttl    time.Duration
	clock  clock.Clock
}

type tokenClaims struct {
	Version int64 `json:"ver"`
	jwt.RegisteredClaims
}

const tokenIssuerName = "livedesk-gateway"

func (ti *tokenIssuer) issue(a *store.Agent) (string, time.Time, error) {
	now := ti.clock.Now()
	exp := now.Add(ti.ttl)
	c := tokenClaims{
		Version: a.TokenVersion,
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    tokenIssuerName,
			Subject:   a.ID,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(exp),
		},
	}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(ti.secret)
	return tok, exp, err
}

// parse checks the signature, issuer and expiry and returns the claims. It does not
// look at the store: authenticate does.
func (ti *tokenIssuer) parse(tok string) (*tokenClaims, error) {
	var c tokenClaims
	_, err := jwt.ParseWithClaims(tok, &c, func(*jwt.Token) (any, error) { return ti.secret, nil },
		jwt.WithValidMethods([]string{"HS256"}),
		jwt.WithIssuer(tokenIssuerName),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(ti.clock.Now),
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
func (s *Server) Authenticate(ctx context.Context, tok string) (*store.Agent, error) {
	c, err := s.tokens.parse(tok)
	if err != nil {
		return nil, unauthorized(err.Error())
	}
	a, err := s.store.GetAgent(ctx, c.Subject)
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

// authed wraps a handler that needs a logged-in agent; the agent is in the context.
func (s *Server) authed(h func(w http.ResponseWriter, r *http.Request, me *store.Agent) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		authz := r.Header.Get("Authorization")
		tok, ok := strings.CutPrefix(authz, "Bearer ")
		if !ok || strings.TrimSpace(tok) == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="api"`)
			s.writeAPIError(w, r, unauthorized("missing bearer token"))
			return
		}
		me, err := s.Authenticate(r.Context(), strings.TrimSpace(tok))
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="api", error="invalid_token"`)
			s.writeAPIError(w, r, err)
			return
		}
		if err := h(w, r, me); err != nil {
			s.writeAPIError(w, r, err)
		}
	}
}

// isManager reports whether the agent may manage sites and agents.
func isManager(a *store.Agent) bool { return a.Role == store.RoleOwner || a.Role == store.RoleAdmin }

// requireManager is the owner-or-admin check.
func requireManager(me *store.Agent) error {
	if !isManager(me) {
		return forbidden("", "only an owner or an admin may do this")
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
