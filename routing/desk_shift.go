package routing

// An agent's own shift: its hours compiled, the shift they and a snooze make, the
// timers of its warning, end and start, and the snooze that extends it.

import (
	"time"

	"github.com/livedesk/gateway/routing/schedule"
	"github.com/livedesk/gateway/store"
	"go.uber.org/zap"
)

func (d *Desk) compileAgentHoursLocked(as *agentState) {
	as.hours = nil
	if as.agent.Schedule == nil {
		return
	}
	h, err := schedule.Compile(*as.agent.Schedule)
	if err != nil {
		d.log.Error("agent schedule does not compile; following the site's hours", zap.String("agent", as.agent.ID), zap.Error(err))
		return
	}
	as.hours = h
}

// shiftLocked computes the agent's shift at now. The agent is on shift while its
// hours are open or a snooze runs; where one runs into the other (a snooze that
// reaches the next shift, a shift that goes on past the snooze) it is one stretch,
// which ends where neither holds.
func (d *Desk) shiftLocked(as *agentState, now time.Time) Shift {
	if as.hours == nil {
		return Shift{OnShift: true}
	}
	if !as.hours.OpenAt(now) && !now.Before(as.snoozeUntil) {
		sh := Shift{}
		if next, ok := as.hours.NextOpen(now); ok {
			n := next.UTC()
			sh.StartsAt = &n
		}
		return sh
	}
	// Each step moves end forward; after a period end the hours are closed, and the
	// snooze step runs at most once, so this ends within a few steps.
	end := now
	for {
		switch {
		case as.hours.OpenAt(end):
			e, ok := as.hours.PeriodEnd(end)
			if !ok {
				return Shift{OnShift: true}
			}
			end = e
		case end.Before(as.snoozeUntil):
			end = as.snoozeUntil
		default:
			e := end.UTC()
			sh := Shift{OnShift: true, EndsAt: &e}
			if now.Before(as.snoozeUntil) {
				z := as.snoozeUntil.UTC()
				sh.SnoozedUntil = &z
			}
			return sh
		}
	}
}

func (s Shift) equal(o Shift) bool {
	return s.OnShift == o.OnShift && timePtrEqual(s.EndsAt, o.EndsAt) && timePtrEqual(s.StartsAt, o.StartsAt) &&
		timePtrEqual(s.SnoozedUntil, o.SnoozedUntil)
}

// armShiftLocked recomputes the shift and arms the warning, end and start timers.
func (d *Desk) armShiftLocked(as *agentState, now time.Time) Shift {
	stopTimer(as.shiftTimer)
	stopTimer(as.warnTimer)
	as.shiftTimer, as.warnTimer = nil, nil
	sh := d.shiftLocked(as, now)
	as.onShift = sh.OnShift
	as.shiftEnd = time.Time{}
	id := as.agent.ID
	switch {
	case sh.OnShift && sh.EndsAt != nil:
		end := *sh.EndsAt
		as.shiftEnd = end
		as.shiftTimer = d.after(end, func(now time.Time) { d.shiftBoundaryLocked(id, now) })
		warn := time.Duration(as.agent.ShiftWarningMinutes) * time.Minute
		if warn > 0 && !as.warnedFor.Equal(end) {
			warnAt := end.Add(-warn)
			if warnAt.After(now) {
				as.warnTimer = d.after(warnAt, func(time.Time) { d.warnShiftLocked(id, end) })
			} else {
				d.warnShiftLocked(id, end)
			}
		}
	case !sh.OnShift && sh.StartsAt != nil:
		as.shiftTimer = d.after(*sh.StartsAt, func(now time.Time) { d.shiftBoundaryLocked(id, now) })
	}
	return sh
}

func (d *Desk) warnShiftLocked(agentID string, end time.Time) {
	as := d.agents[agentID]
	if as == nil || !as.onShift || !as.shiftEnd.Equal(end) {
		return
	}
	as.warnedFor = end
	d.notify.ShiftEnding(agentID, end, d.openOfLocked(agentID))
}

// shiftBoundaryLocked runs when a shift ends or starts.
func (d *Desk) shiftBoundaryLocked(agentID string, now time.Time) {
	as := d.agents[agentID]
	if as == nil {
		return
	}
	was := as.onShift
	sh := d.armShiftLocked(as, now)
	switch {
	case was && !sh.OnShift:
		d.notify.ShiftEnded(agentID)
		d.notify.Shift(agentID, sh)
		d.refreshSitesOfLocked(as, now)
		d.handOverLocked(as, now)
	case !was && sh.OnShift:
		d.notify.Shift(agentID, sh)
		d.refreshSitesOfLocked(as, now)
		d.drainForAgentLocked(as, now)
	default:
		d.notify.Shift(agentID, sh)
	}
}

// Snooze extends the agent's shift by SnoozeLength from its current end, or from now
// once it has ended. An agent without its own schedule has no shift to extend: the
// current shift comes back unchanged.
func (d *Desk) Snooze(agentID string) (Shift, error) {
	return d.snooze(agentID, func(sh Shift) { d.notify.Shift(agentID, sh) }, false)
}

// SnoozeAnnounced is Snooze with the new shift announced by announce, called with the
// desk's lock held before any change the snooze causes (so the answer to the agent's
// frame, with its `re`, comes before the status changes it brings). announce must
// only queue frames. With nothing to extend, announce gets the shift unchanged.
func (d *Desk) SnoozeAnnounced(agentID string, announce func(Shift)) (Shift, error) {
	return d.snooze(agentID, announce, true)
}

func (d *Desk) snooze(agentID string, announce func(Shift), announceUnchanged bool) (Shift, error) {
	d.mu.Lock()
	defer d.unlock()
	as := d.agents[agentID]
	if as == nil {
		return Shift{}, store.ErrNotFound
	}
	now := d.clock.Now()
	cur := d.shiftLocked(as, now)
	if as.hours == nil || (cur.OnShift && cur.EndsAt == nil) {
		if announceUnchanged {
			announce(cur)
		}
		return cur, nil
	}
	base := now
	if cur.OnShift {
		base = *cur.EndsAt
	}
	return d.setSnoozeLocked(as, base.Add(SnoozeLength), now, announce), nil
}
