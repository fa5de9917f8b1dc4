// Package schedule holds the office-hours model of docs/protocol.md#schedules: its JSON
// form, its validation, and the pure time logic that answers "is it open at instant t,
// and when does that change?".
//
// Nothing in this package reads a clock or does I/O: every function takes the instant
// it is asked about, so callers (routing, timers, tests) decide what "now" is.
package schedule

// Weekdays lists the keys of Schedule.Weekly in the order the API writes them.
var Weekdays = [7]string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// MaxIntervalsPerDay is the most intervals one weekday or one exception may hold.
const MaxIntervalsPerDay = 12

// Interval is one span of wall-clock time, "HH:MM" to "HH:MM" in the schedule's zone.
// It belongs to the local date it starts on; when To is earlier than From it ends at
// To on the next local date (an overnight shift). "24:00" is allowed only as To.
type Interval struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Exception replaces the weekly intervals of one local date (YYYY-MM-DD). An empty
// Intervals list closes that date (a holiday). Intervals that started the day before
// and run past midnight are not affected.
type Exception struct {
	Date      string     `json:"date"`
	Intervals []Interval `json:"intervals"`
}

// Schedule is the JSON model of a site's or an agent's hours. Enabled false means no
// restriction: always open. Use Validate (or Parse) before trusting one, and Compile
// to ask it questions.
type Schedule struct {
	Enabled    bool                  `json:"enabled"`
	Timezone   string                `json:"timezone"`
	Weekly     map[string][]Interval `json:"weekly"`
	Exceptions []Exception           `json:"exceptions"`
}

// AlwaysOpen returns the schedule that places no restriction (enabled false, UTC,
// every weekday empty): what a new site gets until its hours are set.
func AlwaysOpen() Schedule {
	s := Schedule{Enabled: false, Timezone: "UTC", Weekly: map[string][]Interval{}, Exceptions: []Exception{}}
	for _, d := range Weekdays {
		s.Weekly[d] = []Interval{}
	}
	return s
}
