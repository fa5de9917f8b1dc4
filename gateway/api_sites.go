package gateway

import (
	"errors"
	"net/http"
	"time"

	"github.com/livedesk/gateway/routing"
	"github.com/livedesk/gateway/store"
	"go.uber.org/zap"
)

// memberSite loads a site the agent may see; a site it may not see is "not found",
// so its existence does not leak.
func (s *Server) memberSite(r *http.Request, me *store.Agent) (*store.Site, error) {
	id := r.PathValue("id")
	if !isMember(me, id) {
		return nil, notFound("site")
	}
	st, err := s.store.GetSite(r.Context(), id)
	if err != nil {
		if isNotFound(err) {
			return nil, notFound("site")
		}
		return nil, err
	}
	return st, nil
}

func (s *Server) listSites(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	all, err := s.store.ListSites(r.Context())
	if err != nil {
		return err
	}
	out := make([]siteView, 0, len(all))
	for _, st := range all {
		if isMember(me, st.ID) {
			out = append(out, viewSite(st))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"sites": out})
	return nil
}

func (s *Server) getSite(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	st, err := s.memberSite(r, me)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewSite(st))
	return nil
}

func (s *Server) createSite(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
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
	st := newSite(s.clock.Now().UTC())
	if err := applySiteFields(st, m); err != nil {
		return err
	}
	if err := s.checkWebhookTargets(r.Context(), st); err != nil {
		return err
	}
	if err := s.store.CreateSite(r.Context(), st); err != nil {
		return err
	}
	s.siteChanged(st)
	writeJSON(w, http.StatusCreated, viewSite(st))
	return nil
}

// updateSite applies a validated change to a site the manager may edit.
func (s *Server) updateSite(r *http.Request, me *store.Agent, apply func(*store.Site) error) (*store.Site, error) {
	if err := requireManager(me); err != nil {
		return nil, err
	}
	now := s.clock.Now().UTC()
	st, err := s.store.UpdateSite(r.Context(), r.PathValue("id"), func(st *store.Site) error {
		if err := apply(st); err != nil {
			return err
		}
		st.UpdatedAt = now
		return nil
	})
	if isNotFound(err) {
		return nil, notFound("site")
	}
	if err == nil {
		s.siteChanged(st)
	}
	return st, err
}

// siteChanged tells the desk, which pushes the new status to every visitor at once.
func (s *Server) siteChanged(st *store.Site) {
	ctx, cancel := opCtx()
	defer cancel()
	if err := s.rt.desk.SiteChanged(ctx, st); err != nil {
		s.log.Error("desk refused a stored site", zap.String("site", st.ID), zap.Error(err))
	}
}

func (s *Server) patchSite(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	if err := requireManager(me); err != nil {
		return err
	}
	m, err := decodeObject(r)
	if err != nil {
		return err
	}
	// The body is checked on a scratch site first: the webhook hosts are looked up
	// outside the store's update, and only those the body sets.
	scratch := newSite(s.clock.Now().UTC())
	if err := applySiteFields(scratch, m); err != nil {
		return err
	}
	if err := s.checkWebhookTargets(r.Context(), scratch); err != nil {
		return err
	}
	st, err := s.updateSite(r, me, func(st *store.Site) error { return applySiteFields(st, m) })
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewSite(st))
	return nil
}

func (s *Server) deleteSite(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	if err := requireManager(me); err != nil {
		return err
	}
	if err := s.store.DeleteSite(r.Context(), r.PathValue("id")); err != nil {
		if isNotFound(err) {
			return notFound("site")
		}
		return err
	}
	s.rt.desk.SiteDeleted(r.Context(), r.PathValue("id"))
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) putSiteSchedule(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
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
	st, err := s.updateSite(r, me, func(st *store.Site) error { st.Schedule = sch; return nil })
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewSite(st))
	return nil
}

func (s *Server) putSiteMode(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
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
	st, err := s.updateSite(r, me, func(st *store.Site) error { st.Mode = mode; return nil })
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewSite(st))
	return nil
}

// statusResponse is the status object plus the number of available agents.
type statusResponse struct {
	routing.Status
	AvailableAgents *int `json:"available_agents"`
}

func (s *Server) getSiteStatus(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	st, err := s.memberSite(r, me)
	if err != nil {
		return err
	}
	// The desk's answer is the one visitors get; it has the site's hours compiled.
	status, available, err := s.rt.desk.Status(r.Context(), st.ID)
	if errors.Is(err, routing.ErrUnknownSite) {
		return notFound("site")
	}
	if err != nil {
		return s.storeError(r, err)
	}
	writeJSON(w, http.StatusOK, statusResponse{Status: status, AvailableAgents: &available})
	return nil
}

func (s *Server) listOfflineMessages(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	st, err := s.memberSite(r, me)
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
	msgs, err := s.store.ListOfflineByState(r.Context(), st.ID, state, after, limit)
	if err != nil {
		return err
	}
	var next *string
	if len(msgs) == limit {
		id := msgs[len(msgs)-1].ID
		next = &id
	}
	out := make([]offlineMessageView, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, viewOfflineMessage(m))
	}
	writeJSON(w, http.StatusOK, map[string]any{"messages": out, "next_after": next})
	return nil
}

type offlineMessageView struct {
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
}

func viewOfflineMessage(m *store.OfflineMessage) offlineMessageView {
	f := m.Fields
	if f == nil {
		f = map[string]string{}
	}
	return offlineMessageView{ID: m.ID, SiteID: m.SiteID, VisitorID: m.VisitorID, Name: m.Name, Email: m.Email,
		Message: m.Message, Fields: f, Page: m.Page, Lang: m.Lang, Timezone: m.Timezone, VisitorNumber: m.VisitorNumber, CreatedAt: m.CreatedAt.UTC(), State: m.State}
}
