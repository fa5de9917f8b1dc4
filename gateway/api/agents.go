package api

import (
	"net/http"

	"github.com/livedesk/gateway/store"
	"golang.org/x/crypto/bcrypt"
)

// targetAgent loads the agent named in the path that me may act on: itself, or any
// agent it may manage (only an owner manages owners). selfAllowed false means only
// managers may act, even on themselves.
func (h *Handler) targetAgent(r *http.Request, me *store.Agent, selfAllowed bool) (*store.Agent, error) {
	id := r.PathValue("id")
	if id == me.ID && selfAllowed {
		return me, nil
	}
	if !isManager(me) {
		return nil, Forbidden("", "an agent may only act on itself")
	}
	a, err := h.store.GetAgent(r.Context(), id)
	if err != nil {
		if isNotFound(err) {
			return nil, NotFound("agent")
		}
		return nil, err
	}
	if !canManageAgent(me, a) {
		return nil, Forbidden("", "only an owner manages owners")
	}
	return a, nil
}

// ListAgents answers GET /agents: every agent, for a manager.
func (h *Handler) ListAgents(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	if err := requireManager(me); err != nil {
		return err
	}
	all, err := h.store.ListAgents(r.Context())
	if err != nil {
		return err
	}
	out := make([]AgentView, 0, len(all))
	for _, a := range all {
		out = append(out, ViewAgent(a))
	}
	WriteJSON(w, http.StatusOK, map[string]any{"agents": out})
	return nil
}

// GetAgent answers GET /agents/{id} for the agent itself or a manager.
func (h *Handler) GetAgent(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	id := r.PathValue("id")
	if id != me.ID && !isManager(me) {
		return Forbidden("", "an agent may only read itself")
	}
	a, err := h.store.GetAgent(r.Context(), id)
	if err != nil {
		if isNotFound(err) {
			return NotFound("agent")
		}
		return err
	}
	WriteJSON(w, http.StatusOK, ViewAgent(a))
	return nil
}

// CreateAgent answers POST /agents: a manager adds an agent (only an owner adds owners).
func (h *Handler) CreateAgent(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	if err := requireManager(me); err != nil {
		return err
	}
	m, err := decodeObject(r)
	if err != nil {
		return err
	}
	for _, k := range []string{"email", "name", "password"} {
		if _, ok := m[k]; !ok {
			return badRequest(k, "required")
		}
	}
	if _, ok := m["current_password"]; ok {
		return badRequest("current_password", "unknown field")
	}
	c, err := h.parseAgentChange(r.Context(), m, true)
	if err != nil {
		return err
	}
	if c.role == store.RoleOwner && me.Role != store.RoleOwner {
		return Forbidden("role", "only an owner may create an owner")
	}
	now := h.clock.Now().UTC()
	a := &store.Agent{Role: store.RoleAgent, Sites: []string{}, MaxChats: DefaultMaxChats, IdleMinutes: DefaultIdleMinutes,
		ShiftWarningMinutes: DefaultShiftWarningMinutes, Presence: store.PresenceOnline, CreatedAt: now}
	c.apply(a, now)
	if err := h.store.CreateAgent(r.Context(), a); err != nil {
		return err
	}
	h.live.AgentChanged(a)
	WriteJSON(w, http.StatusCreated, ViewAgent(a))
	return nil
}

// PatchAgent answers PATCH /agents/{id}: the fields sent change; a new password
// revokes the agent's tokens.
func (h *Handler) PatchAgent(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	target, err := h.targetAgent(r, me, true)
	if err != nil {
		return err
	}
	m, err := decodeObject(r)
	if err != nil {
		return err
	}
	self := target.ID == me.ID
	c, err := h.parseAgentChange(r.Context(), m, isManager(me))
	if err != nil {
		return err
	}
	if c.fields["role"] && c.role != target.Role {
		if (c.role == store.RoleOwner || target.Role == store.RoleOwner) && me.Role != store.RoleOwner {
			return Forbidden("role", "only an owner may make or unmake an owner")
		}
	}
	if c.fields["password"] && self {
		var cur string
		if raw, ok := m["current_password"]; ok {
			if err := field(raw, "current_password", &cur); err != nil {
				return err
			}
		}
		if cur == "" {
			return badRequest("current_password", "required to change your own password")
		}
		if bcrypt.CompareHashAndPassword([]byte(target.PasswordHash), []byte(cur)) != nil {
			return Forbidden("current_password", "does not match")
		}
	}
	if c.fields["current_password"] && !c.fields["password"] {
		return badRequest("current_password", "only goes with password")
	}
	now := h.clock.Now().UTC()
	a, err := h.store.UpdateAgent(r.Context(), target.ID, func(a *store.Agent) error {
		c.apply(a, now)
		if c.fields["password"] {
			// A new password ends every session, as logout does: a token stolen
			// with the old password dies with it (the caller's own too).
			RevokeTokens(a)
		}
		return nil
	})
	if err != nil {
		if isNotFound(err) {
			return NotFound("agent")
		}
		return err
	}
	h.live.AgentChanged(a)
	if c.fields["sites"] {
		h.dropFromDepartments(r.Context(), a.ID, a.Serves)
	}
	if c.fields["password"] {
		h.live.ForceLogout(a.ID)
	}
	if c.fields["presence"] {
		if _, err := h.desk.SetPresence(r.Context(), a.ID, c.presence, "admin"); err != nil {
			return err
		}
	}
	WriteJSON(w, http.StatusOK, ViewAgent(a))
	return nil
}

// DeleteAgent answers DELETE /agents/{id}: the agent leaves the desk and its sockets close.
func (h *Handler) DeleteAgent(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	target, err := h.targetAgent(r, me, false)
	if err != nil {
		return err
	}
	if err := h.store.DeleteAgent(r.Context(), target.ID); err != nil {
		if isNotFound(err) {
			return NotFound("agent")
		}
		return err
	}
	h.desk.AgentDeleted(r.Context(), target.ID)
	h.dropFromDepartments(r.Context(), target.ID, func(string) bool { return false })
	h.live.ForceLogout(target.ID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// PutAgentSchedule answers PUT /agents/{id}/schedule: the agent's own working hours.
func (h *Handler) PutAgentSchedule(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	target, err := h.targetAgent(r, me, true)
	if err != nil {
		return err
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	c := &agentChange{fields: map[string]bool{"schedule": true}}
	if c.schedule, err = optionalSchedule(body, ""); err != nil {
		return err
	}
	now := h.clock.Now().UTC()
	a, err := h.store.UpdateAgent(r.Context(), target.ID, func(a *store.Agent) error { c.apply(a, now); return nil })
	if err != nil {
		return err
	}
	h.live.AgentChanged(a)
	WriteJSON(w, http.StatusOK, ViewAgent(a))
	return nil
}

// PutAgentPresence answers PUT /agents/{id}/presence: a manager sets an agent's presence.
func (h *Handler) PutAgentPresence(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	target, err := h.targetAgent(r, me, false)
	if err != nil {
		return err
	}
	m, err := decodeObject(r)
	if err != nil {
		return err
	}
	if err := rejectUnknown(m, "", []string{"status"}); err != nil {
		return err
	}
	raw, ok := m["status"]
	if !ok {
		return badRequest("status", "required")
	}
	p, err := presenceField(raw, "status")
	if err != nil {
		return err
	}
	if _, err := h.desk.SetPresence(r.Context(), target.ID, p, "admin"); err != nil {
		if isNotFound(err) {
			return NotFound("agent")
		}
		return err
	}
	WriteJSON(w, http.StatusOK, map[string]string{"status": p, "reason": "admin"})
	return nil
}

// LogoutAgent revokes every token of the agent (its own, or by a manager).
func (h *Handler) LogoutAgent(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	target, err := h.targetAgent(r, me, true)
	if err != nil {
		return err
	}
	if _, err := h.store.UpdateAgent(r.Context(), target.ID, func(a *store.Agent) error {
		RevokeTokens(a)
		return nil
	}); err != nil {
		return err
	}
	h.live.ForceLogout(target.ID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
