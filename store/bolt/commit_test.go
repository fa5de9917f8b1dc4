package bolt_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/livedesk/gateway/store"
)

// Writes that fail inside a shared transaction must not take the others down, and
// must leave nothing behind themselves.
func TestGroupCommitFailuresStayAlone(t *testing.T) {
	ctx := t.Context()
	s := openT(t, t.TempDir())
	defer s.Close()
	target := &store.Site{Name: "target"}
	must(t, s.CreateSite(ctx, target))

	const n = 64
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if i%2 == 0 {
				errs[i] = s.CreateSite(ctx, &store.Site{ID: fmt.Sprintf("ok-%02d", i), Name: "ok"})
				return
			}
			myErr := fmt.Errorf("abort %d", i)
			_, err := s.UpdateSite(ctx, target.ID, func(cur *store.Site) error {
				cur.Name = "clobbered"
				return myErr
			})
			if err != myErr {
				errs[i] = fmt.Errorf("UpdateSite returned %v, want its fn's error", err)
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	sites, err := s.ListSites(ctx)
	must(t, err)
	if len(sites) != 1+n/2 {
		t.Fatalf("%d sites, want %d", len(sites), 1+n/2)
	}
	got, err := s.GetSite(ctx, target.ID)
	must(t, err)
	if got.Name != "target" {
		t.Fatalf("an aborted update was written: name %q", got.Name)
	}
}

// A panicking update function panics in its caller, writes nothing, and leaves the
// store working.
func TestGroupCommitPanicReachesCaller(t *testing.T) {
	ctx := t.Context()
	s := openT(t, t.TempDir())
	defer s.Close()
	site := &store.Site{Name: "before"}
	must(t, s.CreateSite(ctx, site))
	func() {
		defer func() {
			if p := recover(); p != "boom" {
				t.Fatalf("recovered %v, want the fn's panic", p)
			}
		}()
		_, _ = s.UpdateSite(ctx, site.ID, func(cur *store.Site) error {
			cur.Name = "after"
			panic("boom")
		})
		t.Fatal("UpdateSite returned instead of panicking")
	}()
	got, err := s.GetSite(ctx, site.ID)
	must(t, err)
	if got.Name != "before" {
		t.Fatalf("the panicking update was written: %q", got.Name)
	}
	must(t, s.CreateSite(ctx, &store.Site{Name: "after the panic"}))
}

// Close while writers are busy: every write either returned nil and is stored, or
// failed with ErrUnavailable; nothing hangs.
func TestCloseDuringWrites(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	s := openT(t, dir)
	const writers = 8
	acked := make([][]string, writers)
	started := make(chan struct{}, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := 0; ; i++ {
				id := fmt.Sprintf("w%d-%05d", w, i)
				err := s.CreateSite(ctx, &store.Site{ID: id})
				if i == 0 {
					started <- struct{}{}
				}
				if errors.Is(err, store.ErrUnavailable) {
					return
				}
				if err != nil {
					t.Errorf("CreateSite %s: %v", id, err)
					return
				}
				acked[w] = append(acked[w], id)
			}
		})
	}
	for range writers {
		<-started
	}
	must(t, s.Close())
	wg.Wait()
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}

	s = openT(t, dir)
	defer s.Close()
	total := 0
	for _, ids := range acked {
		for _, id := range ids {
			if _, err := s.GetSite(ctx, id); err != nil {
				t.Fatalf("acknowledged site %s lost: %v", id, err)
			}
			total++
		}
	}
	sites, err := s.ListSites(ctx)
	must(t, err)
	if len(sites) != total {
		t.Fatalf("%d sites stored, %d acknowledged", len(sites), total)
	}
}
