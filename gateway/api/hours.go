package api

import (
	"net/http"
	"time"

	"github.com/livedesk/gateway/routing/schedule"
	"github.com/livedesk/gateway/store"
)

// maxHoursDays bounds the /hours, /hours/preview and /coverage range (inclusive).
const maxHoursDays = 366

// hoursAnswer is the body of GET /sites/{id}/hours and of its preview
// (docs/protocol.md#hours-preview): the merged open periods of local dates From..To.
type hoursAnswer struct {
	Timezone string            `json:"timezone"`
	From     string            `json:"from"`
	To       string            `json:"to"`
	Periods  []schedule.Period `json:"periods"`
}

// previewAnswer is the preview's body: the hours plus the intervals the schedule
// joins (never null).
type previewAnswer struct {
	*hoursAnswer
	Merges []schedule.Merge `json:"merges"`
}

// GetSiteHours answers GET /sites/{id}/hours: the open periods of the site's stored
// schedule over ?from= to ?to= (hoursOver).
func (h *Handler) GetSiteHours(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	st, err := h.memberSite(r, me)
	if err != nil {
		return err
	}
	return h.writeHours(w, r, st.Schedule)
}

// writeHours answers the open periods of sch over ?from= to ?to= (hoursOver): the
// body of GET /sites/{id}/hours and of GET /departments/{id}/hours.
func (h *Handler) writeHours(w http.ResponseWriter, r *http.Request, sch schedule.Schedule) error {
	hours, err := schedule.Compile(sch)
	if err != nil {
		return err
	}
	ans, err := h.hoursOver(r, hours)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, ans)
	return nil
}

// PreviewSiteHours answers POST /sites/{id}/hours/preview: what GET /hours would
// answer if the body were the site's schedule, plus the intervals it merges. It
// stores nothing; only those who may edit the hours may ask.
func (h *Handler) PreviewSiteHours(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	if err := requireManager(me); err != nil {
		return err
	}
	if _, err := h.memberSite(r, me); err != nil {
		return err
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	sch, err := scheduleField(body, "")
	if err != nil {
		return err
	}
	hours, err := schedule.Compile(sch)
	if err != nil {
		return err
	}
	ans, err := h.hoursOver(r, hours)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, previewAnswer{hoursAnswer: ans, Merges: sch.Merges()})
	return nil
}

// hoursOver answers the merged open periods of hours over the range of ?from= and
// ?to= (hoursRange).
func (h *Handler) hoursOver(r *http.Request, hours *schedule.Compiled) (*hoursAnswer, error) {
	from, to, err := h.hoursRange(r, hours.Location())
	if err != nil {
		return nil, err
	}
	periods := hours.Periods(from, to)
	if periods == nil {
		periods = []schedule.Period{}
	}
	return &hoursAnswer{Timezone: hours.Location().String(), From: from.String(), To: to.String(), Periods: periods}, nil
}

// hoursRange reads the range of ?from= and ?to=, local dates of loc (the hours'
// zone): from defaults to today there, to to 13 days after from; at most
// maxHoursDays inclusive. A bad date, to before from or a longer range is a 400
// naming from or to.
func (h *Handler) hoursRange(r *http.Request, loc *time.Location) (from, to schedule.Date, err error) {
	q := r.URL.Query()
	today := localDate(h.clock.Now(), loc)
	from, to = today, today.AddDays(13)
	if v := q.Get("from"); v != "" {
		if from, err = schedule.ParseDate(v); err != nil {
			return from, to, badRequest("from", "must be a date YYYY-MM-DD")
		}
		to = from.AddDays(13)
	}
	if v := q.Get("to"); v != "" {
		if to, err = schedule.ParseDate(v); err != nil {
			return from, to, badRequest("to", "must be a date YYYY-MM-DD")
		}
	}
	n := schedule.DaysBetween(from, to) + 1
	if n < 1 {
		return from, to, badRequest("to", "must not be before from")
	}
	if n > maxHoursDays {
		return from, to, badRequest("to", "at most %d days from from", maxHoursDays)
	}
	return from, to, nil
}

// localDate is the civil date of t in loc.
func localDate(t time.Time, loc *time.Location) schedule.Date {
	y, m, d := t.In(loc).Date()
	return schedule.Date{Year: y, Month: m, Day: d}
}
