package api

import (
	"net/http"
	"strings"

	"github.com/livedesk/gateway/store"
)

// The offline inbox: the state of offline messages (new, read, done) and their
// counts. Listing is ListOfflineMessages (sites.go). See
// docs/protocol.md#offline-inbox.

// badOfflineState is the 400 for a state that is not one of store.OfflineStates.
func badOfflineState() error {
	return badRequest("state", "must be %s", strings.Join(store.OfflineStates, ", "))
}

// offlineStateQuery reads ?state= (one of store.OfflineStates, or absent for all).
func offlineStateQuery(r *http.Request) (string, error) {
	q := r.URL.Query()
	v := q.Get("state")
	if v == "" && !q.Has("state") {
		return "", nil
	}
	if !store.ValidOfflineState(v) {
		return "", badOfflineState()
	}
	return v, nil
}

// PatchOfflineMessage is PATCH /sites/{id}/offline-messages/{message} {"state"}:
// any member of the site may move a message to any state. It answers the message.
func (h *Handler) PatchOfflineMessage(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	st, err := h.memberSite(r, me)
	if err != nil {
		return err
	}
	m, err := decodeObject(r)
	if err != nil {
		return err
	}
	if err := rejectUnknown(m, "", []string{"state"}, "id"); err != nil {
		return err
	}
	raw, ok := m["state"]
	if !ok {
		return badRequest("state", "required")
	}
	var state string
	if err := field(raw, "state", &state); err != nil {
		return err
	}
	if !store.ValidOfflineState(state) {
		return badOfflineState()
	}
	id := r.PathValue("message")
	if len(id) > 64 {
		return NotFound("offline message")
	}
	msg, changed, err := h.store.SetOfflineState(r.Context(), st.ID, id, state)
	if err != nil {
		if isNotFound(err) {
			return NotFound("offline message")
		}
		return err
	}
	if changed {
		h.live.OfflineChanged(r.Context(), msg)
	}
	WriteJSON(w, http.StatusOK, ViewOfflineMessage(msg))
	return nil
}

// offlineCountsView counts one site's offline messages by state.
type offlineCountsView struct {
	SiteID string `json:"site_id"`
	store.OfflineCounts
}

// OfflineCounts is GET /offline-messages/counts[?site=ID]: the counts of every site
// the caller is a member of (or of that one), and "new", their sum of new ones.
func (h *Handler) OfflineCounts(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	var ids []string
	if id := r.URL.Query().Get("site"); id != "" {
		if !isMember(me, id) {
			return NotFound("site")
		}
		if _, err := h.store.GetSite(r.Context(), id); err != nil {
			if isNotFound(err) {
				return NotFound("site")
			}
			return err
		}
		ids = []string{id}
	} else {
		all, err := h.store.ListSites(r.Context())
		if err != nil {
			return err
		}
		for _, st := range all {
			if isMember(me, st.ID) {
				ids = append(ids, st.ID)
			}
		}
	}
	out := make([]offlineCountsView, 0, len(ids))
	total := 0
	for _, id := range ids {
		c, err := h.store.CountOffline(r.Context(), id)
		if err != nil {
			return err
		}
		out = append(out, offlineCountsView{SiteID: id, OfflineCounts: c})
		total += c.New
	}
	WriteJSON(w, http.StatusOK, map[string]any{"sites": out, "new": total})
	return nil
}
