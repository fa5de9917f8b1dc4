package storetest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/livedesk/gateway/store"
)

// visitorNumber asks for a visitor's number or fails the test.
func visitorNumber(t *testing.T, s store.Store, siteID, visitorID string) int64 {
	t.Helper()
	n, err := s.VisitorNumber(ctxT(t), siteID, visitorID)
	ok(t, err, fmt.Sprintf("VisitorNumber %s/%s", siteID, visitorID))
	return n
}

var visitorNumberTests = []test{
	{"CountsPerSiteFromOne", func(t *testing.T, s store.Store) {
		equal(t, visitorNumber(t, s, "site-1", "visitor-a"), int64(1), "first visitor of site-1")
		equal(t, visitorNumber(t, s, "site-1", "visitor-b"), int64(2), "second visitor of site-1")
		equal(t, visitorNumber(t, s, "site-2", "visitor-a"), int64(1), "the same visitor id on another site")
		equal(t, visitorNumber(t, s, "site-1", "visitor-c"), int64(3), "third visitor of site-1")
		// The site id and the visitor id cannot run into each other.
		equal(t, visitorNumber(t, s, "site-1:visitor", "a"), int64(1), "a site whose id extends another's")
	}},
	{"SameVisitorSameNumber", func(t *testing.T, s store.Store) {
		first := visitorNumber(t, s, "site-1", "visitor-a")
		visitorNumber(t, s, "site-1", "visitor-b")
		for i := range 3 {
			equal(t, visitorNumber(t, s, "site-1", "visitor-a"), first, fmt.Sprintf("asked again (%d)", i))
		}
		equal(t, visitorNumber(t, s, "site-1", "visitor-c"), int64(3), "a new visitor after repeats")
	}},
	{"EmptyIDsRefused", func(t *testing.T, s store.Store) {
		for _, c := range [][2]string{{"", "visitor-a"}, {"site-1", ""}, {"", ""}} {
			if n, err := s.VisitorNumber(ctxT(t), c[0], c[1]); err == nil {
				t.Fatalf("VisitorNumber(%q, %q) = %d, want an error", c[0], c[1], n)
			}
		}
		equal(t, visitorNumber(t, s, "site-1", "visitor-a"), int64(1), "first number after refused calls")
	}},
	{"Concurrent", func(t *testing.T, s store.Store) {
		// 24 visitors, each asked for 3 times at once: every visitor gets one number,
		// and the numbers are exactly 1..24.
		const visitors, repeats = 24, 3
		ctx := ctxT(t)
		got := make([][repeats]int64, visitors)
		errs := make([][repeats]error, visitors)
		var wg sync.WaitGroup
		for v := range visitors {
			for r := range repeats {
				wg.Go(func() {
					got[v][r], errs[v][r] = s.VisitorNumber(ctx, "site-1", fmt.Sprintf("visitor-%d", v))
				})
			}
		}
		wg.Wait()
		seen := map[int64]int{}
		for v := range visitors {
			for r := range repeats {
				ok(t, errs[v][r], fmt.Sprintf("VisitorNumber visitor-%d", v))
				if got[v][r] != got[v][0] {
					t.Fatalf("visitor-%d got numbers %v, want one number", v, got[v])
				}
			}
			if w, dup := seen[got[v][0]]; dup {
				t.Fatalf("visitor-%d and visitor-%d share number %d", v, w, got[v][0])
			}
			seen[got[v][0]] = v
		}
		for n := int64(1); n <= visitors; n++ {
			if _, ok := seen[n]; !ok {
				t.Fatalf("numbers %v skip %d", seen, n)
			}
		}
	}},
}
