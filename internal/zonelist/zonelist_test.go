package zonelist

import (
	"sort"
	"testing"
	"time"
	_ "time/tzdata" // as cmd/gateway: the list must load without /usr/share/zoneinfo
)

func TestNamesHoldEveryZoneAndEachLoads(t *testing.T) {
	list := Names()
	if len(list) < 400 {
		t.Fatalf("only %d zones", len(list))
	}
	if !sort.StringsAreSorted(list) {
		t.Error("not sorted")
	}
	have := map[string]bool{}
	for _, n := range list {
		if have[n] {
			t.Errorf("%s listed twice", n)
		}
		have[n] = true
		if _, err := time.LoadLocation(n); err != nil {
			t.Errorf("%s does not load: %v", n, err)
		}
	}
	for _, n := range []string{"Asia/Kolkata", "Europe/Kyiv", "Asia/Ho_Chi_Minh", "UTC", "Europe/Paris", "America/Argentina/Buenos_Aires"} {
		if !have[n] {
			t.Errorf("%s missing", n)
		}
	}
	// A copy: changing it changes nothing for the next caller.
	list[0] = "Nowhere/Atlantis"
	if Names()[0] == "Nowhere/Atlantis" {
		t.Error("Names returned the package's own array")
	}
}
