package schedule

import (
	"math"
	"sync"
	"time"
)

const (
	secondsPerDay = 86400

	// resolveWindow bounds how far from a wall time its instant can lie: real UTC
	// offsets stay within -15h..+15h, so +-26h is generous.
	resolveWindow = 26 * 3600
)

// The transition table covers these instants. Before tableStart the zone keeps the
// offset it had at tableStart (tz data has no transitions that early anyway); from
// the last transition before tableEnd on, the offset in force then is kept forever.
var (
	tableStart = time.Date(1800, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	tableEnd   = time.Date(2400, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
)

// zone is a time.Location flattened into a sorted table of periods with a constant UTC
// offset: period i covers [starts[i], starts[i+1]) (the last one runs forever) at
// offset offs[i] seconds east of UTC. Consecutive periods always differ in offset (a
// change of abbreviation or DST flag alone is no transition here). starts[0] is
// math.MinInt64. A zone is immutable once built and shared by every Compiled that
// uses the same zone name.
type zone struct {
	loc    *time.Location
	starts []int64
	offs   []int32
}

// zones caches *zone by zone name. Only names that loaded successfully are stored, so
// it is bounded by the size of the tz database.
var zones sync.Map

// loadZone returns the cached zone table for name, loading and building it on first use.
// Callers reject "" and "Local" before calling it.
func loadZone(name string) (*zone, error) {
	if z, ok := zones.Load(name); ok {
		return z.(*zone), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	z, _ := zones.LoadOrStore(name, buildZone(loc))
	return z.(*zone), nil
}

func offsetAt(loc *time.Location, u int64) int32 {
	_, off := time.Unix(u, 0).In(loc).Zone()
	return int32(off)
}

// buildZone walks the periods of loc from tableStart to tableEnd. ZoneBounds serves as
// a hint only: the offsets themselves always come from Zone(), and a bound that is not
// after the instant asked about (a Go bug, seen in Go 1.26: the last day of leap years served by
// the TZ footer rule) or that disagrees with Zone() is replaced by a bisection.
func buildZone(loc *time.Location) *zone {
	z := &zone{loc: loc, starts: []int64{math.MinInt64}}
	u := tableStart
	off := offsetAt(loc, u)
	z.offs = []int32{off}
	for u < tableEnd {
		_, end := time.Unix(u, 0).In(loc).ZoneBounds()
		if end.IsZero() {
			break // this period goes on forever
		}
		next := end.Unix()
		if next <= u {
			next = u + secondsPerDay
		}
		if offsetAt(loc, next-1) != off {
			next = firstChange(loc, u, next-1, off)
		}
		if o := offsetAt(loc, next); o != off {
			z.starts = append(z.starts, next)
			z.offs = append(z.offs, o)
			off = o
		}
		u = next
	}
	return z
}

// firstChange returns the first instant in (lo, hi] whose offset differs from off,
// given that lo has offset off and hi does not.
func firstChange(loc *time.Location, lo, hi int64, off int32) int64 {
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if offsetAt(loc, mid) == off {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}

// index returns the period containing instant u.
func (z *zone) index(u int64) int {
	lo, hi := 0, len(z.starts)
	for hi-lo > 1 {
		m := int(uint(lo+hi) >> 1)
		if z.starts[m] <= u {
			lo = m
		} else {
			hi = m
		}
	}
	return lo
}

// end returns the first instant after period i.
func (z *zone) end(i int) int64 {
	if i+1 < len(z.starts) {
		return z.starts[i+1]
	}
	return math.MaxInt64
}

// wall returns the local wall-clock reading at instant u, in seconds since the local
// civil epoch 1970-01-01 00:00.
func (z *zone) wall(u int64) int64 {
	return u + int64(z.offs[z.index(u)])
}

// resolve maps a wall-clock time (seconds since the local civil epoch) to an instant,
// following docs/protocol.md#schedules (DST): a wall time that occurs once is that
// instant; one that occurs more than once (fall-back fold) is its earliest occurrence;
// one that never occurs (spring-forward gap) is the first instant after the gap, the
// transition itself. resolve is monotone: w1 <= w2 implies resolve(w1) <= resolve(w2).
//
// Each period p whose span meets [w-resolveWindow, w+resolveWindow] offers the candidate
// w - offs[p]; it is an occurrence when it lies within p. When none does, the wall
// time falls in a gap, and the first period whose candidate lies before its start is
// the one that begins right after the gap.
func (z *zone) resolve(w int64) int64 {
	w = clampUnix(w)
	gap, inGap := int64(0), false
	for i := z.index(w - resolveWindow); i < len(z.starts); i++ {
		s := z.starts[i]
		if s > w+resolveWindow {
			break
		}
		cand := w - int64(z.offs[i])
		if cand >= s && cand < z.end(i) {
			return cand
		}
		if cand < s && !inGap {
			gap, inGap = s, true
		}
	}
	if inGap {
		return gap
	}
	return w - int64(z.offs[z.index(w)]) // unreachable with real offsets
}

// offsetRange returns the smallest and largest offsets of the periods that meet [a, b],
// starting from period i, which contains some instant of [a, b].
func (z *zone) offsetRange(i int, a, b int64) (lo, hi int64) {
	lo, hi = int64(z.offs[i]), int64(z.offs[i])
	for j := i - 1; j >= 0 && z.starts[j+1] > a; j-- {
		lo, hi = min(lo, int64(z.offs[j])), max(hi, int64(z.offs[j]))
	}
	for j := i + 1; j < len(z.starts) && z.starts[j] <= b; j++ {
		lo, hi = min(lo, int64(z.offs[j])), max(hi, int64(z.offs[j]))
	}
	return lo, hi
}

// Instants are clamped to +-2^50 seconds (about 35 million years) so that the day and
// offset arithmetic cannot overflow.
const maxUnix = 1 << 50

func clampUnix(u int64) int64 {
	return max(-maxUnix, min(u, maxUnix))
}
