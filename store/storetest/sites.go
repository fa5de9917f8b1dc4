package storetest

import (
	"slices"
	"strings"
	"testing"

	"github.com/livedesk/gateway/store"
)

var siteTests = []test{
	{"CreateGetRoundTrip", func(t *testing.T, s store.Store) {
		want := fullSite("Shop")
		ok(t, s.CreateSite(ctxT(t), want), "CreateSite")
		if want.ID == "" {
			t.Fatal("CreateSite left the ID empty")
		}
		got, err := s.GetSite(ctxT(t), want.ID)
		ok(t, err, "GetSite")
		same(t, got, want, "GetSite")
	}},
	{"CreateKeepsGivenID", func(t *testing.T, s store.Store) {
		want := fullSite("Given")
		want.ID = "site-given"
		mustCreateSite(t, s, want)
		equal(t, want.ID, "site-given", "ID after CreateSite")
		got, err := s.GetSite(ctxT(t), "site-given")
		ok(t, err, "GetSite")
		same(t, got, want, "GetSite")
	}},
	{"CreateTakenIDConflicts", func(t *testing.T, s store.Store) {
		first := mustCreateSite(t, s, fullSite("First"))
		second := fullSite("Second")
		second.ID = first.ID
		isErr(t, s.CreateSite(ctxT(t), second), store.ErrConflict, "CreateSite with a taken ID")
		got, err := s.GetSite(ctxT(t), first.ID)
		ok(t, err, "GetSite")
		equal(t, got.Name, "First", "name after the conflict")
	}},
	{"NewIDsDiffer", func(t *testing.T, s store.Store) {
		a := mustCreateSite(t, s, fullSite("A"))
		b := mustCreateSite(t, s, fullSite("B"))
		if a.ID == b.ID {
			t.Fatalf("two sites got the same ID %q", a.ID)
		}
	}},
	{"GetNotFound", func(t *testing.T, s store.Store) {
		_, err := s.GetSite(ctxT(t), "no-such-site")
		isErr(t, err, store.ErrNotFound, "GetSite")
	}},
	{"ListEmpty", func(t *testing.T, s store.Store) {
		got, err := s.ListSites(ctxT(t))
		ok(t, err, "ListSites")
		equal(t, len(got), 0, "sites in an empty store")
	}},
	{"ListOrderedByID", func(t *testing.T, s store.Store) {
		for _, id := range []string{"site-c", "site-a", "site-b"} {
			site := fullSite("Name " + id)
			site.ID = id
			mustCreateSite(t, s, site)
		}
		got, err := s.ListSites(ctxT(t))
		ok(t, err, "ListSites")
		ids := make([]string, len(got))
		for i, site := range got {
			ids[i] = site.ID
		}
		same(t, ids, []string{"site-a", "site-b", "site-c"}, "ListSites order")
	}},
	{"ListReturnsFullRecords", func(t *testing.T, s store.Store) {
		want := []*store.Site{mustCreateSite(t, s, fullSite("One")), mustCreateSite(t, s, fullSite("Two"))}
		slices.SortFunc(want, func(a, b *store.Site) int { return strings.Compare(a.ID, b.ID) })
		got, err := s.ListSites(ctxT(t))
		ok(t, err, "ListSites")
		same(t, got, want, "ListSites")
	}},
	{"Update", func(t *testing.T, s store.Store) {
		site := mustCreateSite(t, s, fullSite("Before"))
		var handed string
		got, err := s.UpdateSite(ctxT(t), site.ID, func(cur *store.Site) error {
			handed = differs(cur, site)
			cur.Name = "After"
			cur.Mode = store.ModeOffline
			cur.AllowedOrigins = append(cur.AllowedOrigins, "https://new.example")
			cur.UpdatedAt = at(60)
			return nil
		})
		ok(t, err, "UpdateSite")
		equal(t, handed, "", "difference of the record handed to fn from the stored one")
		want := fullSite("After")
		want.ID = site.ID
		want.Mode = store.ModeOffline
		want.AllowedOrigins = append(want.AllowedOrigins, "https://new.example")
		want.UpdatedAt = at(60)
		same(t, got, want, "UpdateSite result")
		stored, err := s.GetSite(ctxT(t), site.ID)
		ok(t, err, "GetSite")
		same(t, stored, want, "GetSite after UpdateSite")
	}},
	{"UpdateNotFound", func(t *testing.T, s store.Store) {
		_, err := s.UpdateSite(ctxT(t), "no-such-site", func(*store.Site) error { return nil })
		isErr(t, err, store.ErrNotFound, "UpdateSite")
		_, err = s.GetSite(ctxT(t), "no-such-site")
		isErr(t, err, store.ErrNotFound, "GetSite after UpdateSite of a missing site")
	}},
	{"UpdateFnErrorAborts", func(t *testing.T, s store.Store) {
		site := mustCreateSite(t, s, fullSite("Keep"))
		got, err := s.UpdateSite(ctxT(t), site.ID, func(cur *store.Site) error {
			cur.Name = "Changed"
			return errTest
		})
		if err != errTest {
			t.Fatalf("UpdateSite returned %v, want the fn's own error as is", err)
		}
		if got != nil {
			t.Fatalf("UpdateSite returned a record with an error: %+v", got)
		}
		stored, err := s.GetSite(ctxT(t), site.ID)
		ok(t, err, "GetSite")
		same(t, stored, site, "site after an aborted update")
	}},
	{"UpdateKeepsID", func(t *testing.T, s store.Store) {
		site := mustCreateSite(t, s, fullSite("Mine"))
		got, err := s.UpdateSite(ctxT(t), site.ID, func(cur *store.Site) error {
			cur.ID = "stolen-id"
			cur.Name = "Renamed"
			return nil
		})
		checkIDKept(t, err, site.ID, func() string { return got.ID })
		_, err = s.GetSite(ctxT(t), "stolen-id")
		isErr(t, err, store.ErrNotFound, "GetSite of the ID fn tried to set")
		_, err = s.GetSite(ctxT(t), site.ID)
		ok(t, err, "GetSite of the original ID")
	}},
	{"Copies", func(t *testing.T, s store.Store) {
		in := fullSite("Copy")
		mustCreateSite(t, s, in)
		want := fullSite("Copy")
		want.ID = in.ID
		// Changing what was handed in changes nothing stored.
		in.Name = "mutated"
		in.AllowedOrigins[0] = "mutated"
		in.Schedule.Weekly["mon"][0].From = "00:00"
		got, err := s.GetSite(ctxT(t), in.ID)
		ok(t, err, "GetSite")
		same(t, got, want, "site after changing the created record")
		// Changing what was handed out changes nothing stored.
		got.Name = "mutated"
		got.Notify.Emails[0] = "mutated"
		got.Schedule.Weekly["mon"][0].To = "23:00"
		got.OfflineForm.Fields[0].Label = "mutated"
		upd, err := s.UpdateSite(ctxT(t), in.ID, func(*store.Site) error { return nil })
		ok(t, err, "UpdateSite")
		upd.AllowedOrigins[1] = "mutated"
		list, err := s.ListSites(ctxT(t))
		ok(t, err, "ListSites")
		list[0].Notify.Emails[1] = "mutated"
		again, err := s.GetSite(ctxT(t), in.ID)
		ok(t, err, "GetSite")
		same(t, again, want, "site after changing returned records")
	}},
	{"Delete", func(t *testing.T, s store.Store) {
		gone := mustCreateSite(t, s, fullSite("Gone"))
		kept := mustCreateSite(t, s, fullSite("Kept"))
		ok(t, s.DeleteSite(ctxT(t), gone.ID), "DeleteSite")
		_, err := s.GetSite(ctxT(t), gone.ID)
		isErr(t, err, store.ErrNotFound, "GetSite after DeleteSite")
		isErr(t, s.DeleteSite(ctxT(t), gone.ID), store.ErrNotFound, "second DeleteSite")
		list, err := s.ListSites(ctxT(t))
		ok(t, err, "ListSites")
		equal(t, len(list), 1, "sites left")
		equal(t, list[0].ID, kept.ID, "site left")
	}},
	{"DeleteNotFound", func(t *testing.T, s store.Store) {
		isErr(t, s.DeleteSite(ctxT(t), "no-such-site"), store.ErrNotFound, "DeleteSite")
	}},
}

// checkIDKept checks the outcome of an update whose fn tried to change the ID: the
// store may reject it (any error) or put the ID back (result keeps the old ID).
func checkIDKept(t *testing.T, err error, id string, resultID func() string) {
	t.Helper()
	if err == nil {
		equal(t, resultID(), id, "ID of the update's result")
	}
}
