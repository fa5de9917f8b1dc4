package api

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	"github.com/livedesk/gateway/routing/schedule"
	"github.com/livedesk/gateway/store"
)

// Department limits (docs/protocol.md#departments).
const (
	maxDepartmentName   = 100
	maxDepartmentAgents = 1000
	maxDepartmentEmails = 20
	maxPosition         = 1_000_000
)

var departmentFields = []string{"name", "position", "schedule", "agents", "notify"}

// departmentReadOnly are fields a client may echo back from a GET; they are ignored.
var departmentReadOnly = []string{"id", "site_id", "created_at", "updated_at"}

// departmentChange is a validated set of changes to a department, built before
// the store's transaction (the agents are looked up once, outside it).
type departmentChange struct {
	fields   map[string]bool
	name     string
	position int
	schedule *schedule.Schedule
	agents   []string
	emails   []string
}

// parseDepartmentChange validates the fields of m for a department of site:
// unknown fields are refused, the name is 1 to 100 characters once trimmed, the
// position at least 0, every agent exists and serves the site, every address is
// valid. The first problem is the error; nothing is changed by a bad body.
func (h *Handler) parseDepartmentChange(ctx context.Context, m map[string]json.RawMessage, siteID string) (*departmentChange, error) {
	if err := rejectUnknown(m, "", departmentFields, departmentReadOnly...); err != nil {
		return nil, err
	}
	c := &departmentChange{fields: map[string]bool{}}
	var err error
	for _, k := range departmentFields {
		raw, ok := m[k]
		if !ok {
			continue
		}
		c.fields[k] = true
		switch k {
		case "name":
			c.name, err = stringField(raw, k, 1, maxDepartmentName)
		case "position":
			c.position, err = intField(raw, k, 0, maxPosition)
		case "schedule":
			c.schedule, err = optionalSchedule(raw, k)
		case "agents":
			c.agents, err = h.departmentAgents(ctx, raw, k, siteID)
		case "notify":
			c.emails, err = departmentNotify(raw)
		}
		if err != nil {
			return nil, err
		}
	}
	return c, nil
}

// optionalSchedule is a schedule, or nil for JSON null (the site's hours), checked
// as the site's schedule is (scheduleField: every problem listed, under prefix).
func optionalSchedule(raw json.RawMessage, prefix string) (*schedule.Schedule, error) {
	if string(bytes.TrimSpace(raw)) == "null" {
		return nil, nil
	}
	sch, err := scheduleField(raw, prefix)
	if err != nil {
		return nil, err
	}
	return &sch, nil
}

// departmentAgents decodes a list of ids of agents that exist and serve the site;
// a repeated id is kept once.
func (h *Handler) departmentAgents(ctx context.Context, raw json.RawMessage, name, siteID string) ([]string, error) {
	return idsField(raw, name, maxDepartmentAgents, "agents", func(path, id string) error {
		a, err := h.store.GetAgent(ctx, id)
		if isNotFound(err) {
			return badRequest(path, "unknown agent %q", id)
		}
		if err != nil {
			return err
		}
		if !a.Serves(siteID) {
			return badRequest(path, "agent %q does not serve this site", id)
		}
		return nil
	})
}

// departmentNotify decodes {"emails": [...]}, the addresses checked as a site's.
func departmentNotify(raw json.RawMessage) ([]string, error) {
	m, err := parseObject(raw, "notify")
	if err != nil {
		return nil, err
	}
	if err := rejectUnknown(m, "notify", []string{"emails"}); err != nil {
		return nil, err
	}
	r, ok := m["emails"]
	if !ok {
		return nil, badRequest("notify.emails", "required")
	}
	return emailList(r, "notify.emails", maxDepartmentEmails)
}

// apply writes the change onto d; it has no side effects (it runs inside the
// store's transaction, perhaps more than once).
func (c *departmentChange) apply(d *store.Department, now time.Time) {
	f := c.fields
	if f["name"] {
		d.Name = c.name
	}
	if f["position"] {
		d.Position = c.position
	}
	if f["schedule"] {
		d.Schedule = c.schedule
	}
	if f["agents"] {
		d.Agents = append([]string{}, c.agents...)
	}
	if f["notify"] {
		d.Notify.Emails = append([]string{}, c.emails...)
	}
	d.UpdatedAt = now
}

// ViewDepartment is d as the API shows it: lists never null, the schedule
// normalized (null when the department follows the site's hours), times in UTC.
func ViewDepartment(d *store.Department) *store.Department {
	v := *d
	v.Agents = orEmpty(d.Agents)
	v.Notify.Emails = orEmpty(d.Notify.Emails)
	if d.Schedule != nil {
		n := d.Schedule.Normalize()
		v.Schedule = &n
	}
	v.CreatedAt, v.UpdatedAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	return &v
}
