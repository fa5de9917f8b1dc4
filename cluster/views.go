package cluster

import (
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/livedesk/gateway/routing"
)

// siteViews is what a cluster node knows of the status of each site it has visitors
// of: the last status the leader published (or answered a join with) and the number
// of the decision it reflects. A visitor without a conversation in flight is welcomed
// from it, without a call to the leader: in a reconnect storm the leader answers one
// join per node and site instead of one per visitor.
//
// A view is only as good as the node's subscription to the site's channel: it is
// trusted while that subscription has lasted without a gap since the view was
// recorded. So a view is kept only while the node has members of the site's group
// (counted here, and counted up after subscribing and down before unsubscribing, so
// a positive count means the broker is subscribed), and dropped when the count
// reaches zero, when the broker lost messages (a full worker queue) and when its
// connection was re-established (messages published meanwhile are gone).
//
// A view also expires at the site's next schedule boundary (the status's closes_at
// or opens_at): from that instant until the leader's frame for it arrives, joins go
// to the leader again.
//
// Lock rule: mu guards members and views; nothing is called with it held.
type siteViews struct {
	mu      sync.Mutex
	members map[string]int // site -> subscribed members of "site:<id>" on this node
	views   map[string]statusView
}

// statusView is one site's status as of the leader's decision seq, with its
// departments' when known: a view is only made from a leader's answer to a join,
// which carries them, or renewed by the frames that follow it (status,
// department.status); a site seen only through its frames has known false, and its
// visitors go to the leader.
type statusView struct {
	st    routing.Status
	depts []routing.DepartmentStatus
	known bool
	seq   uint64
	// until is when the view stops being trusted: the status's next boundary, or
	// viewTTL after it was recorded when the status names none.
	until time.Time
}

// viewTTL bounds a view whose status names no boundary (a site that never opens, or
// is open around the clock): it is re-read from the leader that often.
const viewTTL = time.Minute

func newSiteViews() *siteViews {
	return &siteViews{members: map[string]int{}, views: map[string]statusView{}}
}

// siteOfGroup returns the site of a "site:<id>" group, "" for any other group.
func siteOfGroup(group string) string {
	if id, ok := strings.CutPrefix(group, "site:"); ok {
		return id
	}
	return ""
}

// joined counts a member of group on this node; call it after the subscription.
func (v *siteViews) joined(group string) {
	if id := siteOfGroup(group); id != "" {
		v.mu.Lock()
		v.members[id]++
		v.mu.Unlock()
	}
}

// left uncounts a member of group; call it before unsubscribing. The last one out
// drops the site's view.
func (v *siteViews) left(group string) {
	id := siteOfGroup(group)
	if id == "" {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.members[id] > 1 {
		v.members[id]--
		return
	}
	delete(v.members, id)
	delete(v.views, id)
}

// offer records st (with depts, when known) as of decision seq, unless the node has
// no member of the site (its subscription may have a gap) or already holds a later
// decision. A view of the same decision is renewed (its until recomputed from now).
// A status alone (known false) keeps the departments of the view it renews.
func (v *siteViews) offer(siteID string, st routing.Status, depts []routing.DepartmentStatus, known bool, seq uint64, now time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.members[siteID] == 0 {
		return
	}
	cur, ok := v.views[siteID]
	if ok && cur.seq > seq {
		return
	}
	if !known && ok {
		depts, known = cur.depts, cur.known
	}
	v.views[siteID] = statusView{st: st, depts: depts, known: known, seq: seq, until: viewUntil(st, depts, now)}
}

// offerDepartment records a department's status of decision seq in the site's view;
// a department the view does not know makes it unknown.
func (v *siteViews) offerDepartment(siteID, deptID string, st routing.Status, seq uint64, now time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	cur, ok := v.views[siteID]
	if !ok || cur.seq > seq {
		return
	}
	depts := slices.Clone(cur.depts)
	i := slices.IndexFunc(depts, func(d routing.DepartmentStatus) bool { return d.ID == deptID })
	if i < 0 {
		cur.known = false
	} else {
		depts[i].Status = st
	}
	cur.depts, cur.seq, cur.until = depts, seq, viewUntil(cur.st, depts, now)
	v.views[siteID] = cur
}

// viewUntil is the next boundary the status names (else now + viewTTL), or a
// department's that comes earlier.
func viewUntil(st routing.Status, depts []routing.DepartmentStatus, now time.Time) time.Time {
	until := boundaryOr(st, now.Add(viewTTL))
	for _, d := range depts {
		if b := boundaryOr(d.Status, until); b.Before(until) {
			until = b
		}
	}
	return until
}

// boundaryOr is the boundary st names (closes_at, else opens_at), else or.
func boundaryOr(st routing.Status, or time.Time) time.Time {
	switch {
	case st.ClosesAt != nil:
		return *st.ClosesAt
	case st.OpensAt != nil:
		return *st.OpensAt
	}
	return or
}

// get returns the site's view when it can be trusted at now.
func (v *siteViews) get(siteID string, now time.Time) (statusView, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	cur, ok := v.views[siteID]
	if !ok || !now.Before(cur.until) {
		return statusView{}, false
	}
	return cur, true
}

// drop forgets one site's view (the broker dropped a message of its channel).
func (v *siteViews) drop(siteID string) {
	v.mu.Lock()
	delete(v.views, siteID)
	v.mu.Unlock()
}

// dropAll forgets every view (the broker's connection was re-established).
func (v *siteViews) dropAll() {
	v.mu.Lock()
	clear(v.views)
	v.mu.Unlock()
}

// statusFrame is the part of a "status" or "department.status" frame a view is
// made of.
type statusFrame struct {
	Type         string         `json:"type"`
	Status       routing.Status `json:"status"`
	DepartmentID string         `json:"department_id"`
}

// observe records a numbered status frame of group as it passes through the node,
// before it is handed to the members: a join that reads the view after joining
// either sees this frame's status or gets the frame after its welcome.
func (v *siteViews) observe(group string, b []byte, seq uint64, now time.Time) {
	id := siteOfGroup(group)
	if id == "" || seq == 0 {
		return
	}
	var f statusFrame
	if json.Unmarshal(b, &f) != nil {
		return
	}
	switch f.Type {
	case "status":
		v.offer(id, f.Status, nil, false, seq, now)
	case "department.status":
		v.offerDepartment(id, f.DepartmentID, f.Status, seq, now)
	}
}
