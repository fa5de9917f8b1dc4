package storetest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/livedesk/gateway/store"
)

// fullDepartment returns a department of the site with every field set (ID left
// empty), its own hours included.
func fullDepartment(siteID, name string, position int) *store.Department {
	sch := fullSchedule()
	return &store.Department{
		SiteID:    siteID,
		Name:      name,
		Position:  position,
		Schedule:  &sch,
		Agents:    []string{"agent-1", "agent-2"},
		Notify:    store.DepartmentNotify{Emails: []string{"sales@shop.example", "lead@shop.example"}},
		CreatedAt: at(position),
		UpdatedAt: at(position + 1),
	}
}

// mustCreateDepartment creates a department or fails the test.
func mustCreateDepartment(t *testing.T, s store.Store, d *store.Department) *store.Department {
	t.Helper()
	ok(t, s.CreateDepartment(ctxT(t), d), "CreateDepartment "+d.Name)
	return d
}

// departmentIDs lists the site's department ids in ListDepartments' order.
func departmentIDs(t *testing.T, s store.Store, siteID string) []string {
	t.Helper()
	list, err := s.ListDepartments(ctxT(t), siteID)
	ok(t, err, "ListDepartments")
	ids := make([]string, len(list))
	for i, d := range list {
		ids[i] = d.ID
	}
	return ids
}

var departmentTests = []test{
	{"CreateGetRoundTrip", func(t *testing.T, s store.Store) {
		want := fullDepartment("site-1", "Sales", 0)
		ok(t, s.CreateDepartment(ctxT(t), want), "CreateDepartment")
		if want.ID == "" {
			t.Fatal("CreateDepartment left the ID empty")
		}
		got, err := s.GetDepartment(ctxT(t), want.ID)
		ok(t, err, "GetDepartment")
		same(t, got, want, "GetDepartment")
		list, err := s.ListDepartments(ctxT(t), "site-1")
		ok(t, err, "ListDepartments")
		same(t, list, []*store.Department{want}, "ListDepartments")
	}},
	{"SiteScheduleRoundTrip", func(t *testing.T, s store.Store) {
		want := fullDepartment("site-1", "Support", 0)
		want.Schedule, want.Agents, want.Notify.Emails = nil, []string{}, []string{}
		mustCreateDepartment(t, s, want)
		got, err := s.GetDepartment(ctxT(t), want.ID)
		ok(t, err, "GetDepartment")
		same(t, got, want, "GetDepartment")
		if got.Schedule != nil {
			t.Fatalf("a department without hours came back with %+v", got.Schedule)
		}
	}},
	{"CreateKeepsGivenID", func(t *testing.T, s store.Store) {
		want := fullDepartment("site-1", "Given", 0)
		want.ID = "dept-given"
		mustCreateDepartment(t, s, want)
		equal(t, want.ID, "dept-given", "ID after CreateDepartment")
		got, err := s.GetDepartment(ctxT(t), "dept-given")
		ok(t, err, "GetDepartment")
		same(t, got, want, "GetDepartment")
	}},
	{"CreateTakenIDConflicts", func(t *testing.T, s store.Store) {
		first := mustCreateDepartment(t, s, fullDepartment("site-1", "First", 0))
		second := fullDepartment("site-2", "Second", 1)
		second.ID = first.ID
		isErr(t, s.CreateDepartment(ctxT(t), second), store.ErrConflict, "CreateDepartment with a taken ID")
		got, err := s.GetDepartment(ctxT(t), first.ID)
		ok(t, err, "GetDepartment")
		same(t, got, first, "department after the conflict")
		same(t, departmentIDs(t, s, "site-2"), []string{}, "departments of the second site")
	}},
	{"CreateEmptySiteRefused", func(t *testing.T, s store.Store) {
		if err := s.CreateDepartment(ctxT(t), fullDepartment("", "Nowhere", 0)); err == nil {
			t.Fatal("CreateDepartment without a site: no error")
		}
	}},
	{"NameUniquePerSite", func(t *testing.T, s store.Store) {
		sales := mustCreateDepartment(t, s, fullDepartment("site-1", "Sales", 0))
		isErr(t, s.CreateDepartment(ctxT(t), fullDepartment("site-1", " sALES ", 1)), store.ErrConflict, "CreateDepartment with a taken name")
		same(t, departmentIDs(t, s, "site-1"), []string{sales.ID}, "departments after the refused create")
		// Another site may use the name.
		mustCreateDepartment(t, s, fullDepartment("site-2", "Sales", 0))
		// A rename onto a taken name is refused; onto its own name in another case is not.
		support := mustCreateDepartment(t, s, fullDepartment("site-1", "Support", 1))
		_, err := s.UpdateDepartment(ctxT(t), support.ID, func(d *store.Department) error { d.Name = "SALES"; return nil })
		isErr(t, err, store.ErrConflict, "UpdateDepartment onto a taken name")
		got, err := s.GetDepartment(ctxT(t), support.ID)
		ok(t, err, "GetDepartment")
		same(t, got, support, "department after the refused rename")
		renamed, err := s.UpdateDepartment(ctxT(t), sales.ID, func(d *store.Department) error { d.Name = "SALES"; return nil })
		ok(t, err, "UpdateDepartment to its own name in another case")
		equal(t, renamed.Name, "SALES", "name after the rename")
		// A deleted department's name is free again.
		ok(t, s.DeleteDepartment(ctxT(t), support.ID), "DeleteDepartment")
		mustCreateDepartment(t, s, fullDepartment("site-1", "support", 2))
	}},
	{"GetNotFound", func(t *testing.T, s store.Store) {
		_, err := s.GetDepartment(ctxT(t), "no-such-department")
		isErr(t, err, store.ErrNotFound, "GetDepartment")
	}},
	{"ListEmpty", func(t *testing.T, s store.Store) {
		same(t, departmentIDs(t, s, "no-such-site"), []string{}, "departments of an unknown site")
	}},
	{"ListOrder", func(t *testing.T, s store.Store) {
		// By position, then creation time, then id; other sites' are left out.
		mk := func(id string, position, created int) {
			d := fullDepartment("site-1", "Name "+id, position)
			d.ID, d.CreatedAt = id, at(created)
			mustCreateDepartment(t, s, d)
		}
		mk("d-e", 2, 0)
		mk("d-c", 1, 5)
		mk("d-b", 1, 5)
		mk("d-a", 1, 9)
		mk("d-d", 0, 9)
		other := fullDepartment("site-2", "Other", 0)
		mustCreateDepartment(t, s, other)
		same(t, departmentIDs(t, s, "site-1"), []string{"d-d", "d-b", "d-c", "d-a", "d-e"}, "ListDepartments order")
		same(t, departmentIDs(t, s, "site-2"), []string{other.ID}, "departments of the other site")
	}},
	{"Update", func(t *testing.T, s store.Store) {
		d := mustCreateDepartment(t, s, fullDepartment("site-1", "Before", 3))
		var handed string
		got, err := s.UpdateDepartment(ctxT(t), d.ID, func(cur *store.Department) error {
			handed = differs(cur, d)
			cur.Name = "After"
			cur.Position = 0
			cur.Schedule = nil
			cur.Agents = append(cur.Agents, "agent-3")
			cur.Notify.Emails = []string{"after@shop.example"}
			cur.UpdatedAt = at(60)
			return nil
		})
		ok(t, err, "UpdateDepartment")
		equal(t, handed, "", "difference of the record handed to fn from the stored one")
		want := fullDepartment("site-1", "After", 3)
		want.ID, want.Position, want.Schedule = d.ID, 0, nil
		want.Agents = append(want.Agents, "agent-3")
		want.Notify.Emails = []string{"after@shop.example"}
		want.UpdatedAt = at(60)
		same(t, got, want, "UpdateDepartment result")
		stored, err := s.GetDepartment(ctxT(t), d.ID)
		ok(t, err, "GetDepartment")
		same(t, stored, want, "GetDepartment after UpdateDepartment")
	}},
	{"UpdateNotFound", func(t *testing.T, s store.Store) {
		_, err := s.UpdateDepartment(ctxT(t), "no-such-department", func(*store.Department) error { return nil })
		isErr(t, err, store.ErrNotFound, "UpdateDepartment")
	}},
	{"UpdateFnErrorAborts", func(t *testing.T, s store.Store) {
		d := mustCreateDepartment(t, s, fullDepartment("site-1", "Keep", 0))
		got, err := s.UpdateDepartment(ctxT(t), d.ID, func(cur *store.Department) error {
			cur.Name = "Changed"
			return errTest
		})
		if err != errTest {
			t.Fatalf("UpdateDepartment returned %v, want the fn's own error as is", err)
		}
		if got != nil {
			t.Fatalf("UpdateDepartment returned a record with an error: %+v", got)
		}
		stored, err := s.GetDepartment(ctxT(t), d.ID)
		ok(t, err, "GetDepartment")
		same(t, stored, d, "department after an aborted update")
	}},
	{"UpdateKeepsIDAndSite", func(t *testing.T, s store.Store) {
		d := mustCreateDepartment(t, s, fullDepartment("site-1", "Mine", 0))
		got, err := s.UpdateDepartment(ctxT(t), d.ID, func(cur *store.Department) error {
			cur.ID, cur.SiteID, cur.Name = "stolen-id", "site-2", "Renamed"
			return nil
		})
		checkIDKept(t, err, d.ID, func() string { return got.ID })
		if err == nil {
			equal(t, got.SiteID, "site-1", "SiteID of the update's result")
		}
		_, err = s.GetDepartment(ctxT(t), "stolen-id")
		isErr(t, err, store.ErrNotFound, "GetDepartment of the ID fn tried to set")
		same(t, departmentIDs(t, s, "site-1"), []string{d.ID}, "departments of the site")
		same(t, departmentIDs(t, s, "site-2"), []string{}, "departments of the site fn tried to move it to")
	}},
	{"Copies", func(t *testing.T, s store.Store) {
		in := fullDepartment("site-1", "Copy", 0)
		mustCreateDepartment(t, s, in)
		want := fullDepartment("site-1", "Copy", 0)
		want.ID = in.ID
		in.Agents[0] = "mutated"
		in.Schedule.Weekly["mon"][0].From = "00:00"
		got, err := s.GetDepartment(ctxT(t), in.ID)
		ok(t, err, "GetDepartment")
		same(t, got, want, "department after changing the created record")
		got.Notify.Emails[0] = "mutated"
		got.Schedule.Weekly["mon"][0].To = "23:00"
		list, err := s.ListDepartments(ctxT(t), "site-1")
		ok(t, err, "ListDepartments")
		list[0].Agents[1] = "mutated"
		again, err := s.GetDepartment(ctxT(t), in.ID)
		ok(t, err, "GetDepartment")
		same(t, again, want, "department after changing returned records")
	}},
	{"Delete", func(t *testing.T, s store.Store) {
		gone := mustCreateDepartment(t, s, fullDepartment("site-1", "Gone", 0))
		kept := mustCreateDepartment(t, s, fullDepartment("site-1", "Kept", 1))
		ok(t, s.DeleteDepartment(ctxT(t), gone.ID), "DeleteDepartment")
		_, err := s.GetDepartment(ctxT(t), gone.ID)
		isErr(t, err, store.ErrNotFound, "GetDepartment after DeleteDepartment")
		isErr(t, s.DeleteDepartment(ctxT(t), gone.ID), store.ErrNotFound, "second DeleteDepartment")
		same(t, departmentIDs(t, s, "site-1"), []string{kept.ID}, "departments left")
	}},
	{"DeleteNotFound", func(t *testing.T, s store.Store) {
		isErr(t, s.DeleteDepartment(ctxT(t), "no-such-department"), store.ErrNotFound, "DeleteDepartment")
	}},
	{"DeleteSiteDeletesItsDepartments", func(t *testing.T, s store.Store) {
		site := mustCreateSite(t, s, fullSite("Gone"))
		other := mustCreateSite(t, s, fullSite("Kept"))
		a := mustCreateDepartment(t, s, fullDepartment(site.ID, "A", 0))
		b := mustCreateDepartment(t, s, fullDepartment(site.ID, "B", 1))
		kept := mustCreateDepartment(t, s, fullDepartment(other.ID, "A", 0))
		ok(t, s.DeleteSite(ctxT(t), site.ID), "DeleteSite")
		for _, d := range []*store.Department{a, b} {
			_, err := s.GetDepartment(ctxT(t), d.ID)
			isErr(t, err, store.ErrNotFound, "GetDepartment of a deleted site's department")
		}
		same(t, departmentIDs(t, s, site.ID), []string{}, "departments of the deleted site")
		same(t, departmentIDs(t, s, other.ID), []string{kept.ID}, "departments of the other site")
		// A site made again under the same id starts without departments, and
		// their names are free.
		again := fullSite("Again")
		again.ID = site.ID
		mustCreateSite(t, s, again)
		mustCreateDepartment(t, s, fullDepartment(site.ID, "A", 0))
	}},
	{"ConcurrentUpdates", func(t *testing.T, s store.Store) {
		// Each writer adds its own agent; none is lost.
		d := fullDepartment("site-1", "Busy", 0)
		d.Agents = []string{}
		mustCreateDepartment(t, s, d)
		const writers = 8
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.UpdateDepartment(ctxT(t), d.ID, func(cur *store.Department) error {
					cur.Agents = append(cur.Agents, fmt.Sprintf("agent-%d", i))
					return nil
				})
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			ok(t, err, "concurrent UpdateDepartment")
		}
		got, err := s.GetDepartment(ctxT(t), d.ID)
		ok(t, err, "GetDepartment")
		equal(t, len(got.Agents), writers, "agents after concurrent updates")
	}},
	{"ConcurrentSameName", func(t *testing.T, s store.Store) {
		// Of writers racing to one name in a site, exactly one wins.
		const writers = 6
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- s.CreateDepartment(ctxT(t), fullDepartment("site-1", "Race", i))
			}()
		}
		wg.Wait()
		close(errs)
		won := 0
		for err := range errs {
			if err == nil {
				won++
				continue
			}
			isErr(t, err, store.ErrConflict, "CreateDepartment that lost the race")
		}
		equal(t, won, 1, "creates that won")
		equal(t, len(departmentIDs(t, s, "site-1")), 1, "departments of the site")
	}},
	{"ConversationFilter", func(t *testing.T, s store.Store) {
		mk := func(site, dept, state string) *store.Conversation {
			c := fullConversation(site, "visitor-"+dept, state)
			c.DepartmentID = dept
			return mustCreateConversation(t, s, c)
		}
		q1 := mk("site-1", "sales", store.StateQueued)
		mk("site-1", "support", store.StateQueued)
		o1 := mk("site-1", "sales", store.StateOpen)
		mk("site-1", "", store.StateOpen)
		mk("site-2", "sales", store.StateOpen)
		e1 := mk("site-1", "sales", store.StateEnded)
		for _, tc := range []struct {
			f    store.ConversationFilter
			want []*store.Conversation
		}{
			{store.ConversationFilter{SiteID: "site-1", DepartmentID: "sales"}, []*store.Conversation{e1, o1, q1}},
			{store.ConversationFilter{SiteID: "site-1", DepartmentID: "sales", State: store.StateQueued}, []*store.Conversation{q1}},
			{store.ConversationFilter{SiteID: "site-1", DepartmentID: "sales", State: store.StateOpen}, []*store.Conversation{o1}},
			{store.ConversationFilter{SiteID: "site-1", DepartmentID: "sales", Limit: 1}, []*store.Conversation{e1}},
			{store.ConversationFilter{SiteID: "site-1", DepartmentID: "sales", Before: o1.ID}, []*store.Conversation{q1}},
			{store.ConversationFilter{SiteID: "site-1", DepartmentID: "billing"}, []*store.Conversation{}},
		} {
			got, err := s.ListConversations(ctxT(t), tc.f)
			ok(t, err, "ListConversations")
			same(t, got, tc.want, fmt.Sprintf("ListConversations(%+v)", tc.f))
		}
	}},
}
