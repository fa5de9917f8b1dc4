package routing

import (
	"errors"
	"testing"
	"time"

	"github.com/livedesk/gateway/routing/schedule"
	"github.com/livedesk/gateway/store"
)

// addDept stores a department of the site (sched nil: the site's hours) answered
// by agents, and tells a loaded desk.
func (r *rig) addDept(siteID, id string, pos int, sched *schedule.Schedule, agents ...string) *store.Department {
	r.t.Helper()
	d := &store.Department{ID: id, SiteID: siteID, Name: "Dept " + id, Position: pos, Schedule: sched, Agents: agents, CreatedAt: r.clk.Now()}
	assertNoError(r.t, r.st.CreateDepartment(r.ctx, d))
	if r.d != nil {
		assertNoError(r.t, r.d.ReloadDepartments(r.ctx, siteID))
	}
	return d
}

// startIn has visitor v start a chat in department dept ("" for none).
func (r *rig) startIn(site, dept, v string) (StartResult, error) {
	return r.d.StartChat(r.ctx, StartRequest{SiteID: site, VisitorID: v, ClientID: "start-" + v, Text: "hello from " + v,
		Name: "Name " + v, DepartmentID: dept})
}

// A department's status changes at its own hours' boundaries, at their exact
// instants, while the site, kept online by another department, does not change:
// overnight hours, a DST gap, a zone whose day is not UTC's.
func TestDepartmentStatusAtItsBoundaries(t *testing.T) {
	cases := []struct {
		name  string
		start time.Time
		hours schedule.Schedule
		steps []step
	}{
		{"overnight in Berlin", utc(0, 20, 0, 0), daily("Europe/Berlin", iv("22:00", "06:00")), []step{
			{utc(0, 20, 59, 59), nil},
			{utc(0, 21, 0, 0), []string{"2026-11-23T21:00:00Z DepartmentStatus s1/d1 online open closes=2026-11-24T05:00:00Z"}},
			{utc(1, 4, 59, 59), nil},
			{utc(1, 5, 0, 0), []string{"2026-11-24T05:00:00Z DepartmentStatus s1/d1 offline outside_hours opens=2026-11-24T21:00:00Z"}},
		}},
		{"New York's DST gap", time.Date(2026, 3, 8, 5, 0, 0, 0, time.UTC), daily("America/New_York", iv("01:30", "03:30")), []step{
			{time.Date(2026, 3, 8, 6, 29, 59, 0, time.UTC), nil},
			{time.Date(2026, 3, 8, 6, 30, 0, 0, time.UTC), []string{"2026-03-08T06:30:00Z DepartmentStatus s1/d1 online open closes=2026-03-08T07:30:00Z"}},
			{time.Date(2026, 3, 8, 7, 30, 0, 0, time.UTC), []string{"2026-03-08T07:30:00Z DepartmentStatus s1/d1 offline outside_hours opens=2026-03-09T05:30:00Z"}},
		}},
		{"Auckland's Monday is UTC's Sunday", time.Date(2026, 11, 22, 19, 0, 0, 0, time.UTC), mondays("Pacific/Auckland", iv("09:00", "17:00")), []step{
			{time.Date(2026, 11, 22, 20, 0, 0, 0, time.UTC), []string{"2026-11-22T20:00:00Z DepartmentStatus s1/d1 online open closes=2026-11-23T04:00:00Z"}},
			{time.Date(2026, 11, 23, 4, 0, 0, 0, time.UTC), []string{"2026-11-23T04:00:00Z DepartmentStatus s1/d1 offline outside_hours opens=2026-11-29T20:00:00Z"}},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t, c.start)
			r.addSite(newSite("s1", schedule.AlwaysOpen()))
			r.addAgent(newAgent("a1", 2))
			r.addAgent(newAgent("a2", 2))
			h := c.hours
			r.addDept("s1", "d1", 0, &h, "a1")
			r.addDept("s1", "d2", 1, nil, "a2")
			r.load()
			r.connect("a1", "a2")
			r.rec.take()
			runSteps(t, r, []string{evDepartmentStatus, evSiteStatus}, c.steps)
			assertEqual(t, "site online throughout", r.status("s1").Online, true)
		})
	}
}

// Routing per department at chat.start (docs/protocol.md#routing-by-department): the
// department asked for, else the first online one; never an agent outside it; an
// offline one answers the offline form with its id; an unknown one is an error.
func TestRoutingByDepartment(t *testing.T) {
	r := newRig(t, mon(16, 0, 0))
	r.addSite(newSite("s1", schedule.AlwaysOpen()))
	r.addAgent(newAgent("sales1", 2))
	r.addAgent(newAgent("help1", 2))
	r.addAgent(newAgent("idle", 5)) // serves the site, answers for no department
	office := mondays("Europe/Paris", iv("09:00", "17:00"))
	r.addDept("s1", "sales", 0, &office, "sales1")
	r.addDept("s1", "help", 1, nil, "help1")
	r.load()
	r.connect("sales1", "help1", "idle")

	res, err := r.startIn("s1", "", "v1")
	assertNoError(t, err)
	assertEqual(t, "no department: the first online", res.Conversation.DepartmentID, "sales")
	assertEqual(t, "its agent", res.Conversation.AgentID, "sales1")
	res, err = r.startIn("s1", "help", "v2")
	assertNoError(t, err)
	assertEqual(t, "help's agent", res.Conversation.AgentID, "help1")

	r.clk.Set(mon(17, 0, 0)) // Sales closes
	res, err = r.startIn("s1", "sales", "v3")
	assertNoError(t, err)
	assertEqual(t, "closed sales", res.Outcome, OutcomeOffline)
	assertEqual(t, "its id", res.DepartmentID, "sales")
	assertEqual(t, "its reason", res.Reason, ReasonOutsideHours)
	res, err = r.startIn("s1", "", "v4")
	assertNoError(t, err)
	assertEqual(t, "no department after 17:00", res.Conversation.DepartmentID, "help")
	assertEqual(t, "site still online", r.status("s1").Online, true)
	if _, err := r.startIn("s1", "nope", "v5"); !errors.Is(err, ErrUnknownDepartment) {
		t.Fatalf("unknown department: %v", err)
	}

	// Help's only agent at its limit: chats queue in Help, and the agent of no
	// department never gets one.
	res, err = r.startIn("s1", "help", "v6")
	assertNoError(t, err)
	assertEqual(t, "help full", res.Outcome, OutcomeQueued)
	assertEqual(t, "idle's load", r.d.agents["idle"].open, 0)
}

// Each department has its own FIFO queue: a Sales agent who frees up takes Sales's
// head, never Help's; the queue frames name the department.
func TestQueuePerDepartment(t *testing.T) {
	r := newRig(t, utc(0, 10, 0, 0))
	r.addSite(newSite("s1", schedule.AlwaysOpen()))
	r.addAgent(newAgent("sales1", 1))
	r.addAgent(newAgent("help1", 1))
	r.addDept("s1", "sales", 0, nil, "sales1")
	r.addDept("s1", "help", 1, nil, "help1")
	r.load()
	r.connect("sales1", "help1")
	for _, c := range []struct{ dept, v, outcome string }{
		{"sales", "s-a", OutcomeAssigned}, {"help", "h-a", OutcomeAssigned},
		{"help", "h-b", OutcomeQueued}, {"sales", "s-b", OutcomeQueued}, {"sales", "s-c", OutcomeQueued},
	} {
		res, err := r.startIn("s1", c.dept, c.v)
		assertNoError(t, err)
		assertEqual(t, c.v+" outcome", res.Outcome, c.outcome)
	}
	r.rec.take()
	r.endByAgent("s-a")
	expectEvents(t, "sales frees up", only(r.rec.take(), evAssigned, evQueueLength),
		"2026-11-23T10:00:00Z Assigned s-b to=sales1 state=open queue=true msgs=hello from s-b",
		"2026-11-23T10:00:00Z QueueLength s1/sales 1")
	assertEqual(t, "help's head still waits", r.convOf("h-b").State, store.StateQueued)
}

// A site without departments is exactly as before: one line, no department events.
func TestNoDepartmentsNoDepartmentEvents(t *testing.T) {
	r := newRig(t, utc(0, 10, 0, 0))
	r.addSite(newSite("s1", schedule.AlwaysOpen()))
	r.addAgent(newAgent("a1", 1))
	r.load()
	r.connect("a1")
	r.startWant("s1", "v1", OutcomeAssigned, "a1")
	if evs := only(r.rec.take(), evDepartmentStatus); len(evs) != 0 {
		t.Fatalf("department events on a site without: %v", evs)
	}
	if _, err := r.startIn("s1", "d1", "v2"); !errors.Is(err, ErrUnknownDepartment) {
		t.Fatalf("a department on a site without: %v", err)
	}
	assertEqual(t, "departments", len(r.d.Departments("s1")), 0)
}
