package api

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/livedesk/gateway/protocol"
	"github.com/livedesk/gateway/store"
	"golang.org/x/crypto/bcrypt"
)

// BcryptCost is the work factor of stored password hashes (tests lower it).
var BcryptCost = bcrypt.DefaultCost

// HashPassword is the bcrypt hash of pw that the store keeps (at BcryptCost).
func HashPassword(pw string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), BcryptCost)
	return string(h), err
}

type loginResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	Agent     AgentView `json:"agent"`
}

// Login exchanges e-mail and password for a token. Failures are limited per
// address and per account (loginlimit.Guard); an unknown e-mail costs the same bcrypt work
// as a known one.
func (h *Handler) Login(w http.ResponseWriter, r *http.Request) {
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
		done, admitted := h.logins.Begin(h.clientAddr(r), strings.ToLower(email), h.clock.Now())
		if !admitted {
			h.loginResults.WithLabelValues("rate_limited").Inc()
			return errLoginsLimited
		}
		a, err := h.store.GetAgentByEmail(r.Context(), email)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			done(true, h.clock.Now()) // the store failed, not the caller
			return err
		}
		hash := h.dummyHash
		if a != nil {
			hash = []byte(a.PasswordHash)
		}
		if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil || a == nil {
			done(false, h.clock.Now())
			h.loginResults.WithLabelValues("bad_credentials").Inc()
			return unauthorized("wrong e-mail or password")
		}
		done(true, h.clock.Now())
		tok, exp, err := h.tokens.Issue(a)
		if err != nil {
			return err
		}
		h.loginResults.WithLabelValues("ok").Inc()
		WriteJSON(w, http.StatusOK, loginResponse{Token: tok, ExpiresAt: exp.UTC(), Agent: ViewAgent(a)})
		return nil
	}()
	if err != nil {
		h.WriteError(w, r, err)
	}
}

// Me answers GET /me: the logged-in agent.
func (h *Handler) Me(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	WriteJSON(w, http.StatusOK, ViewAgent(me))
	return nil
}

// errLoginsLimited is the answer to a login the limits refuse.
var errLoginsLimited = &APIError{Status: http.StatusTooManyRequests, Code: protocol.CodeRateLimited, Message: "too many failed logins: wait a minute"}
