package routing

import (
	"errors"
	"time"

	"github.com/livedesk/gateway/store"
)

// ErrSnoozeEnd says a snooze cannot end at the asked time: a running snooze can only
// be shortened, to an instant after now and before its current end.
var ErrSnoozeEnd = errors.New("a running snooze can only be shortened: the new end must be after now and before its current end")

// EndSnoozeAnnounced cancels the agent's running snooze (until zero) or shortens it
// to until, with the new shift announced by announce as in SnoozeAnnounced (under
// the desk's lock, before the changes it causes). Where the shift then ends at once
// (the hours were closed and only the snooze kept it going) the agent gets
// shift.ended and its sites are re-evaluated, as at a shift's end. Cancelling when no
// snooze runs announces the shift unchanged; shortening then is ErrSnoozeEnd, as is
// an until not strictly between now and the snooze's current end.
func (d *Desk) EndSnoozeAnnounced(agentID string, until time.Time, announce func(Shift)) (Shift, error) {
	d.mu.Lock()
	defer d.unlock()
	as := d.agents[agentID]
	if as == nil {
		return Shift{}, store.ErrNotFound
	}
	now := d.clock.Now()
	running := now.Before(as.snoozeUntil)
	switch {
	case until.IsZero() && !running:
		sh := d.shiftLocked(as, now)
		announce(sh)
		return sh, nil
	case !until.IsZero() && (!running || !until.After(now) || !until.Before(as.snoozeUntil)):
		return Shift{}, ErrSnoozeEnd
	}
	return d.setSnoozeLocked(as, until, now, announce), nil
}

// setSnoozeLocked sets the agent's snooze end (zero: none), re-arms its shift,
// announces it, and carries out what a start or an end of the shift brings: a start
// re-evaluates its sites and drains their queues to it, an end tells it shift.ended
// and re-evaluates its sites.
func (d *Desk) setSnoozeLocked(as *agentState, until, now time.Time, announce func(Shift)) Shift {
	as.snoozeUntil = until
	was := as.onShift
	sh := d.armShiftLocked(as, now)
	announce(sh)
	switch {
	case !was && sh.OnShift:
		d.refreshSitesOfLocked(as, now)
		d.drainForAgentLocked(as, now)
	case was && !sh.OnShift:
		d.notify.ShiftEnded(as.agent.ID)
		d.refreshSitesOfLocked(as, now)
	}
	return sh
}
