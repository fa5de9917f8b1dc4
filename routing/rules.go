package routing

import (
	"time"

	"github.com/livedesk/gateway/store"
)

// The rules below are pure functions over the values they need, so that every desk
// applies the same ones: the Desk of one node over its own state, and a cluster node
// over what the leader published (its view of a site's status, the store's copy of a
// conversation). Nobody restates them.

// inFlightStates are the states of a conversation the desk holds: queued or open.
var inFlightStates = [...]string{store.StateQueued, store.StateOpen}

// InFlight reports whether c is in flight (queued or open): a conversation the desk
// holds, routes, counts in its queues and loads, and answers for its visitor. An
// ended or missed one is history.
func InFlight(c *store.Conversation) bool {
	for _, s := range inFlightStates {
		if c.State == s {
			return true
		}
	}
	return false
}

// ClosingSoonNotice is when the closing-soon notice of an open period that ends at
// end is due: minutes (the site's closing_soon_minutes) before it. ok is false when
// minutes is 0 or less: the site sends none (docs/protocol.md#routing).
func ClosingSoonNotice(end time.Time, minutes int) (at time.Time, ok bool) {
	if minutes <= 0 {
		return time.Time{}, false
	}
	return end.Add(-time.Duration(minutes) * time.Minute), true
}

// ClosingSoon is when a visitor welcomed at now to a site of status st is to be told
// the site closes soon (UTC), or nil: only while the site is online and its current
// open period (st.ClosesAt) ends after now and within minutes, the site's
// closing_soon_minutes (docs/protocol.md#routing). A paused
// site, or one without agents, is not closing soon.
func ClosingSoon(st Status, minutes int, now time.Time) *time.Time {
	if !st.Online || st.ClosesAt == nil || !now.Before(*st.ClosesAt) {
		return nil
	}
	if at, ok := ClosingSoonNotice(*st.ClosesAt, minutes); !ok || now.Before(at) {
		return nil
	}
	e := st.ClosesAt.UTC()
	return &e
}
