// Package setup owns what a node puts in the store before it serves — the token
// secret (EnsureSecret), the first owner (EnsureOwner) and the demo site
// (EnsureDemoSite) — and the operator's password reset (ResetPassword), which
// works on the store without a running server.
package setup

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/livedesk/gateway/gateway/api"
	"github.com/livedesk/gateway/protocol"
	"github.com/livedesk/gateway/routing/schedule"
	"github.com/livedesk/gateway/store"
)

// Settings keys kept in the store.
const (
	settingSecret     = "token_secret"
	settingDemoSiteID = "demo_site_id"
)

// EnsureSecret returns the token signing key: the given one when set, else the one
// kept in the store, generated on first start (all nodes of a cluster agree on it).
func EnsureSecret(ctx context.Context, st store.Store, given string) ([]byte, error) {
	if given != "" {
		if len(given) < 16 {
			return nil, errors.New("--secret must be at least 16 characters")
		}
		return []byte(given), nil
	}
	v, err := st.PutSettingIfAbsent(ctx, settingSecret, []byte(randomToken(32)))
	if err != nil {
		return nil, fmt.Errorf("keeping the token secret: %w", err)
	}
	return v, nil
}

// randomToken returns n random bytes, URL-safe base64 encoded.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// OwnerResult says what EnsureOwner did.
type OwnerResult struct {
	// Created is true when this start created the owner.
	Created bool
	Email   string
	// Password is set only when it was generated (to be printed once).
	Password string
}

// DefaultOwnerEmail is the owner's e-mail when --owner-email is not given.
const DefaultOwnerEmail = "owner@example.com"

// EnsureOwner creates the owner when no agent exists: with the given e-mail and
// password, or DefaultOwnerEmail and a generated password. now is its created_at
// and updated_at.
func EnsureOwner(ctx context.Context, st store.Store, email, password string, now time.Time) (OwnerResult, error) {
	agents, err := st.ListAgents(ctx)
	if err != nil {
		return OwnerResult{}, err
	}
	if len(agents) > 0 {
		for _, a := range agents {
			if a.Role == store.RoleOwner {
				return OwnerResult{Email: a.Email}, nil
			}
		}
		return OwnerResult{}, nil
	}
	email = strings.TrimSpace(email)
	if email == "" {
		email = DefaultOwnerEmail
	}
	if !protocol.ValidEmail(email) {
		return OwnerResult{}, fmt.Errorf("--owner-email %q is not a valid e-mail address", email)
	}
	res := OwnerResult{Created: true, Email: email}
	if password == "" {
		password = randomToken(12)
		res.Password = password
	} else if err := api.CheckPassword(password); err != nil {
		return OwnerResult{}, fmt.Errorf("--owner-password: %s", err.(*api.APIError).Message)
	}
	hash, err := api.HashPassword(password)
	if err != nil {
		return OwnerResult{}, err
	}
	a := &store.Agent{Email: email, Name: "Owner", Role: store.RoleOwner, Sites: []string{}, MaxChats: api.DefaultMaxChats,
		IdleMinutes: api.DefaultIdleMinutes, ShiftWarningMinutes: api.DefaultShiftWarningMinutes, Presence: store.PresenceOnline,
		PasswordHash: hash, CreatedAt: now.UTC(), UpdatedAt: now.UTC()}
	if err := st.CreateAgent(ctx, a); err != nil {
		if errors.Is(err, store.ErrConflict) {
			// Another node of the cluster, starting at the same time, made it.
			return OwnerResult{Email: email}, nil
		}
		return OwnerResult{}, err
	}
	return res, nil
}

// EnsureDemoSite returns the demo site, creating it on first start: open Monday to
// Friday 09:00-17:00 with a lunch break is what a desk looks like, but a demo must
// answer whenever someone tries it, so its hours are always open and the console's
// hours editor shows how to change that.
func EnsureDemoSite(ctx context.Context, st store.Store, now time.Time) (*store.Site, error) {
	if id, err := st.GetSetting(ctx, settingDemoSiteID); err == nil {
		s, err := st.GetSite(ctx, string(id))
		if err == nil {
			return s, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	site := *api.NewSite(now.UTC())
	site.Name = "Demo site"
	site.Schedule = schedule.AlwaysOpen()
	site.OfflineForm.Fields = []store.FormField{{Name: "company", Label: "Company", Type: "text"}}
	if err := st.CreateSite(ctx, &site); err != nil {
		return nil, err
	}
	// Nodes of a cluster starting together each made one: the first to claim the
	// setting wins, the others drop theirs.
	won, err := st.PutSettingIfAbsent(ctx, settingDemoSiteID, []byte(site.ID))
	if err != nil {
		return nil, err
	}
	if string(won) != site.ID {
		if other, err := st.GetSite(ctx, string(won)); err == nil {
			_ = st.DeleteSite(ctx, site.ID)
			return other, nil
		}
		// The setting names a deleted site: this one replaces it.
		if err := st.PutSetting(ctx, settingDemoSiteID, []byte(site.ID)); err != nil {
			return nil, err
		}
	}
	return &site, nil
}
