package api

import (
	"net/http"
	"slices"

	"github.com/livedesk/gateway/protocol"
	"github.com/livedesk/gateway/routing/schedule"
	"github.com/livedesk/gateway/store"
)

// coverageAnswer is the body of GET /sites/{id}/coverage (docs/protocol.md#coverage).
type coverageAnswer struct {
	Gaps []schedule.Period `json:"gaps"`
}

// GetSiteCoverage answers GET /sites/{id}/coverage: the parts of the site's open
// periods over ?from= to ?to= (the /hours range, in the site's zone) in which no
// agent who serves the site is rostered; with ?department_id=, the department's
// hours and its agents (docs/protocol.md#department-coverage). Owners and admins only.
func (h *Handler) GetSiteCoverage(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	if err := requireManager(me); err != nil {
		return err
	}
	st, err := h.memberSite(r, me)
	if err != nil {
		return err
	}
	sch, inDept := st.Schedule, func(string) bool { return true }
	if id := r.URL.Query().Get("department_id"); id != "" {
		d, err := h.store.GetDepartment(r.Context(), id)
		if isNotFound(err) || (err == nil && d.SiteID != st.ID) {
			return &APIError{Status: http.StatusNotFound, Code: protocol.CodeNotFound, Field: "department_id", Message: "no such department on this site"}
		}
		if err != nil {
			return err
		}
		if d.Schedule != nil {
			sch = *d.Schedule
		}
		inDept = func(agentID string) bool { return slices.Contains(d.Agents, agentID) }
	}
	hours, err := schedule.Compile(sch)
	if err != nil {
		return err
	}
	from, to, err := h.hoursRange(r, hours.Location())
	if err != nil {
		return err
	}
	all, err := h.store.ListAgents(r.Context())
	if err != nil {
		return err
	}
	var serving []*store.Agent
	for _, a := range all {
		if a.Serves(st.ID) && inDept(a.ID) {
			serving = append(serving, a)
		}
	}
	WriteJSON(w, http.StatusOK, coverageAnswer{Gaps: coverageGaps(hours, serving, from, to)})
	return nil
}

// coverageGaps returns the parts of the open periods of hours over its local dates
// from..to in which none of agents is on shift, in UTC, sorted and merged
// (schedule.Gaps). An agent without a schedule of its own follows hours and so
// covers them all; so does one whose schedule does not compile, as the desk treats
// it. Presence plays no part: this is who is rostered, not who is online.
func coverageGaps(hours *schedule.Compiled, agents []*store.Agent, from, to schedule.Date) []schedule.Period {
	shifts := make([]*schedule.Compiled, 0, len(agents))
	for _, a := range agents {
		var c *schedule.Compiled
		if a.Schedule != nil {
			c, _ = schedule.Compile(*a.Schedule) // nil on error: follows the hours
		}
		shifts = append(shifts, c)
	}
	return schedule.Gaps(hours.Periods(from, to), shifts)
}
