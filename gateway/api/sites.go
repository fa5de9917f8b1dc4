package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/livedesk/gateway/routing"
	"github.com/livedesk/gateway/store"
	"go.uber.org/zap"
)

// memberSite loads the site of the path that the agent may see (memberSiteID).
func (h *Handler) memberSite(r *http.Request, me *store.Agent) (*store.Site, error) {
	return h.memberSiteID(r, me, r.PathValue("id"))
}

// memberSiteID loads a site the agent may see; a site it may not see is "not
// found", so its existence does not leak.
func (h *Handler) memberSiteID(r *http.Request, me *store.Agent, id string) (*store.Site, error) {
	if !isMember(me, id) {
		return nil, NotFound("site")
	}
	st, err := h.store.GetSite(r.Context(), id)
	if err != nil {
		if isNotFound(err) {
			return nil, NotFound("site")
		}
		return nil, err
	}
	return st, nil
}

// ListSites answers GET /sites: the sites me may see (isMember).
func (h *Handler) ListSites(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	all, err := h.store.ListSites(r.Context())
	if err != nil {
		return err
	}
	out := make([]siteView, 0, len(all))
	for _, st := range all {
		if isMember(me, st.ID) {
			out = append(out, viewSite(st))
		}
	}
	WriteJSON(w, http.StatusOK, map[string]any{"sites": out})
	return nil
}

// GetSite answers GET /sites/{id} for a member of the site.
func (h *Handler) GetSite(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	st, err := h.memberSite(r, me)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, viewSite(st))
	return nil
}

// CreateSite answers POST /sites: a manager adds a site, every default set.
func (h *Handler) CreateSite(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	if err := requireManager(me); err != nil {
		return err
	}
	m, err := decodeObject(r)
	if err != nil {
		return err
	}
	if _, ok := m["name"]; !ok {
		return badRequest("name", "required")
	}
	st := NewSite(h.clock.Now().UTC())
	if err := applySiteFields(st, m); err != nil {
		return err
	}
	if err := h.checkWebhookTargets(r.Context(), st); err != nil {
		return err
	}
	if err := h.store.CreateSite(r.Context(), st); err != nil {
		return err
	}
	h.siteChanged(st)
	WriteJSON(w, http.StatusCreated, viewSite(st))
	return nil
}

// updateSite applies a validated change to a site the manager may edit.
func (h *Handler) updateSite(r *http.Request, me *store.Agent, apply func(*store.Site) error) (*store.Site, error) {
	if err := requireManager(me); err != nil {
		return nil, err
	}
	now := h.clock.Now().UTC()
	st, err := h.store.UpdateSite(r.Context(), r.PathValue("id"), func(st *store.Site) error {
		if err := apply(st); err != nil {
			return err
		}
		st.UpdatedAt = now
		return nil
	})
	if isNotFound(err) {
		return nil, NotFound("site")
	}
	if err == nil {
		h.siteChanged(st)
	}
	return st, err
}

// siteChanged tells the desk, which pushes the new status to every visitor at once.
func (h *Handler) siteChanged(st *store.Site) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second) // the request may be gone: the desk still hears of it
	defer cancel()
	if err := h.desk.SiteChanged(ctx, st); err != nil {
		h.log.Error("desk refused a stored site", zap.String("site", st.ID), zap.Error(err))
	}
}

// PatchSite answers PATCH /sites/{id}: the fields sent change, and the desk hears of it.
func (h *Handler) PatchSite(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	if err := requireManager(me); err != nil {
		return err
	}
	m, err := decodeObject(r)
	if err != nil {
		return err
	}
	// The body is checked on a scratch site first: the webhook hosts are looked up
	// outside the store's update, and only those the body sets.
	scratch := NewSite(h.clock.Now().UTC())
	if err := applySiteFields(scratch, m); err != nil {
		return err
	}
	if err := h.checkWebhookTargets(r.Context(), scratch); err != nil {
		return err
	}
	st, err := h.updateSite(r, me, func(st *store.Site) error { return applySiteFields(st, m) })
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, viewSite(st))
	return nil
}

// DeleteSite answers DELETE /sites/{id}: a manager removes a site from the store and the desk.
func (h *Handler) DeleteSite(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	if err := requireManager(me); err != nil {
		return err
	}
	if err := h.store.DeleteSite(r.Context(), r.PathValue("id")); err != nil {
		if isNotFound(err) {
			return NotFound("site")
		}
		return err
	}
	h.desk.SiteDeleted(r.Context(), r.PathValue("id"))
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// PutSiteSchedule answers PUT /sites/{id}/schedule: the site's office hours, every
// problem listed at once.
func (h *Handler) PutSiteSchedule(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	if err := requireManager(me); err != nil {
		return err
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	sch, err := scheduleField(body, "")
	if err != nil {
		return err
	}
	st, err := h.updateSite(r, me, func(st *store.Site) error { st.Schedule = sch; return nil })
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, viewSite(st))
	return nil
}

// PutSiteMode answers PUT /sites/{id}/mode: the site follows its schedule (auto)
// or is offline, and the desk hears of it.
func (h *Handler) PutSiteMode(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	if err := requireManager(me); err != nil {
		return err
	}
	m, err := decodeObject(r)
	if err != nil {
		return err
	}
	if err := rejectUnknown(m, "", []string{"mode"}); err != nil {
		return err
	}
	raw, ok := m["mode"]
	if !ok {
		return badRequest("mode", "required")
	}
	mode, err := modeField(raw, "mode")
	if err != nil {
		return err
	}
	st, err := h.updateSite(r, me, func(st *store.Site) error { st.Mode = mode; return nil })
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, viewSite(st))
	return nil
}

// statusResponse is the status object plus the number of available agents.
type statusResponse struct {
	routing.Status
	AvailableAgents *int `json:"available_agents"`
}

// GetSiteStatus answers GET /sites/{id}/status: the desk's status of the site now and
// how many agents are available.
func (h *Handler) GetSiteStatus(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	st, err := h.memberSite(r, me)
	if err != nil {
		return err
	}
	// The desk's answer is the one visitors get; it has the site's hours compiled.
	status, available, err := h.desk.Status(r.Context(), st.ID)
	if errors.Is(err, routing.ErrUnknownSite) {
		return NotFound("site")
	}
	if err != nil {
		return h.storeError(r, err)
	}
	WriteJSON(w, http.StatusOK, statusResponse{Status: status, AvailableAgents: &available})
	return nil
}

// ListOfflineMessages answers GET /sites/{id}/offline-messages for a member of the
// site, paged with ?after=.
func (h *Handler) ListOfflineMessages(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	st, err := h.memberSite(r, me)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	limit, err := queryLimit(r, 50)
	if err != nil {
		return err
	}
	after := q.Get("after")
	if len(after) > 64 {
		return badRequest("after", "not a message id")
	}
	state, err := offlineStateQuery(r)
	if err != nil {
		return err
	}
	msgs, err := h.store.ListOfflineByState(r.Context(), st.ID, state, after, limit)
	if err != nil {
		return err
	}
	var next *string
	if len(msgs) == limit {
		id := msgs[len(msgs)-1].ID
		next = &id
	}
	out := make([]OfflineMessageView, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, ViewOfflineMessage(m))
	}
	WriteJSON(w, http.StatusOK, map[string]any{"messages": out, "next_after": next})
	return nil
}

// OfflineMessageView is an offline message as the API and the inbox frames show it.
type OfflineMessageView struct {
	ID        string            `json:"id"`
	SiteID    string            `json:"site_id"`
	VisitorID string            `json:"visitor_id"`
	Name      string            `json:"name"`
	Email     string            `json:"email"`
	Message   string            `json:"message"`
	Fields    map[string]string `json:"fields"`
	Page      string            `json:"page"`
	Lang      string            `json:"lang,omitempty"`
	Timezone  string            `json:"timezone,omitempty"`
	// VisitorNumber is the visitor's number on the site (docs/protocol.md#visitor-number).
	VisitorNumber int64     `json:"visitor_number,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	State         string    `json:"state"`
	// DepartmentID is the department it was left for, left out for the site's
	// (docs/protocol.md#offline-form-per-department).
	DepartmentID string `json:"department_id,omitempty"`
}

// ViewOfflineMessage is m as the API and the inbox frames show it.
func ViewOfflineMessage(m *store.OfflineMessage) OfflineMessageView {
	f := m.Fields
	if f == nil {
		f = map[string]string{}
	}
	return OfflineMessageView{ID: m.ID, SiteID: m.SiteID, DepartmentID: m.DepartmentID, VisitorID: m.VisitorID, Name: m.Name, Email: m.Email,
		Message: m.Message, Fields: f, Page: m.Page, Lang: m.Lang, Timezone: m.Timezone, VisitorNumber: m.VisitorNumber, CreatedAt: m.CreatedAt.UTC(), State: m.State}
}
