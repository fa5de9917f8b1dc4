package routing

import (
	"slices"
	"time"

	"github.com/livedesk/gateway/clock"
	"github.com/livedesk/gateway/routing/schedule"
	"github.com/livedesk/gateway/store"
	"go.uber.org/zap"
)

// line is one place a site's chats are routed to (docs/protocol.md#routing-by-department):
// the site itself when it has no departments (dept nil, the only line), else one
// department. Each has its hours, its last announced status and its FIFO queue.
// Everything in it is the desk's mu's.
type line struct {
	dept *store.Department // nil: the site's own line
	// own is the department's own hours; nil: the site's.
	own      *schedule.Compiled
	status   Status
	boundary clock.Timer // the next boundary of own hours
	queue    []string    // conversation ids, oldest first
}

// deptID is the line's department id, "" for the site's own line.
func (ln *line) deptID() string {
	if ln.dept == nil {
		return ""
	}
	return ln.dept.ID
}

// answers reports whether the agent answers for the line: every agent answers for
// a site's own line (its serving the site is checked apart), only the department's
// agents for a department.
func (ln *line) answers(agentID string) bool {
	return ln.dept == nil || slices.Contains(ln.dept.Agents, agentID)
}

// hoursOf is the line's hours: its own, or the site's.
func (ss *siteState) hoursOf(ln *line) *schedule.Compiled {
	if ln.own != nil {
		return ln.own
	}
	return ss.hours
}

// hasDepartments reports whether the site's chats are routed by department.
func (ss *siteState) hasDepartments() bool { return ss.lines[0].dept != nil }

// department returns the line of the department id, or nil.
func (ss *siteState) department(id string) *line { return findLine(ss.lines, id) }

// lineFor is the line a conversation of department id waits and is counted in: its
// department's, else the first (a conversation from before the site had
// departments, or of one deleted since).
func (ss *siteState) lineFor(id string) *line {
	if ln := ss.department(id); ln != nil {
		return ln
	}
	return ss.lines[0]
}

// queued counts the chats waiting in all the site's lines.
func (ss *siteState) queued() int {
	n := 0
	for _, ln := range ss.lines {
		n += len(ln.queue)
	}
	return n
}

// setDepartmentsLocked replaces the site's lines with one per department (or the
// site's own line for none), in position order, moving every queued chat to the
// line it now belongs to, in its turn.
func (d *Desk) setDepartmentsLocked(ss *siteState, depts []*store.Department) {
	var queued []*convState
	for _, ln := range ss.lines {
		stopTimer(ln.boundary)
		for _, id := range ln.queue {
			if cs := d.convs[id]; cs != nil {
				queued = append(queued, cs)
			}
		}
	}
	old := ss.lines
	ss.lines = nil
	depts = slices.Clone(depts)
	store.SortDepartments(depts)
	for _, dp := range depts {
		ln := &line{dept: dp, status: Status{Reason: "unknown"}}
		if prev := findLine(old, dp.ID); prev != nil {
			ln.status = prev.status
		}
		if dp.Schedule != nil {
			h, err := schedule.Compile(*dp.Schedule)
			if err != nil {
				d.log.Error("department schedule does not compile; following the site's hours", zap.String("department", dp.ID), zap.Error(err))
			} else {
				ln.own = h
			}
		}
		ss.lines = append(ss.lines, ln)
	}
	if len(ss.lines) == 0 {
		ss.lines = []*line{{}}
	}
	slices.SortFunc(queued, func(a, b *convState) int { return cmpTurn(a.turn, b.turn) })
	for _, cs := range queued {
		ln := ss.lineFor(cs.conv.DepartmentID)
		ln.queue = append(ln.queue, cs.conv.ID)
	}
}

// findLine is the line of department deptID among lines, or nil.
func findLine(lines []*line, deptID string) *line {
	for _, ln := range lines {
		if ln.dept != nil && ln.dept.ID == deptID {
			return ln
		}
	}
	return nil
}

func cmpTurn(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// availableInLocked counts the agents available for the line (docs/protocol.md#routing).
func (d *Desk) availableInLocked(ss *siteState, ln *line, now time.Time) int {
	n := 0
	for _, as := range d.agents {
		if ln.answers(as.agent.ID) && as.availableFor(ss.site.ID, now, d.grace) {
			n++
		}
	}
	return n
}

// lineStatusLocked is the line's status at now: the site's rules over its hours and
// its agents.
func (d *Desk) lineStatusLocked(ss *siteState, ln *line, now time.Time) Status {
	return SiteStatus(ss.site, ss.hoursOf(ln), now, d.availableInLocked(ss, ln, now))
}

// statusesLocked is every line's status at now, and the site's: the only line's, or
// the one derived from its departments'.
func (d *Desk) statusesLocked(ss *siteState, now time.Time) (site Status, lines []Status) {
	lines = make([]Status, len(ss.lines))
	for i, ln := range ss.lines {
		lines[i] = d.lineStatusLocked(ss, ln, now)
	}
	if !ss.hasDepartments() {
		return lines[0], lines
	}
	return DerivedSiteStatus(lines), lines
}

// departmentsLocked is the site's departments with their last announced statuses
// and queue lengths (nil for a site without).
func (d *Desk) departmentsLocked(ss *siteState) []DepartmentStatus {
	if !ss.hasDepartments() {
		return nil
	}
	out := make([]DepartmentStatus, len(ss.lines))
	for i, ln := range ss.lines {
		out[i] = DepartmentStatus{ID: ln.dept.ID, Name: ln.dept.Name, Status: ln.status, Queue: len(ln.queue)}
	}
	return out
}

// chooseLineLocked is the line a chat start goes to (docs/protocol.md#routing-by-department):
// the department asked for, else the first online one in position order; nil (and no
// error) when the site has departments, none was asked for and none is online.
func (d *Desk) chooseLineLocked(ss *siteState, deptID string, now time.Time) (*line, error) {
	if deptID != "" {
		ln := ss.department(deptID)
		if ln == nil {
			return nil, ErrUnknownDepartment
		}
		return ln, nil
	}
	if !ss.hasDepartments() {
		return ss.lines[0], nil
	}
	for _, ln := range ss.lines {
		if d.lineStatusLocked(ss, ln, now).Online {
			return ln, nil
		}
	}
	return nil, nil
}

// stopTimers stops the site's timers and its lines'.
func (ss *siteState) stopTimers() {
	stopTimer(ss.boundary)
	stopTimer(ss.closingSoon)
	for _, ln := range ss.lines {
		stopTimer(ln.boundary)
	}
}
