package routing

import (
	"time"

	"github.com/livedesk/gateway/store"
)

// Status returns a site's status at this instant.
func (d *Desk) Status(siteID string) (Status, *store.Site, error) {
	d.mu.Lock()
	defer d.unlock()
	ss := d.sites[siteID]
	if ss == nil {
		return Status{}, nil, ErrUnknownSite
	}
	return d.statusLocked(ss, d.clock.Now()), ss.site, nil
}

// AvailableAgents counts the agents available for a site now (docs/protocol.md#routing).
func (d *Desk) AvailableAgents(siteID string, now time.Time) int {
	d.mu.Lock()
	defer d.unlock()
	return d.availableLocked(siteID, now)
}

func (d *Desk) availableLocked(siteID string, now time.Time) int {
	n := 0
	for _, as := range d.agents {
		if as.availableFor(siteID, now, d.grace) {
			n++
		}
	}
	return n
}

func (d *Desk) statusLocked(ss *siteState, now time.Time) Status {
	st, _ := d.statusesLocked(ss, now)
	return st
}

// refreshSiteLocked recomputes a site's status and its departments', tells everyone
// what changed (each department first, then the site), turns the queue of every
// line that went offline into missed chats, and re-arms the timers of its next
// boundaries and of its closing-soon notice.
func (d *Desk) refreshSiteLocked(siteID string, now time.Time) {
	ss := d.sites[siteID]
	if ss == nil {
		return
	}
	st, lines := d.statusesLocked(ss, now)
	for i, ln := range ss.lines {
		changed := !lines[i].Equal(ln.status)
		ln.status = lines[i]
		if changed && ln.dept != nil {
			d.notify.DepartmentStatus(siteID, DepartmentStatus{ID: ln.dept.ID, Name: ln.dept.Name, Status: ln.status, Queue: len(ln.queue)})
		}
	}
	if !st.Equal(ss.status) {
		ss.status = st
		d.notify.SiteStatus(siteID, st, d.departmentsLocked(ss))
		if d.announce != nil {
			d.announce.SiteStatus(ss.site, st, now)
		}
	}
	for i, ln := range ss.lines {
		if !lines[i].Online && len(ln.queue) > 0 {
			d.missQueueLocked(ss, ln, lines[i].Reason)
		}
	}
	d.armSiteTimersLocked(ss, now)
}

// refreshSitesOfLocked refreshes every site the agent serves.
func (d *Desk) refreshSitesOfLocked(as *agentState, now time.Time) {
	for id := range d.sites {
		if as.agent.Serves(id) {
			d.refreshSiteLocked(id, now)
		}
	}
}

// armSiteTimersLocked sets the timer of the next schedule boundary, and of the
// closing-soon notice when the site is open and its period ends.
func (d *Desk) armSiteTimersLocked(ss *siteState, now time.Time) {
	stopTimer(ss.boundary)
	stopTimer(ss.closingSoon)
	ss.boundary, ss.closingSoon = nil, nil
	id := ss.site.ID
	if next, ok := ss.hours.NextChange(now); ok {
		ss.boundary = d.after(next, func(now time.Time) { d.refreshSiteLocked(id, now) })
	}
	for _, ln := range ss.lines {
		stopTimer(ln.boundary)
		ln.boundary = nil
		if ln.own == nil {
			continue // the site's boundary above
		}
		if next, ok := ln.own.NextChange(now); ok {
			ln.boundary = d.after(next, func(now time.Time) { d.refreshSiteLocked(id, now) })
		}
	}
	end, open := periodEnd(ss, now)
	if !open || ss.warnedFor.Equal(end) {
		return
	}
	warnAt, ok := ClosingSoonNotice(end, ss.site.ClosingSoonMinutes)
	if !ok {
		return
	}
	// A refresh at (or after) the warning instant, before the timer ran (another
	// timer due at the same instant ran first, or an edit moved the end closer),
	// sends the notice now: stopping the timer above must not lose it.
	if warnAt.After(now) {
		ss.closingSoon = d.after(warnAt, func(time.Time) { d.closingSoonLocked(id, end) })
	} else {
		d.closingSoonLocked(id, end)
	}
}

// closingSoonLocked sends the closing-soon notice of the period ending at end, once.
func (d *Desk) closingSoonLocked(siteID string, end time.Time) {
	ss := d.sites[siteID]
	// A site already offline (paused, no agents) is not "closing soon"; if it comes
	// back online inside the window, that refresh sends the notice.
	if ss == nil || ss.warnedFor.Equal(end) || !ss.status.Online {
		return
	}
	ss.warnedFor = end
	d.notify.ClosingSoon(siteID, end)
}

// ClosingSoonAt says whether a visitor connecting now should be told the site closes
// soon, and when it closes (ClosingSoon over the site's last status).
func (d *Desk) ClosingSoonAt(siteID string) (time.Time, bool) {
	d.mu.Lock()
	defer d.unlock()
	if e := d.closingSoonAtLocked(d.sites[siteID], d.clock.Now()); e != nil {
		return *e, true
	}
	return time.Time{}, false
}

// closingSoonAtLocked is ClosingSoon for a visitor welcomed at now: online as the
// site's last announced status says, closing at its current period's end at now.
func (d *Desk) closingSoonAtLocked(ss *siteState, now time.Time) *time.Time {
	if ss == nil {
		return nil
	}
	st := Status{Online: ss.status.Online}
	if end, open := periodEnd(ss, now); open {
		st.ClosesAt = &end
	}
	return ClosingSoon(st, ss.site.ClosingSoonMinutes, now)
}

// periodEnd is the end of the site's open period at now; open is false when its
// hours are closed or the period does not end within the schedule's horizon. With
// departments it is read from the site's last status, so refresh that first.
func periodEnd(ss *siteState, now time.Time) (end time.Time, open bool) {
	if ss.hasDepartments() {
		// The site's period is its departments' (DerivedSiteStatus): it ends when
		// the last online one closes.
		if ss.status.Online && ss.status.ClosesAt != nil && ss.status.ClosesAt.After(now) {
			return *ss.status.ClosesAt, true
		}
		return time.Time{}, false
	}
	if !ss.hours.OpenAt(now) {
		return time.Time{}, false
	}
	return ss.hours.PeriodEnd(now)
}

// SiteChanged reloads a site from the store after an edit (hours, mode, settings) and
// pushes its new status at once.
func (d *Desk) SiteChanged(s *store.Site) error {
	d.mu.Lock()
	defer d.unlock()
	if err := d.putSiteLocked(s); err != nil {
		return err
	}
	now := d.clock.Now()
	d.refreshSiteLocked(s.ID, now)
	d.drainSiteLocked(s.ID, now)
	return nil
}

// SiteDeleted forgets a site; its queued chats are missed.
func (d *Desk) SiteDeleted(siteID string) {
	d.mu.Lock()
	defer d.unlock()
	ss := d.sites[siteID]
	if ss == nil {
		return
	}
	for _, ln := range ss.lines {
		d.missQueueLocked(ss, ln, ReasonPaused)
	}
	ss.stopTimers()
	delete(d.sites, siteID)
	if d.announce != nil {
		d.announce.SiteDeleted(siteID)
	}
}

// Site returns the desk's copy of a site (nil when unknown). The caller must not
// change it.
func (d *Desk) Site(siteID string) *store.Site {
	d.mu.Lock()
	defer d.unlock()
	if ss := d.sites[siteID]; ss != nil {
		return ss.site
	}
	return nil
}
