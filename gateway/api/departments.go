package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/livedesk/gateway/store"
	"go.uber.org/zap"
)

// The department endpoints (docs/protocol.md#departments). Members of a site read
// its departments; owners and admins write them. A department a caller may not see
// is "not found", as its site is.

// dropTimeout bounds the clean-up of departments after an agent's change, which
// goes on when the request that made it is gone.
const dropTimeout = 10 * time.Second

// memberDepartment loads the department of the path and its site, for an agent
// who is a member of that site.
func (h *Handler) memberDepartment(r *http.Request, me *store.Agent) (*store.Department, *store.Site, error) {
	d, err := h.store.GetDepartment(r.Context(), r.PathValue("id"))
	if isNotFound(err) || (err == nil && !isMember(me, d.SiteID)) {
		return nil, nil, NotFound("department")
	}
	if err != nil {
		return nil, nil, err
	}
	st, err := h.memberSiteID(r, me, d.SiteID)
	if err != nil {
		return nil, nil, err
	}
	return d, st, nil
}

// ListDepartments answers GET /sites/{id}/departments for a member of the site:
// its departments in position order.
func (h *Handler) ListDepartments(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	st, err := h.memberSite(r, me)
	if err != nil {
		return err
	}
	all, err := h.store.ListDepartments(r.Context(), st.ID)
	if err != nil {
		return err
	}
	out := make([]*store.Department, 0, len(all))
	for _, d := range all {
		out = append(out, ViewDepartment(d))
	}
	WriteJSON(w, http.StatusOK, map[string]any{"departments": out})
	return nil
}

// CreateDepartment answers POST /sites/{id}/departments: a manager adds a
// department to the site; without a position it goes after the last one.
func (h *Handler) CreateDepartment(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	if err := requireManager(me); err != nil {
		return err
	}
	st, err := h.memberSite(r, me)
	if err != nil {
		return err
	}
	m, err := decodeObject(r)
	if err != nil {
		return err
	}
	if _, ok := m["name"]; !ok {
		return badRequest("name", "required")
	}
	c, err := h.parseDepartmentChange(r.Context(), m, st.ID)
	if err != nil {
		return err
	}
	now := h.clock.Now().UTC()
	d := &store.Department{SiteID: st.ID, Agents: []string{}, Notify: store.DepartmentNotify{Emails: []string{}}, CreatedAt: now}
	if !c.fields["position"] {
		if d.Position, err = h.nextPosition(r.Context(), st.ID); err != nil {
			return err
		}
	}
	c.apply(d, now)
	if err := h.store.CreateDepartment(r.Context(), d); err != nil {
		return departmentError(err, c.name)
	}
	h.departmentsChanged(r.Context(), d.SiteID)
	WriteJSON(w, http.StatusCreated, ViewDepartment(d))
	return nil
}

// nextPosition is the position after the site's last department (0 for the first).
func (h *Handler) nextPosition(ctx context.Context, siteID string) (int, error) {
	all, err := h.store.ListDepartments(ctx, siteID)
	if err != nil || len(all) == 0 {
		return 0, err
	}
	return min(all[len(all)-1].Position+1, maxPosition), nil
}

// PatchDepartment answers PATCH /departments/{id}: the fields sent change.
func (h *Handler) PatchDepartment(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	if err := requireManager(me); err != nil {
		return err
	}
	d, _, err := h.memberDepartment(r, me)
	if err != nil {
		return err
	}
	m, err := decodeObject(r)
	if err != nil {
		return err
	}
	c, err := h.parseDepartmentChange(r.Context(), m, d.SiteID)
	if err != nil {
		return err
	}
	return h.updateDepartment(w, r, d.ID, c)
}

// PutDepartmentSchedule answers PUT /departments/{id}/schedule: the department's
// own hours, checked as the site's are (every problem listed), or null for the
// site's hours.
func (h *Handler) PutDepartmentSchedule(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	if err := requireManager(me); err != nil {
		return err
	}
	d, _, err := h.memberDepartment(r, me)
	if err != nil {
		return err
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	c := &departmentChange{fields: map[string]bool{"schedule": true}}
	if c.schedule, err = optionalSchedule(body, ""); err != nil {
		return err
	}
	return h.updateDepartment(w, r, d.ID, c)
}

// updateDepartment stores a validated change and answers the department.
func (h *Handler) updateDepartment(w http.ResponseWriter, r *http.Request, id string, c *departmentChange) error {
	now := h.clock.Now().UTC()
	d, err := h.store.UpdateDepartment(r.Context(), id, func(d *store.Department) error { c.apply(d, now); return nil })
	if err != nil {
		return departmentError(err, c.name)
	}
	h.departmentsChanged(r.Context(), d.SiteID)
	WriteJSON(w, http.StatusOK, ViewDepartment(d))
	return nil
}

// departmentError maps the store's answer to a department write: a taken name is
// a 409 on "name", a department gone meanwhile a 404.
func departmentError(err error, name string) error {
	switch {
	case isNotFound(err):
		return NotFound("department")
	case errors.Is(err, store.ErrConflict):
		return conflict("name", fmt.Sprintf("the site has a department named %q already", name))
	}
	return err
}

// DeleteDepartment answers DELETE /departments/{id}: a manager removes a
// department that has no queued or open conversation (409 while it has one).
func (h *Handler) DeleteDepartment(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	if err := requireManager(me); err != nil {
		return err
	}
	d, _, err := h.memberDepartment(r, me)
	if err != nil {
		return err
	}
	inFlight := 0
	for _, state := range []string{store.StateQueued, store.StateOpen} {
		live, err := h.store.ListConversations(r.Context(), store.ConversationFilter{
			SiteID: d.SiteID, DepartmentID: d.ID, State: state, Limit: maxCounted,
		})
		if err != nil {
			return err
		}
		inFlight += len(live)
	}
	if inFlight > 0 {
		return conflict("", fmt.Sprintf("the department has %d conversations queued or open: end or transfer them first", inFlight))
	}
	if err := h.store.DeleteDepartment(r.Context(), d.ID); err != nil {
		return departmentError(err, d.Name)
	}
	h.departmentsChanged(r.Context(), d.SiteID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// maxCounted bounds the count of conversations a refused delete reports per state.
const maxCounted = 1000

// GetDepartmentHours answers GET /departments/{id}/hours for a member of its site:
// as GET /sites/{id}/hours, with the department's hours, or the site's when it has
// none of its own.
func (h *Handler) GetDepartmentHours(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	d, st, err := h.memberDepartment(r, me)
	if err != nil {
		return err
	}
	sch := st.Schedule
	if d.Schedule != nil {
		sch = *d.Schedule
	}
	return h.writeHours(w, r, sch)
}

// dropFromDepartments takes the agent out of every department of the sites for
// which keep is false (all of them for a deleted agent; those it no longer serves
// after a change of its sites), so a department's agents serve its site. It runs
// after the agent's own write, which stands whatever happens here; a failure is
// logged.
func (h *Handler) dropFromDepartments(ctx context.Context, agentID string, keep func(siteID string) bool) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), dropTimeout)
	defer cancel()
	sites, err := h.store.ListSites(ctx)
	if err != nil {
		h.log.Error("agent left in departments", zap.String("agent", agentID), zap.Error(err))
		return
	}
	for _, st := range sites {
		if keep(st.ID) {
			continue
		}
		depts, err := h.store.ListDepartments(ctx, st.ID)
		if err != nil {
			h.log.Error("agent left in departments", zap.String("agent", agentID), zap.String("site", st.ID), zap.Error(err))
			continue
		}
		changed := false
		for _, d := range depts {
			if !slices.Contains(d.Agents, agentID) {
				continue
			}
			now := h.clock.Now().UTC()
			_, err := h.store.UpdateDepartment(ctx, d.ID, func(d *store.Department) error {
				d.Agents = slices.DeleteFunc(d.Agents, func(id string) bool { return id == agentID })
				d.UpdatedAt = now
				return nil
			})
			if err != nil && !isNotFound(err) {
				h.log.Error("agent left in a department", zap.String("agent", agentID), zap.String("department", d.ID), zap.Error(err))
			}
			changed = true
		}
		if changed {
			h.departmentsChanged(ctx, st.ID)
		}
	}
}

// departmentsChanged tells the desk that the site's departments changed in the
// store, so routing and statuses follow at once. A failure is logged: the write
// stands, and the desk takes the departments at its next reload or start.
func (h *Handler) departmentsChanged(ctx context.Context, siteID string) {
	if err := h.desk.DepartmentsChanged(ctx, siteID); err != nil {
		h.log.Error("desk not told of a department change", zap.String("site", siteID), zap.Error(err))
	}
}
