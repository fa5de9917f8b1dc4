package gateway

import (
	"net/http"

	"github.com/livedesk/gateway/internal/zonelist"
	"github.com/livedesk/gateway/store"
)

// listTimezones answers GET /timezones: every zone name a schedule accepts, from the
// Go time zone database compiled into the binary (docs/protocol.md#time-zones).
func (s *Server) listTimezones(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	writeJSON(w, http.StatusOK, map[string]any{"timezones": zonelist.Names()})
	return nil
}
