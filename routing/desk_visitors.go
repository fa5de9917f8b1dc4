package routing

import (
	"time"

	"github.com/livedesk/gateway/store"
)

// VisitorJoin is what a visitor's welcome is built from.
type VisitorJoin struct {
	// Status is the site's status now.
	Status Status
	// Site is the desk's copy of the site; do not change it.
	Site *store.Site
	// Conversation is the visitor's queued or open conversation on the site (nil:
	// none).
	Conversation *store.Conversation
	// ClosingSoon is when the site closes, when a visitor connecting now is to be
	// told it closes soon (nil otherwise; see ClosingSoonAt).
	ClosingSoon *time.Time
	// Departments are the site's departments with their statuses now, in position
	// order (nil for none).
	Departments []DepartmentStatus
}

// JoinVisitor hands fn the site's status now, the site, the visitor's queued or
// open conversation on it and the closing-soon notice it is due, with the desk's
// lock held: the frames fn queues (the welcome, joining the site's group) come
// before any change announced after. fn must only queue frames: no store I/O with
// the lock held (see Desk.mu); a transcript is read after JoinVisitor returns, on a
// socket held since fn joined it (hub.Client.Hold).
func (d *Desk) JoinVisitor(siteID, visitorID string, fn func(VisitorJoin)) error {
	d.mu.Lock()
	defer d.unlock()
	ss := d.sites[siteID]
	if ss == nil {
		return ErrUnknownSite
	}
	now := d.clock.Now()
	j := VisitorJoin{Status: d.statusLocked(ss, now), Site: ss.site}
	if id, ok := d.byVisitor[visitorID]; ok {
		if cs := d.convs[id]; cs != nil && !cs.pending && cs.conv.SiteID == siteID {
			j.Conversation = copyConv(cs.conv)
		}
	}
	j.ClosingSoon = d.closingSoonAtLocked(ss, now)
	j.Departments = d.departmentsAtLocked(ss, now)
	fn(j)
	return nil
}
