package routing

import (
	"errors"
	"time"
)

// ErrUnknownDepartment: the department named is not one of the site's.
var ErrUnknownDepartment = errors.New("no such department on this site")

// DepartmentStatus is one department's status as the sockets show it
// (docs/protocol.md#department-status), with its queue length for agents.
type DepartmentStatus struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Status Status `json:"status"`
	Queue  int    `json:"queue"`
}

// DerivedSiteStatus is the status of a site with departments from theirs, given in
// position order (docs/protocol.md#department-status): online with reason open when
// one is online, with closes_at the latest closes_at of the online ones (nil when one
// of them has none); otherwise the reason of the first, with opens_at the earliest
// opens_at among them (nil when none has one). Without departments there is nothing
// to derive from: the zero Status.
func DerivedSiteStatus(depts []Status) Status {
	if len(depts) == 0 {
		return Status{}
	}
	var online []Status
	for _, st := range depts {
		if st.Online {
			online = append(online, st)
		}
	}
	if len(online) > 0 {
		st := Status{Online: true, Reason: ReasonOpen}
		var latest *time.Time
		for _, o := range online {
			if o.ClosesAt == nil {
				return st
			}
			if latest == nil || o.ClosesAt.After(*latest) {
				latest = o.ClosesAt
			}
		}
		st.ClosesAt = copyTime(latest)
		return st
	}
	st := Status{Reason: depts[0].Reason}
	for _, o := range depts {
		if o.OpensAt != nil && (st.OpensAt == nil || o.OpensAt.Before(*st.OpensAt)) {
			st.OpensAt = copyTime(o.OpensAt)
		}
	}
	return st
}

func copyTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	c := *t
	return &c
}
