package gateway

import (
	"errors"
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

// handleLogin exchanges e-mail and password for a token. Failures are limited per
// address and per account (loginGuard); an unknown e-mail costs the same bcrypt work
// as a known one.
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
		done, refused := s.logins.begin(s.clientAddr(r), strings.ToLower(email), s.clock.Now())
		if refused != nil {
			s.metrics.logins.WithLabelValues("rate_limited").Inc()
			return refused
		}
		a, err := s.store.GetAgentByEmail(r.Context(), email)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			done(true, s.clock.Now()) // the store failed, not the caller
			return err
		}
		hash := s.dummyHash
		if a != nil {
			hash = []byte(a.PasswordHash)
		}
		if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil || a == nil {
			done(false, s.clock.Now())
			s.metrics.logins.WithLabelValues("bad_credentials").Inc()
			return unauthorized("wrong e-mail or password")
		}
		done(true, s.clock.Now())
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
