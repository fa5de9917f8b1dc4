package routing

import (
	"context"
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
