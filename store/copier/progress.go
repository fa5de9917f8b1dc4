package copier

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// plainEvery is how often a Bar that is not on a terminal prints a line.
const plainEvery = 5 * time.Second

// Bar shows a copy's Events on w: on a terminal, a bar per table redrawn in
// place (counts, percent, rows/s), left on its line when the table is done;
// elsewhere (a log, a pipe), a plain line every few seconds and one per table
// done.
type Bar struct {
	w        io.Writer
	terminal bool
	now      func() time.Time

	mu        sync.Mutex
	table     string
	started   time.Time // when this run began the table
	lastPlain time.Time
}

// NewBar returns a Bar on w; terminal says whether w is one. now is the clock.
func NewBar(w io.Writer, terminal bool, now func() time.Time) *Bar {
	return &Bar{w: w, terminal: terminal, now: now}
}

// Update shows e (Options.Progress).
func (b *Bar) Update(e Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	if e.Table != b.table {
		b.table, b.started, b.lastPlain = e.Table, now, now
	}
	rate := 0.0
	if d := now.Sub(b.started).Seconds(); d > 0 {
		rate = float64(e.Read-e.Resumed) / d
	}
	switch {
	case b.terminal:
		fmt.Fprintf(b.w, "\r\033[K%s", line(e, rate, true))
		if e.Done {
			fmt.Fprintln(b.w)
		}
	case e.Done || now.Sub(b.lastPlain) >= plainEvery:
		b.lastPlain = now
		fmt.Fprintf(b.w, "migrate-data: %s\n", line(e, rate, false))
	}
}

// line is e as one line: the table, a bar (when drawn), counts and rate.
func line(e Event, rate float64, bar bool) string {
	const width = 30
	total := max(e.Total, e.Read)
	frac := 1.0
	if total > 0 {
		frac = float64(e.Read) / float64(total)
	}
	state := "copying"
	if e.Done {
		state, frac = "done", 1
	}
	out := fmt.Sprintf("%-17s", e.Table)
	if bar {
		n := int(frac * width)
		out += " [" + strings.Repeat("=", n) + strings.Repeat(" ", width-n) + "]"
	}
	return out + fmt.Sprintf(" %d/%d %3.0f%% %8.0f rows/s  %s", e.Read, total, 100*frac, rate, state)
}
