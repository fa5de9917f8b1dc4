// Package routing decides what a visitor gets when a chat starts and what a site's
// status is at an instant (docs/protocol.md#status). Time logic lives in
// routing/schedule; this package combines it with the site's mode and its agents.
package routing

import (
	"time"

	"github.com/livedesk/gateway/routing/schedule"
	"github.com/livedesk/gateway/store"
)

// Status reasons, first matching rule wins (docs/protocol.md#status).
const (
	ReasonPaused       = "paused"
	ReasonOutsideHours = "outside_hours"
	ReasonNoAgents     = "no_agents"
	ReasonOpen         = "open"
)

// Status is the status object of docs/protocol.md#websocket-frames. OpensAt and ClosesAt speak of the
// site's hours only: OpensAt is the next opening when the hours are closed (nil when
// open or never), ClosesAt the end of the current open period (nil when closed, or
// when the period does not end within the schedule's horizon).
type Status struct {
	Online   bool       `json:"online"`
	Reason   string     `json:"reason"`
	OpensAt  *time.Time `json:"opens_at"`
	ClosesAt *time.Time `json:"closes_at"`
}

// Equal reports whether two statuses would read the same to a visitor.
func (s Status) Equal(o Status) bool {
	return s.Online == o.Online && s.Reason == o.Reason && timePtrEqual(s.OpensAt, o.OpensAt) && timePtrEqual(s.ClosesAt, o.ClosesAt)
}

func timePtrEqual(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

// SiteStatus computes a site's status at now. available is the number of available
// agents; a negative value means presence is not known, and the no_agents rule is
// left out.
func SiteStatus(site *store.Site, hours *schedule.Compiled, now time.Time, available int) Status {
	st := Status{}
	open := hours.OpenAt(now)
	if open {
		if end, ok := hours.PeriodEnd(now); ok {
			e := end.UTC()
			st.ClosesAt = &e
		}
	} else if next, ok := hours.NextOpen(now); ok {
		n := next.UTC()
		st.OpensAt = &n
	}
	switch {
	case site.Mode == store.ModeOffline:
		st.Reason = ReasonPaused
	case !open:
		st.Reason = ReasonOutsideHours
	case available == 0:
		st.Reason = ReasonNoAgents
	default:
		st.Online, st.Reason = true, ReasonOpen
	}
	return st
}
