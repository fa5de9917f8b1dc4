package api

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/livedesk/gateway/protocol"
	"github.com/livedesk/gateway/routing/schedule"
	"github.com/livedesk/gateway/store"
)

// Agent defaults (docs/protocol.md#agents).
const (
	DefaultMaxChats            = 5
	DefaultIdleMinutes         = 15
	DefaultShiftWarningMinutes = 10
	minPasswordLen             = 8
	maxPasswordLen             = 72 // bcrypt reads no further
)

// selfAgentFields are what an agent may change about itself; managers may change the
// rest too.
var selfAgentFields = []string{"name", "password", "current_password", "idle_minutes", "shift_warning_minutes", "schedule"}
var managerAgentFields = []string{"email", "role", "sites", "max_chats", "presence"}
var agentReadOnly = []string{"id", "created_at", "updated_at"}

// agentChange is a validated set of changes to an agent, built before the store's
// transaction so that the costly bcrypt hash runs once, outside it.
type agentChange struct {
	fields       map[string]bool
	email, name  string
	role         string
	sites        []string
	maxChats     int
	idle, warn   int
	passwordHash string
	schedule     *schedule.Schedule
	presence     string
}

// parseAgentChange validates the fields of m. mayManage says whether the caller may
// change manager-only fields; self says whether the caller is the target (then a new
// password needs the current one, checked later against the stored hash).
func (h *Handler) parseAgentChange(ctx context.Context, m map[string]json.RawMessage, mayManage bool) (*agentChange, error) {
	all := append(append([]string{}, selfAgentFields...), managerAgentFields...)
	if err := rejectUnknown(m, "", all, agentReadOnly...); err != nil {
		return nil, err
	}
	c := &agentChange{fields: map[string]bool{}}
	var err error
	for _, k := range all {
		raw, ok := m[k]
		if !ok {
			continue
		}
		if !mayManage && !slices.Contains(selfAgentFields, k) {
			return nil, Forbidden(k, "only an owner or an admin may change this")
		}
		c.fields[k] = true
		switch k {
		case "email":
			var e string
			if err = field(raw, k, &e); err == nil && !protocol.ValidEmail(strings.TrimSpace(e)) {
				err = badRequest(k, "not a valid e-mail address")
			}
			c.email = strings.TrimSpace(e)
		case "name":
			c.name, err = stringField(raw, k, 1, 200)
		case "role":
			if err = field(raw, k, &c.role); err == nil && c.role != store.RoleOwner && c.role != store.RoleAdmin && c.role != store.RoleAgent {
				err = badRequest(k, "must be owner, admin or agent")
			}
		case "sites":
			c.sites, err = h.sitesField(ctx, raw, k)
		case "max_chats":
			c.maxChats, err = intField(raw, k, 1, 100)
		case "idle_minutes":
			c.idle, err = intField(raw, k, 0, 1440)
		case "shift_warning_minutes":
			c.warn, err = intField(raw, k, 0, 1440)
		case "password":
			var pw string
			if err = field(raw, k, &pw); err == nil {
				err = CheckPassword(pw)
			}
			if err == nil {
				c.passwordHash, err = HashPassword(pw)
			}
		case "current_password":
			// checked by the caller against the stored hash
		case "schedule":
			c.schedule, err = optionalSchedule(raw, k)
		case "presence":
			c.presence, err = presenceField(raw, k)
		}
		if err != nil {
			return nil, err
		}
	}
	return c, nil
}

// CheckPassword refuses, as a 400 on "password", a password too short or too long to be stored.
func CheckPassword(pw string) error {
	switch {
	case len(pw) < minPasswordLen:
		return badRequest("password", "must be at least %d characters", minPasswordLen)
	case len(pw) > maxPasswordLen:
		return badRequest("password", "must be at most %d bytes", maxPasswordLen)
	}
	return nil
}

func presenceField(raw json.RawMessage, name string) (string, error) {
	var p string
	if err := field(raw, name, &p); err != nil {
		return "", err
	}
	if p != store.PresenceOnline && p != store.PresenceAway && p != store.PresenceInvisible {
		return "", badRequest(name, "must be online, away or invisible")
	}
	return p, nil
}

// sitesField decodes a list of existing site ids (an empty list means all sites).
func (h *Handler) sitesField(ctx context.Context, raw json.RawMessage, name string) ([]string, error) {
	return idsField(raw, name, 1000, "sites", func(path, id string) error {
		if _, err := h.store.GetSite(ctx, id); err != nil {
			if isNotFound(err) {
				return badRequest(path, "unknown site %q", id)
			}
			return err
		}
		return nil
	})
}

// idsField decodes a list of at most max ids (what they are is named in the
// error), each checked once by check with its JSON path; a repeated id is kept
// once, in the place it first has.
func idsField(raw json.RawMessage, name string, max int, what string, check func(path, id string) error) ([]string, error) {
	var ids []string
	if err := field(raw, name, &ids); err != nil {
		return nil, err
	}
	if len(ids) > max {
		return nil, badRequest(name, "at most %d %s", max, what)
	}
	out := make([]string, 0, len(ids))
	seen := map[string]bool{}
	for i, id := range ids {
		if seen[id] {
			continue
		}
		if err := check(fmt.Sprintf("%s[%d]", name, i), id); err != nil {
			return nil, err
		}
		seen[id] = true
		out = append(out, id)
	}
	return out, nil
}

// apply writes the change onto a; it has no side effects (it runs inside the store's
// transaction, perhaps more than once).
func (c *agentChange) apply(a *store.Agent, now time.Time) {
	f := c.fields
	if f["email"] {
		a.Email = c.email
	}
	if f["name"] {
		a.Name = c.name
	}
	if f["role"] {
		a.Role = c.role
	}
	if f["sites"] {
		a.Sites = append([]string{}, c.sites...)
	}
	if f["max_chats"] {
		a.MaxChats = c.maxChats
	}
	if f["idle_minutes"] {
		a.IdleMinutes = c.idle
	}
	if f["shift_warning_minutes"] {
		a.ShiftWarningMinutes = c.warn
	}
	if f["password"] {
		a.PasswordHash = c.passwordHash
	}
	if f["schedule"] {
		a.Schedule = c.schedule
	}
	if f["presence"] {
		a.Presence = c.presence
	}
	a.UpdatedAt = now
}

// AgentView is an agent as the API shows it: the password hash never leaves.
type AgentView struct {
	ID                  string             `json:"id"`
	Email               string             `json:"email"`
	Name                string             `json:"name"`
	Role                string             `json:"role"`
	Sites               []string           `json:"sites"`
	MaxChats            int                `json:"max_chats"`
	IdleMinutes         int                `json:"idle_minutes"`
	ShiftWarningMinutes int                `json:"shift_warning_minutes"`
	Schedule            *schedule.Schedule `json:"schedule"`
	Presence            string             `json:"presence"`
	CreatedAt           time.Time          `json:"created_at"`
	UpdatedAt           time.Time          `json:"updated_at"`
}

// ViewAgent is a as the API (and the agent socket's welcome) shows it.
func ViewAgent(a *store.Agent) AgentView {
	v := AgentView{ID: a.ID, Email: a.Email, Name: a.Name, Role: a.Role, Sites: orEmpty(a.Sites),
		MaxChats: a.MaxChats, IdleMinutes: a.IdleMinutes, ShiftWarningMinutes: a.ShiftWarningMinutes,
		Presence: a.Presence, CreatedAt: a.CreatedAt.UTC(), UpdatedAt: a.UpdatedAt.UTC()}
	if a.Schedule != nil {
		n := a.Schedule.Normalize()
		v.Schedule = &n
	}
	if v.Presence == "" {
		v.Presence = store.PresenceOnline
	}
	return v
}
