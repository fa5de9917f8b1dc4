package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/livedesk/gateway/protocol"
)

// deptPlan is one department the departments scenario creates
// (docs/protocol.md#departments): its name, hours and agents (indexes into the
// scenario's agents).
type deptPlan struct {
	name     string
	schedule map[string]any
	agents   []int
	id       string // once created
}

// deptHours are the departments' hours, in turn: a 24/7 desk, then desks in other
// zones whose hours, the same every day, open before and close well after the run
// (from before hours before the current local hour, for width hours: width - before
// is at least 3, so at least two hours are left).
var deptHours = []struct {
	name, zone    string
	before, width int // hours; 0, 0: all day, every day
}{
	{"Support 24/7", "UTC", 0, 0},
	{"Sales Paris", "Europe/Paris", 3, 8},
	{"Billing New York", "America/New_York", 2, 10},
	{"Partners Tokyo", "Asia/Tokyo", 2, 6},
	{"Returns Sao Paulo", "America/Sao_Paulo", 5, 12},
}

// planDepartments lays out n departments (n at most len(deptHours) times any
// number: names repeat with a number) for agents agents at instant now: each
// department's hours from deptHours, open at now and for at least two hours after;
// agent i answers for department i mod n, and every third agent also for the next
// one, so that some agents count chats of two departments against one max_chats.
//
// For n 0 (a site without departments) there is no plan.
func planDepartments(n, agents int, now time.Time) ([]*deptPlan, error) {
	if n <= 0 {
		return nil, nil
	}
	ps := make([]*deptPlan, n)
	for k := range ps {
		h := deptHours[k%len(deptHours)]
		name := h.name
		if k >= len(deptHours) {
			name = fmt.Sprintf("%s %d", h.name, k/len(deptHours)+1)
		}
		loc, err := time.LoadLocation(h.zone)
		if err != nil {
			return nil, fmt.Errorf("department %q: %w", name, err)
		}
		ps[k] = &deptPlan{name: name, schedule: dailySchedule(h.zone, now.In(loc), h.before, h.width)}
	}
	for i := 0; i < agents; i++ {
		ps[i%n].agents = append(ps[i%n].agents, i)
		if n > 1 && i%3 == 2 {
			ps[(i+1)%n].agents = append(ps[(i+1)%n].agents, i)
		}
	}
	return ps, nil
}

// dailySchedule is a schedule in zone open every day from before hours ahead of
// local's whole hour, for width hours (an overnight interval when that crosses
// midnight); width 0 is all day.
func dailySchedule(zone string, local time.Time, before, width int) map[string]any {
	iv := map[string]string{"from": "00:00", "to": "24:00"}
	if width > 0 {
		from := local.Truncate(time.Hour).Add(-time.Duration(before) * time.Hour)
		to := from.Add(time.Duration(width) * time.Hour)
		iv = map[string]string{"from": from.Format("15:04"), "to": to.Format("15:04")}
		if iv["to"] == "00:00" {
			iv["to"] = "24:00"
		}
	}
	weekly := map[string]any{}
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		weekly[d] = []map[string]string{iv}
	}
	return map[string]any{"enabled": true, "timezone": zone, "weekly": weekly, "exceptions": []any{}}
}

// createDepartments creates the planned departments on the site through the API
// (POST /sites/{id}/departments), with their hours and agents, and sets each
// plan's id.
func createDepartments(ctx context.Context, cfg *config, api *http.Client, ps []*deptPlan, creds []*agentCred) error {
	for _, p := range ps {
		ids := make([]string, len(p.agents))
		for j, i := range p.agents {
			ids[j] = creds[i].id
		}
		body := map[string]any{"name": p.name, "schedule": p.schedule, "agents": ids}
		var out struct {
			ID string `json:"id"`
		}
		if err := apiCall(ctx, api, cfg.agentURLs[0], "POST", "/sites/"+url.PathEscape(cfg.site)+"/departments", cfg.token, body, &out); err != nil {
			return fmt.Errorf("create department %q: %w", p.name, err)
		}
		p.id = out.ID
	}
	return nil
}

// awaitDepartmentsOpen polls GET /departments/{id}/status every 100 ms until every
// department is online (its agents' sockets counted), or timeout.
func awaitDepartmentsOpen(ctx context.Context, cfg *config, api *http.Client, ps []*deptPlan) error {
	deadline := time.Now().Add(cfg.timeout)
	for _, p := range ps {
		for {
			var st protocol.Status
			err := apiCall(ctx, api, cfg.visitorURLs[len(cfg.visitorURLs)-1], "GET", "/departments/"+url.PathEscape(p.id)+"/status", cfg.token, nil, &st)
			if err == nil && st.Online {
				break
			}
			if time.Now().After(deadline) {
				if err != nil {
					return fmt.Errorf("department %q not open in time: %w", p.name, err)
				}
				return fmt.Errorf("department %q not open in time: %s", p.name, statusText(st))
			}
			select {
			case <-time.After(100 * time.Millisecond):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	return nil
}

// maxDepartments bounds -departments.
const maxDepartments = 20

// checkDepartments checks the departments scenario's flags and fills the defaults:
// -rate 5000 starts/s (0: as fast as possible), max_chats 100, and enough agents
// for every department's share of the visitors plus one each, so that a transfer
// finds room.
func (c *config) checkDepartments() error {
	if c.rate < 0 {
		c.rate = 5000
	}
	if c.maxChats == 0 {
		c.maxChats = agentMaxChats
	}
	switch {
	case c.departments < 0 || c.departments > maxDepartments:
		return fmt.Errorf("-departments must be in [0, %d]", maxDepartments)
	case c.visitors < 1:
		return fmt.Errorf("-visitors must be at least 1")
	case c.transferShare < 0 || c.transferShare > 1:
		return fmt.Errorf("-transfer-share must be in [0, 1]")
	case c.msgRate <= 0:
		return fmt.Errorf("departments: -msg-rate must be positive")
	}
	if per := c.msgRate / float64(c.visitors); per > visitorMaxRate {
		return fmt.Errorf("departments: %.1f messages/s per visitor is over the visitor limit (keep it at most %.0f: raise -visitors or lower -msg-rate)", per, visitorMaxRate)
	}
	groups := max(c.departments, 1)
	if c.agents == 0 {
		perGroup := (c.visitors + groups - 1) / groups
		c.agents = groups * ((perGroup+c.maxChats-1)/c.maxChats + 1)
	}
	if c.agents < 2 || c.agents < groups {
		return fmt.Errorf("departments: %d agents is too few (at least 2, and one a department)", c.agents)
	}
	if n := c.agents + c.visitors; n > maxSockets {
		return fmt.Errorf("%d sockets is over the bound of %d", n, maxSockets)
	}
	return nil
}
