package routing

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/livedesk/gateway/store"
)

// DepartmentsChanged takes the site's departments after an edit (created, renamed,
// reordered, new hours or agents, deleted), in any order: chats queued move to the
// department they belong to, every status is recomputed and pushed at once, and
// queues drain to whoever can now take them.
func (d *Desk) DepartmentsChanged(siteID string, depts []*store.Department) {
	d.mu.Lock()
	defer d.unlock()
	ss := d.sites[siteID]
	if ss == nil {
		return
	}
	d.setDepartmentsLocked(ss, depts)
	now := d.clock.Now()
	d.refreshSiteLocked(siteID, now)
	for _, ln := range ss.lines {
		d.queueChangedLocked(ss, ln)
	}
	d.drainSiteLocked(siteID, now)
}

// DepartmentStatus returns a department's status at this instant and how many of
// its agents are available (docs/protocol.md#department-api).
func (d *Desk) DepartmentStatus(siteID, deptID string) (Status, int, error) {
	d.mu.Lock()
	defer d.unlock()
	ss := d.sites[siteID]
	if ss == nil {
		return Status{}, 0, ErrUnknownSite
	}
	ln := ss.department(deptID)
	if ln == nil {
		return Status{}, 0, ErrUnknownDepartment
	}
	now := d.clock.Now()
	return d.lineStatusLocked(ss, ln, now), d.availableInLocked(ss, ln, now), nil
}

// Departments returns the site's departments with their statuses at this instant
// and their queue lengths, in position order (nil for a site without, or unknown).
func (d *Desk) Departments(siteID string) []DepartmentStatus {
	d.mu.Lock()
	defer d.unlock()
	ss := d.sites[siteID]
	if ss == nil {
		return nil
	}
	return d.departmentsAtLocked(ss, d.clock.Now())
}

// departmentsAtLocked is departmentsLocked with the statuses computed at now.
func (d *Desk) departmentsAtLocked(ss *siteState, now time.Time) []DepartmentStatus {
	out := d.departmentsLocked(ss)
	for i := range out {
		out[i].Status = d.lineStatusLocked(ss, ss.lines[i], now)
	}
	return out
}

// ReloadDepartments reads the site's departments from the store (outside the lock)
// and takes them as DepartmentsChanged does.
func (d *Desk) ReloadDepartments(ctx context.Context, siteID string) error {
	depts, err := d.store.ListDepartments(ctx, siteID)
	if err != nil {
		return err
	}
	d.DepartmentsChanged(siteID, depts)
	return nil
}

// AgentLoad is an agent available for a site now, with its load: whom a
// conversation can be handed to (docs/protocol.md#transfers).
type AgentLoad struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Open     int    `json:"open"`
	MaxChats int    `json:"max_chats"`
	// Departments are the site's departments it answers for, in position order.
	Departments []string `json:"departments"`
}

// AgentLoads lists the agents available for the site now, fewest open chats
// first, then by name (ErrUnknownSite for a site the desk does not know).
func (d *Desk) AgentLoads(siteID string) ([]AgentLoad, error) {
	d.mu.Lock()
	defer d.unlock()
	ss := d.sites[siteID]
	if ss == nil {
		return nil, ErrUnknownSite
	}
	now := d.clock.Now()
	out := []AgentLoad{}
	for _, as := range d.agents {
		if !as.availableFor(siteID, now, d.grace) {
			continue
		}
		l := AgentLoad{ID: as.agent.ID, Name: as.agent.Name, Open: as.open, MaxChats: as.agent.MaxChats, Departments: []string{}}
		for _, ln := range ss.lines {
			if ln.dept != nil && ln.answers(as.agent.ID) {
				l.Departments = append(l.Departments, ln.dept.ID)
			}
		}
		out = append(out, l)
	}
	slices.SortFunc(out, func(a, b AgentLoad) int {
		if a.Open != b.Open {
			return a.Open - b.Open
		}
		return strings.Compare(a.Name+"\x00"+a.ID, b.Name+"\x00"+b.ID)
	})
	return out, nil
}
