package copier_test

import (
	"context"
	"errors"
	"testing"

	"github.com/livedesk/gateway/internal/pgtest"
	"github.com/livedesk/gateway/internal/redistest"
	"github.com/livedesk/gateway/store"
	"github.com/livedesk/gateway/store/bolt"
	"github.com/livedesk/gateway/store/copier"
	"github.com/livedesk/gateway/store/copier/copiertest"
	"github.com/livedesk/gateway/store/postgres"
	redisstore "github.com/livedesk/gateway/store/redis"
)

// target returns a PostgreSQL store in a fresh schema of srv and its URL.
func target(t testing.TB, srv *pgtest.Server) (*postgres.Store, string) {
	t.Helper()
	url := srv.SchemaURL()
	s, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, url
}

// boltSource seeds an embedded store in a temp dir, closes it and returns its
// exporter, a store on the same file reopened for the checks (after the
// exporter closes), and what was seeded.
func boltSource(t *testing.T) (dir string, seeded copiertest.Seeded) {
	t.Helper()
	dir = t.TempDir()
	s, err := bolt.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if seeded, err = copiertest.Seed(t.Context(), s); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, seeded
}

// run copies src into dst in batches of batch and fails t on an error.
func run(t *testing.T, src store.Exporter, dst *postgres.Store, batch int) *copier.Report {
	t.Helper()
	rep, err := copier.Run(t.Context(), src, dst, copier.Options{Source: "test", Batch: batch})
	if err != nil {
		t.Fatalf("copy: %v", err)
	}
	return rep
}

func TestCopyFromBolt(t *testing.T) {
	srv := pgtest.Start(t)
	dir, seeded := boltSource(t)
	exp, err := bolt.OpenExporter(dir)
	if err != nil {
		t.Fatal(err)
	}
	dst, _ := target(t, srv)
	rep := run(t, exp, dst, 2) // small batches: every table spans several
	checkCounts(t, rep)
	_ = exp.Close()
	src, err := bolt.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	copiertest.Equal(t, t.Context(), src, dst, seeded)
}

func TestCopyFromRedis(t *testing.T) {
	srv := pgtest.Start(t)
	rs := redistest.Start(t)
	src := redisstore.New(rs.Client(), "{ld*}:") // a prefix with a glob character
	seeded, err := copiertest.Seed(t.Context(), src)
	if err != nil {
		t.Fatal(err)
	}
	// Another store's keys on the same server are not copied.
	if _, err := copiertest.Seed(t.Context(), redisstore.New(rs.Client(), "other:")); err != nil {
		t.Fatal(err)
	}
	dst, _ := target(t, srv)
	rep := run(t, src.Exporter(), dst, 3)
	checkCounts(t, rep)
	copiertest.Equal(t, t.Context(), src, dst, seeded)
}

// checkCounts fails t unless every table copied every record it holds, with
// the fixtures' counts of a few.
func checkCounts(t *testing.T, rep *copier.Report) {
	t.Helper()
	want := map[string]int64{store.TableSites: 2, store.TableDepartments: 4, store.TableAgents: 3, store.TableSettings: 3,
		store.TableConversations: 3, store.TableMessages: 9, store.TableOffline: 4, store.TableNotifications: 5,
		store.TableVisitorCounters: 3, store.TableVisitorNumbers: 9, store.TableVisitorErasures: 3}
	for _, row := range rep.Rows {
		if row.Source != want[row.Table] || row.Read != row.Source || row.Copied != row.Source || row.Target != row.Source || row.Problem() != "" {
			t.Errorf("%s: %+v, want %d of everything", row.Table, row, want[row.Table])
		}
	}
	if len(rep.Rows) != len(want) {
		t.Errorf("%d tables, want %d", len(rep.Rows), len(want))
	}
}

// A copy cancelled after some rows, run again, finishes with every record once;
// a run after a finished copy is a new pass that adds nothing and verifies.
func TestCopyResumes(t *testing.T) {
	srv := pgtest.Start(t)
	dir, seeded := boltSource(t)
	exp, err := bolt.OpenExporter(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer exp.Close()
	dst, _ := target(t, srv)
	for _, stopAt := range []int{1, 3, 4} { // batches of two: in settings, sites, departments...
		ctx, cancel := context.WithCancel(t.Context())
		batches := 0
		_, err := copier.Run(ctx, exp, dst, copier.Options{Source: "test", Batch: 2, Progress: func(e copier.Event) {
			if e.Read > e.Resumed {
				batches++
			}
			if batches >= stopAt {
				cancel()
			}
		}})
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("stopped copy: %v, want context.Canceled", err)
		}
	}
	rep := run(t, exp, dst, 2)
	for _, row := range rep.Rows {
		if row.Read != row.Source || row.Copied != row.Source || row.Target != row.Source {
			t.Errorf("after resuming, %s: %+v", row.Table, row)
		}
	}
	var notes []string
	rep, err = copier.Run(t.Context(), exp, dst, copier.Options{Source: "test", Notice: func(s string) { notes = append(notes, s) }})
	if err != nil || len(notes) != 1 {
		t.Fatalf("second pass: %v, notices %q", err, notes)
	}
	for _, row := range rep.Rows {
		if row.Copied != 0 || row.Target != row.Source {
			t.Errorf("second pass, %s: %+v (copied nothing new)", row.Table, row)
		}
	}
	if _, err := copier.Run(t.Context(), exp, dst, copier.Options{Source: "elsewhere"}); !errors.Is(err, copier.ErrOtherSource) {
		t.Fatalf("copy from another source: %v", err)
	}
	_ = exp.Close()
	src, err := bolt.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	copiertest.Equal(t, t.Context(), src, dst, seeded)
}

// A target with data of its own is refused and left as it was; a record that
// changed in the source after it was copied is reported, not written over.
func TestCopyRefusesAndReports(t *testing.T) {
	srv := pgtest.Start(t)
	dir, _ := boltSource(t)
	dst, _ := target(t, srv)
	if err := dst.CreateSite(t.Context(), &store.Site{Name: "own"}); err != nil {
		t.Fatal(err)
	}
	exp, err := bolt.OpenExporter(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = copier.Run(t.Context(), exp, dst, copier.Options{Source: "test"})
	if !errors.Is(err, copier.ErrTargetNotEmpty) {
		t.Fatalf("copy into a used database: %v", err)
	}
	if p, _ := dst.Importer().Progress(t.Context()); len(p) != 0 {
		t.Fatalf("refused copy left progress %v", p)
	}
	_ = exp.Close()

	dst, _ = target(t, srv)
	exp, err = bolt.OpenExporter(dir)
	if err != nil {
		t.Fatal(err)
	}
	run(t, exp, dst, 0)
	_ = exp.Close()
	src, err := bolt.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	sites, _ := src.ListSites(t.Context())
	if _, err := src.UpdateSite(t.Context(), sites[1].ID, func(s *store.Site) error { s.Name = "renamed"; return nil }); err != nil {
		t.Fatal(err)
	}
	_ = src.Close()
	exp, err = bolt.OpenExporter(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer exp.Close()
	rep, err := copier.Run(t.Context(), exp, dst, copier.Options{Source: "test"})
	if !errors.Is(err, copier.ErrMismatch) || rep == nil {
		t.Fatalf("copy after a change: %v", err)
	}
	for _, row := range rep.Rows {
		if (row.Table == store.TableSites) != (row.Differ == 1) || (row.Differ == 1 && row.Example != sites[1].ID) {
			t.Errorf("%s: %+v", row.Table, row)
		}
	}
}
