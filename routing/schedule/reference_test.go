package schedule

import (
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A brute-force reference for the time logic, written straight from docs/protocol.md#schedules
// section 2 and sharing nothing with the implementation but the model types: it asks
// the time package for offsets one instant at a time, and resolves each interval of
// each day on its own.

// refZone is a zone known within a window of instants [lo, hi].
type refZone struct {
	tb     testing.TB
	loc    *time.Location
	lo, hi int64
	trans  []int64 // instants whose offset differs from the second before's, sorted
}

func refOffset(loc *time.Location, u int64) int64 {
	_, off := time.Unix(u, 0).In(loc).Zone()
	return int64(off)
}

// newRefZone finds the offset changes in [lo, hi] by asking for the offset every 20
// minutes and bisecting to the second where it changed (no zone of the tests changes
// twice within 20 minutes).
func newRefZone(tb testing.TB, loc *time.Location, lo, hi int64) *refZone {
	z := &refZone{tb: tb, loc: loc, lo: lo, hi: hi}
	const step = 20 * 60
	for a := lo; a < hi; a += step {
		b := min(a+step, hi)
		if refOffset(loc, a) == refOffset(loc, b) {
			continue
		}
		for b-a > 1 { // offset(a) is the old one, offset(b) the new one
			m := a + (b-a)/2
			if refOffset(loc, m) == refOffset(loc, a) {
				a = m
			} else {
				b = m
			}
		}
		z.trans = append(z.trans, b)
		a = b - b%step // go on scanning from there
	}
	return z
}

// resolve maps wall-clock seconds since the local civil epoch to an instant: the
// earliest instant showing that wall time, else the instant at which the clock jumps
// over it.
func (z *refZone) resolve(w int64) int64 {
	if w-20*3600 < z.lo || w+20*3600 > z.hi {
		z.tb.Fatalf("reference window too small for wall time %d", w)
	}
	offsets := []int64{refOffset(z.loc, z.lo)}
	for _, x := range z.trans {
		offsets = append(offsets, refOffset(z.loc, x))
	}
	best, found := int64(0), false
	for _, off := range offsets {
		if u := w - off; refOffset(z.loc, u) == off && (!found || u < best) {
			best, found = u, true
		}
	}
	if found {
		return best
	}
	for _, x := range z.trans {
		if x-1+refOffset(z.loc, x-1) < w && w < x+refOffset(z.loc, x) {
			return x
		}
	}
	z.tb.Fatalf("reference cannot resolve wall time %d", w)
	return 0
}

// refClock parses a valid "HH:MM" into seconds.
func refClock(s string) int64 {
	h, _ := strconv.Atoi(s[:2])
	m, _ := strconv.Atoi(s[3:])
	return int64(h*3600 + m*60)
}

// refInterval is one interval of one local date, resolved.
type refInterval struct {
	day        string
	start, end int64
}

// refIntervals resolves every interval of the local dates from k0 to k1 days after the
// local date of instant u.
func refIntervals(s Schedule, z *refZone, u int64, k0, k1 int) []refInterval {
	y, m, d := time.Unix(u, 0).In(z.loc).Date()
	var out []refInterval
	for k := k0; k <= k1; k++ {
		day := time.Date(y, m, d+k, 0, 0, 0, 0, time.UTC)
		list := s.Weekly[strings.ToLower(day.Weekday().String()[:3])]
		for _, e := range s.Exceptions {
			if e.Date == day.Format("2006-01-02") {
				list = e.Intervals
			}
		}
		for _, iv := range list {
			from, to := refClock(iv.From), refClock(iv.To)
			if to < from {
				to += secondsPerDay
			}
			out = append(out, refInterval{day.Format("2006-01-02"), z.resolve(day.Unix() + from), z.resolve(day.Unix() + to)})
		}
	}
	return out
}

// refOpen is OpenAt by the book: some interval of the three dates before u's local
// date, that date or the next contains u.
func refOpen(s Schedule, z *refZone, u int64) bool {
	if !s.Enabled {
		return true
	}
	for _, iv := range refIntervals(s, z, u, -3, 1) {
		if iv.start <= u && u < iv.end {
			return true
		}
	}
	return false
}

// refNextChange returns the first instant after u where refOpen changes, looking only
// at boundaries of intervals of the local dates up to 3 days after u's; found is false
// when there is no change before limit, the first instant of the 4th day.
func refNextChange(s Schedule, z *refZone, u int64) (next int64, found bool, limit int64) {
	y, m, d := time.Unix(u, 0).In(z.loc).Date()
	limit = z.resolve(time.Date(y, m, d+4, 0, 0, 0, 0, time.UTC).Unix())
	var bounds []int64
	for _, iv := range refIntervals(s, z, u, -3, 3) {
		if iv.start < iv.end {
			bounds = append(bounds, iv.start, iv.end)
		}
	}
	sort.Slice(bounds, func(i, j int) bool { return bounds[i] < bounds[j] })
	now := refOpen(s, z, u)
	for _, b := range bounds {
		if b > u && b < limit && refOpen(s, z, b) != now {
			return b, true, limit
		}
	}
	return 0, false, limit
}

// TestReferenceSelfCheck pins the reference to the hand-computed instants of the
// protocol's DST rules, so that the property tests compare against something right.
func TestReferenceSelfCheck(t *testing.T) {
	tests := []struct {
		zone, wall, want string
	}{
		{"America/New_York", "2026-03-08T02:30:00Z", "2026-03-08T07:00:00Z"}, // gap
		{"America/New_York", "2026-11-01T01:30:00Z", "2026-11-01T05:30:00Z"}, // fold, earlier
		{"America/New_York", "2026-11-01T02:00:00Z", "2026-11-01T07:00:00Z"},
		{"Australia/Lord_Howe", "2026-10-04T02:15:00Z", "2026-10-03T15:30:00Z"},
		{"Australia/Lord_Howe", "2026-04-05T01:45:00Z", "2026-04-04T14:45:00Z"},
		{"Pacific/Apia", "2011-12-30T06:00:00Z", "2011-12-30T10:00:00Z"},
		{"Pacific/Apia", "2011-12-31T00:00:00Z", "2011-12-30T10:00:00Z"},
		{"Europe/Paris", "2026-06-01T08:00:00Z", "2026-06-01T06:00:00Z"},
	}
	for _, tt := range tests {
		loc, err := time.LoadLocation(tt.zone)
		assertNoError(t, err)
		w := instant(t, tt.wall).Unix() // wall time written as if it were UTC
		z := newRefZone(t, loc, w-3*secondsPerDay, w+3*secondsPerDay)
		assertEqual(t, tt.zone+" "+tt.wall, time.Unix(z.resolve(w), 0).UTC(), instant(t, tt.want))
	}
}
