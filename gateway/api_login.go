package gateway

import (
	"errors"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/livedesk/gateway/store"
	"golang.org/x/crypto/bcrypt"
)

// bcryptCost is the work factor of stored password hashes (tests lower it).
var bcryptCost = bcrypt.DefaultCost

func hashPassword(pw string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcryptCost)
	return string(h), err
}

type loginResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	Agent     agentView `json:"agent"`
}

// clientAddr is the address a request came from (the peer; proxies are not trusted).
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// handleLogin exchanges e-mail and password for a token. Attempts are limited per
// address and per e-mail; an unknown e-mail costs the same bcrypt work as a known one.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	err := func() error {
		m, err := decodeObject(r)
		if err != nil {
			return err
		}
		if err := rejectUnknown(m, "", []string{"email", "password"}); err != nil {
			return err
		}
		var email, password string
		if raw, ok := m["email"]; ok {
			if err := field(raw, "email", &email); err != nil {
				return err
			}
		}
		if raw, ok := m["password"]; ok {
			if err := field(raw, "password", &password); err != nil {
				return err
			}
		}
		email = strings.TrimSpace(email)
		if email == "" {
			return badRequest("email", "required")
		}
		if password == "" {
			return badRequest("password", "required")
		}
		now := s.clock.Now()
		if !s.loginByAddr.allow(clientAddr(r), now) || !s.loginByEmail.allow(strings.ToLower(email), now) {
			s.metrics.logins.WithLabelValues("rate_limited").Inc()
			return &APIError{Status: http.StatusTooManyRequests, Code: CodeRateLimited, Message: "too many login attempts: wait a minute"}
		}
		a, err := s.store.GetAgentByEmail(r.Context(), email)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		hash := s.dummyHash
		if a != nil {
			hash = []byte(a.PasswordHash)
		}
		if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil || a == nil {
			s.metrics.logins.WithLabelValues("bad_credentials").Inc()
			return unauthorized("wrong e-mail or password")
		}
		tok, exp, err := s.tokens.issue(a)
		if err != nil {
			return err
		}
		s.metrics.logins.WithLabelValues("ok").Inc()
		writeJSON(w, http.StatusOK, loginResponse{Token: tok, ExpiresAt: exp.UTC(), Agent: viewAgent(a)})
		return nil
	}()
	if err != nil {
		s.writeAPIError(w, r, err)
	}
}

func (s *Server) handleMe(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	writeJSON(w, http.StatusOK, viewAgent(me))
	return nil
}
