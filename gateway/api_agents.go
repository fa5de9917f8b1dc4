package gateway

import (
	"bytes"
	"net/http"

	"github.com/livedesk/gateway/store"
	"golang.org/x/crypto/bcrypt"
)

// targetAgent loads the agent named in the path that me may act on: itself, or any
// agent it may manage (only an owner manages owners). selfAllowed false means only
// managers may act, even on themselves.
func (s *Server) targetAgent(r *http.Request, me *store.Agent, selfAllowed bool) (*store.Agent, error) {
	id := r.PathValue("id")
	if id == me.ID && selfAllowed {
		return me, nil
	}
	if !isManager(me) {
		return nil, forbidden("", "an agent may only act on itself")
	}
	a, err := s.store.GetAgent(r.Context(), id)
	if err != nil {
		if isNotFound(err) {
			return nil, notFound("agent")
		}
		return nil, err
	}
	if !canManageAgent(me, a) {
		return nil, forbidden("", "only an owner manages owners")
	}
	return a, nil
}

func (s *Server) listAgents(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	if err := requireManager(me); err != nil {
		return err
	}
	all, err := s.store.ListAgents(r.Context())
	if err != nil {
		return err
	}
	out := make([]agentView, 0, len(all))
	for _, a := range all {
		out = append(out, viewAgent(a))
	}
	writeJSON(w, http.StatusOK, map[string]any{"agents": out})
	return nil
}

func (s *Server) getAgent(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	id := r.PathValue("id")
	if id != me.ID && !isManager(me) {
		return forbidden("", "an agent may only read itself")
	}
	a, err := s.store.GetAgent(r.Context(), id)
	if err != nil {
		if isNotFound(err) {
			return notFound("agent")
		}
		return err
	}
	writeJSON(w, http.StatusOK, viewAgent(a))
	return nil
}

func (s *Server) createAgent(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
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
	c, err := s.parseAgentChange(r.Context(), m, true)
	if err != nil {
		return err
	}
	if c.role == store.RoleOwner && me.Role != store.RoleOwner {
		return forbidden("role", "only an owner may create an owner")
	}
	now := s.clock.Now().UTC()
	a := &store.Agent{Role: store.RoleAgent, Sites: []string{}, MaxChats: DefaultMaxChats, IdleMinutes: DefaultIdleMinutes,
		ShiftWarningMinutes: DefaultShiftWarningMinutes, Presence: store.PresenceOnline, CreatedAt: now}
	c.apply(a, now)
	if err := s.store.CreateAgent(r.Context(), a); err != nil {
		return err
	}
	s.rt.agentChanged(a)
	writeJSON(w, http.StatusCreated, viewAgent(a))
	return nil
}

func (s *Server) patchAgent(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	target, err := s.targetAgent(r, me, true)
	if err != nil {
		return err
	}
	m, err := decodeObject(r)
	if err != nil {
		return err
	}
	self := target.ID == me.ID
	c, err := s.parseAgentChange(r.Context(), m, isManager(me))
	if err != nil {
		return err
	}
	if c.fields["role"] && c.role != target.Role {
		if (c.role == store.RoleOwner || target.Role == store.RoleOwner) && me.Role != store.RoleOwner {
			return forbidden("role", "only an owner may make or unmake an owner")
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
			return forbidden("current_password", "does not match")
		}
	}
	if c.fields["current_password"] && !c.fields["password"] {
		return badRequest("current_password", "only goes with password")
	}
	now := s.clock.Now().UTC()
	a, err := s.store.UpdateAgent(r.Context(), target.ID, func(a *store.Agent) error {
		c.apply(a, now)
		if c.fields["password"] {
			// A new password ends every session, as logout does: a token stolen
			// with the old password dies with it (the caller's own too).
			revokeTokens(a)
		}
		return nil
	})
	if err != nil {
		if isNotFound(err) {
			return notFound("agent")
		}
		return err
	}
	s.rt.agentChanged(a)
	if c.fields["password"] {
		s.rt.forceLogout(a.ID)
	}
	if c.fields["presence"] {
		if _, err := s.rt.desk.SetPresence(r.Context(), a.ID, c.presence, "admin"); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, viewAgent(a))
	return nil
}

func (s *Server) deleteAgent(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	target, err := s.targetAgent(r, me, false)
	if err != nil {
		return err
	}
	if err := s.store.DeleteAgent(r.Context(), target.ID); err != nil {
		if isNotFound(err) {
			return notFound("agent")
		}
		return err
	}
	s.rt.desk.AgentDeleted(r.Context(), target.ID)
	s.rt.forceLogout(target.ID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) putAgentSchedule(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	target, err := s.targetAgent(r, me, true)
	if err != nil {
		return err
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	c := &agentChange{fields: map[string]bool{"schedule": true}}
	if string(bytes.TrimSpace(body)) != "null" {
		sch, err := scheduleField(body, "")
		if err != nil {
			return err
		}
		c.schedule = &sch
	}
	now := s.clock.Now().UTC()
	a, err := s.store.UpdateAgent(r.Context(), target.ID, func(a *store.Agent) error { c.apply(a, now); return nil })
	if err != nil {
		return err
	}
	s.rt.agentChanged(a)
	writeJSON(w, http.StatusOK, viewAgent(a))
	return nil
}

func (s *Server) putAgentPresence(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	target, err := s.targetAgent(r, me, false)
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
	if _, err := s.rt.desk.SetPresence(r.Context(), target.ID, p, "admin"); err != nil {
		if isNotFound(err) {
			return notFound("agent")
		}
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": p, "reason": "admin"})
	return nil
}

// logoutAgent revokes every token of the agent (its own, or by a manager).
func (s *Server) logoutAgent(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	target, err := s.targetAgent(r, me, true)
	if err != nil {
		return err
	}
	if _, err := s.store.UpdateAgent(r.Context(), target.ID, func(a *store.Agent) error {
		revokeTokens(a)
		return nil
	}); err != nil {
		return err
	}
	s.rt.forceLogout(target.ID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
