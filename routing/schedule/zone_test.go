package schedule

import (
	"math/rand/v2"
	"testing"
	"time"
)

// Zones with unusual histories: 24-hour jumps (Manila 1844, Sitka 1867, Apia 2011,
// Kwajalein 1993), 30-minute DST (Lord Howe), negative DST (Dublin), 2-hour DST (Troll),
// Ramadan suspensions (Casablanca), midnight transitions (Santiago, Havana).
var zoneTestZones = []string{
	"Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Pacific/Apia", "Asia/Manila",
	"America/Sitka", "Pacific/Kwajalein", "Europe/Dublin", "Antarctica/Troll", "Africa/Casablanca",
	"America/Santiago", "America/Havana", "Pacific/Kiritimati", "UTC",
}

// TestZoneTableMatchesTimePackage checks the flattened table against time.Time.Zone
// every 6 hours from 1850 to 2100 and a second either side of each change. It also
// covers a Go bug: ZoneBounds on the last day of a leap year after 2037 ends before the instant.
func TestZoneTableMatchesTimePackage(t *testing.T) {
	for _, name := range zoneTestZones {
		z, err := loadZone(name)
		assertNoError(t, err)
		for i := 1; i < len(z.starts); i++ {
			if z.starts[i] <= z.starts[i-1] || z.offs[i] == z.offs[i-1] {
				t.Fatalf("%s: period %d does not follow period %d", name, i, i-1)
			}
			for _, u := range []int64{z.starts[i] - 1, z.starts[i]} {
				if got, want := int64(z.offs[z.index(u)]), refOffset(z.loc, u); got != want {
					t.Fatalf("%s: offset at %s = %d, want %d", name, time.Unix(u, 0).UTC(), got, want)
				}
			}
		}
		step := int64(6 * 3600)
		if testing.Short() {
			step *= 8
		}
		end := instantUnix("2100-01-01T00:00:00Z")
		for u := instantUnix("1850-01-01T00:00:00Z") + 1234; u < end; u += step {
			if got, want := int64(z.offs[z.index(u)]), refOffset(z.loc, u); got != want {
				t.Fatalf("%s: offset at %s = %d, want %d", name, time.Unix(u, 0).UTC(), got, want)
			}
		}
		u := instantUnix("2040-12-31T12:00:00Z")
		assertEqual(t, name+" offset on 2040-12-31", int64(z.offs[z.index(u)]), refOffset(z.loc, u))
	}
	z, err := loadZone("Europe/Paris")
	assertNoError(t, err)
	assertEqual(t, "Paris summer 2040", int64(z.offs[z.index(instantUnix("2040-07-01T00:00:00Z"))]), int64(7200))
	assertEqual(t, "Paris winter 2041", int64(z.offs[z.index(instantUnix("2041-01-01T12:00:00Z"))]), int64(3600))
}

// TestResolveMatchesReference resolves wall times around many offset changes of odd
// zones and compares with the reference.
func TestResolveMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(81583, 1))
	lo, hi := instantUnix("1850-01-01T00:00:00Z"), instantUnix("2100-01-01T00:00:00Z")
	per := 60
	if testing.Short() {
		per = 10
	}
	for _, name := range zoneTestZones {
		z, err := loadZone(name)
		assertNoError(t, err)
		var changes []int
		for i := 1; i < len(z.starts); i++ {
			if z.starts[i] > lo && z.starts[i] < hi {
				changes = append(changes, i)
			}
		}
		for k := 0; k < per; k++ {
			var x int64
			var walls []int64
			if len(changes) == 0 || k%6 == 0 {
				x = lo + rng.Int64N(hi-lo)
				walls = append(walls, x)
			} else {
				i := changes[rng.IntN(len(changes))]
				x = z.starts[i]
				for _, base := range []int64{x + int64(z.offs[i-1]), x + int64(z.offs[i])} {
					for _, d := range []int64{-3600, -60, -1, 0, 1, 60, 1800, 3600, 7200} {
						walls = append(walls, base+d)
					}
				}
				walls = append(walls, x+int64(z.offs[i])+rng.Int64N(26*3600)-13*3600)
			}
			ref := newRefZone(t, z.loc, x-3*secondsPerDay, x+3*secondsPerDay)
			for _, w := range walls {
				if got, want := z.resolve(w), ref.resolve(w); got != want {
					t.Fatalf("%s: resolve(%s) = %s, want %s", name, time.Unix(w, 0).UTC().Format("2006-01-02 15:04:05"),
						time.Unix(got, 0).UTC(), time.Unix(want, 0).UTC())
				}
			}
			for j := 1; j < len(walls); j++ { // monotone
				a, b := min(walls[j-1], walls[j]), max(walls[j-1], walls[j])
				if z.resolve(a) > z.resolve(b) {
					t.Fatalf("%s: resolve is not monotone at %d, %d", name, a, b)
				}
			}
		}
	}
}

func TestZoneCache(t *testing.T) {
	a, err := loadZone("Europe/Paris")
	assertNoError(t, err)
	b, err := loadZone("Europe/Paris")
	assertNoError(t, err)
	if a != b {
		t.Error("the zone table is built twice")
	}
	if _, err := loadZone("No/Such_Zone"); err == nil {
		t.Error("unknown zone loaded")
	}
	if _, ok := zones.Load("No/Such_Zone"); ok {
		t.Error("a failure was cached")
	}
}
