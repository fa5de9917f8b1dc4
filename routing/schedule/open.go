package schedule

import "time"

// fastMargin: when no offset change happens within this distance of an instant, OpenAt
// compares wall-clock seconds directly (see OpenAt).
const fastMargin = 3 * secondsPerDay

// OpenAt reports whether the schedule is open at instant t: whether t lies in
// [start, end) of some interval (docs/protocol.md#schedules, with its DST rule).
// A disabled schedule is always open. OpenAt allocates nothing.
func (c *Compiled) OpenAt(t time.Time) bool {
	if !c.enabled {
		return true
	}
	u := clampUnix(t.Unix())
	z := c.zone
	i := z.index(u)
	if z.starts[i] <= u-fastMargin && u+fastMargin < z.end(i) {
		// Fast path: one offset holds from 3 days before u to 3 days after it, so the
		// wall times of days D-1 and D resolve to wall - offset (another, earlier
		// occurrence would take a fold of days), and an interval contains u exactly
		// when its wall span contains u's wall time w, of day D. Spans of day D+1
		// start after w; spans of day D-2 or before end before day D begins, since a
		// span ends less than two days after its own day's midnight.
		w := u + int64(z.offs[i])
		d := floorDiv(w, secondsPerDay)
		for e := d - 1; e <= d; e++ {
			w0 := w - e*secondsPerDay
			for _, sp := range c.spansOn(e) {
				if sp.from <= w0 && w0 < sp.to {
					return true
				}
			}
		}
		return false
	}
	return c.openSlow(u, i)
}

// openSlow answers OpenAt near an offset change. It looks at days D-3..D+1 (a fold
// can make a span of day D+1 start before u) and resolves a span's ends exactly only
// when the range of offsets around u leaves the answer in doubt: a wall time w of
// those days resolves within [w-hi, w-lo], where lo and hi bound the offsets in force
// within a week of u (every candidate instant of such a w lies within that week).
func (c *Compiled) openSlow(u int64, i int) bool {
	z := c.zone
	lo, hi := z.offsetRange(i, u-7*secondsPerDay, u+7*secondsPerDay)
	d := floorDiv(u+int64(z.offs[i]), secondsPerDay)
	for e := d - 3; e <= d+1; e++ {
		base := e * secondsPerDay
		for _, sp := range c.spansOn(e) {
			ws, we := base+sp.from, base+sp.to
			if ws-hi > u || we-lo <= u {
				continue // starts after u, or ends at or before u, for sure
			}
			if ws-lo <= u && we-hi > u {
				return true // contains u for sure
			}
			if z.resolve(ws) <= u && u < z.resolve(we) {
				return true
			}
		}
	}
	return false
}
