package api

import (
	"net/http"

	"github.com/livedesk/gateway/internal/zonelist"
	"github.com/livedesk/gateway/store"
)

// ListTimezones answers GET /timezones: every zone name a schedule accepts, from the
// Go time zone database compiled into the binary (docs/protocol.md#time-zones).
func (h *Handler) ListTimezones(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	WriteJSON(w, http.StatusOK, map[string]any{"timezones": zonelist.Names()})
	return nil
}
