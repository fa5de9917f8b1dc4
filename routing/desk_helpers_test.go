package routing

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/livedesk/gateway/clock"
	"github.com/livedesk/gateway/routing/schedule"
	"github.com/livedesk/gateway/store"
	"github.com/livedesk/gateway/store/bolt"
)

// Event kinds, one per Notifier method.
const (
	evSiteStatus       = "SiteStatus"
	evClosingSoon      = "ClosingSoon"
	evDepartmentStatus = "DepartmentStatus"
	evTransferred      = "Transferred"
	evQueueLength      = "QueueLength"
	evQueuePosition    = "QueuePosition"
	evAssigned         = "Assigned"
	evMissed           = "Missed"
	evEnded            = "Ended"
	evPresence         = "Presence"
	evShift            = "Shift"
	evShiftEnding      = "ShiftEnding"
	evShiftEnded       = "ShiftEnded"
)

// event is one Notifier call: the fake clock's Now() when it was made, and its
// arguments. Conversations are named by their visitor (tests choose visitor ids).
type event struct {
	At   time.Time
	Kind string
	Body string // the arguments, rendered
	Conv *store.Conversation
}

// String renders "2026-11-23T16:00:00Z SiteStatus s1 offline outside_hours opens=...".
func (e event) String() string { return ts(e.At) + " " + e.Kind + " " + e.Body }

// recorder is the recording fake Notifier.
type recorder struct {
	clk *clock.Fake
	mu  sync.Mutex
	evs []event
	// ending is the open conversations of the last ShiftEnding.
	ending []*store.Conversation
}

func (r *recorder) add(kind string, c *store.Conversation, format string, args ...any) {
	var cc *store.Conversation
	if c != nil {
		x := *c
		cc = &x
	}
	e := event{At: r.clk.Now(), Kind: kind, Body: fmt.Sprintf(format, args...), Conv: cc}
	r.mu.Lock()
	r.evs = append(r.evs, e)
	r.mu.Unlock()
}

func (r *recorder) SiteStatus(siteID string, st Status, _ []DepartmentStatus) {
	r.add(evSiteStatus, nil, "%s %s", siteID, fmtStatus(st))
}
func (r *recorder) DepartmentStatus(siteID string, dept DepartmentStatus) {
	r.add(evDepartmentStatus, nil, "%s/%s %s", siteID, dept.ID, fmtStatus(dept.Status))
}
func (r *recorder) ClosingSoon(siteID string, closesAt time.Time) {
	r.add(evClosingSoon, nil, "%s closes=%s", siteID, ts(closesAt))
}
func (r *recorder) QueueLength(siteID, deptID string, n int) {
	if deptID != "" {
		siteID += "/" + deptID
	}
	r.add(evQueueLength, nil, "%s %d", siteID, n)
}
func (r *recorder) QueuePosition(c *store.Conversation, position int) {
	r.add(evQueuePosition, c, "%s %d", c.VisitorID, position)
}
func (r *recorder) Assigned(c *store.Conversation, msgs []*store.Message, fromQueue bool, h *Handoff) {
	texts := make([]string, len(msgs))
	for i, m := range msgs {
		texts[i] = m.Text
	}
	from := ""
	if h != nil {
		from = fmt.Sprintf(" from=%s note=%q", h.FromAgentID, h.Note)
	}
	r.add(evAssigned, c, "%s to=%s state=%s queue=%t msgs=%s%s", c.VisitorID, c.AgentID, c.State, fromQueue, strings.Join(texts, "|"), from)
}
func (r *recorder) Transferred(t Transferred) {
	sys := ""
	if t.System != nil {
		sys = t.System.Text
	}
	r.add(evTransferred, t.Conversation, "%s from=%s to=%s/%s state=%s system=%q", t.Conversation.VisitorID, t.FromAgentID, t.To.AgentID, t.To.DepartmentID, t.Conversation.State, sys)
}
func (r *recorder) Missed(c *store.Conversation, _ *store.Site, reason string, p Prefill) {
	r.add(evMissed, c, "%s state=%s reason=%s text=%q name=%s email=%s", c.VisitorID, c.State, reason, p.Text, p.Name, p.Email)
}
func (r *recorder) Ended(c *store.Conversation, by, re string) {
	r.add(evEnded, c, "%s state=%s by=%s", c.VisitorID, c.State, by)
}
func (r *recorder) Presence(agentID string, p Presence) {
	r.add(evPresence, nil, "%s %s/%s", agentID, p.Status, p.Reason)
}
func (r *recorder) Shift(agentID string, sh Shift) {
	r.add(evShift, nil, "%s %s", agentID, fmtShift(sh))
}
func (r *recorder) ShiftEnding(agentID string, endsAt time.Time, open []*store.Conversation) {
	r.mu.Lock()
	r.ending = open
	r.mu.Unlock()
	r.add(evShiftEnding, nil, "%s ends=%s", agentID, ts(endsAt))
}
func (r *recorder) ShiftEnded(agentID string) { r.add(evShiftEnded, nil, "%s", agentID) }

var _ Notifier = (*recorder)(nil)

// take returns the events recorded since the last take, and forgets them.
func (r *recorder) take() []event {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.evs
	r.evs = nil
	return out
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func fmtStatus(st Status) string {
	s := "offline"
	if st.Online {
		s = "online"
	}
	s += " " + st.Reason
	if st.OpensAt != nil {
		s += " opens=" + ts(*st.OpensAt)
	}
	if st.ClosesAt != nil {
		s += " closes=" + ts(*st.ClosesAt)
	}
	return s
}

func fmtShift(sh Shift) string {
	s := "off"
	if sh.OnShift {
		s = "on"
	}
	if sh.EndsAt != nil {
		s += " ends=" + ts(*sh.EndsAt)
	}
	if sh.StartsAt != nil {
		s += " starts=" + ts(*sh.StartsAt)
	}
	return s
}

// only keeps the events of the given kinds.
func only(evs []event, kinds ...string) []event {
	var out []event
	for _, e := range evs {
		for _, k := range kinds {
			if e.Kind == k {
				out = append(out, e)
				break
			}
		}
	}
	return out
}

// expectEvents fails unless evs render exactly as want, in order.
func expectEvents(tb testing.TB, what string, evs []event, want ...string) {
	tb.Helper()
	got := make([]string, len(evs))
	for i, e := range evs {
		got[i] = e.String()
	}
	ok := len(got) == len(want)
	for i := 0; ok && i < len(got); i++ {
		ok = got[i] == want[i]
	}
	if !ok {
		tb.Fatalf("%s: events\n got:\n\t%s\nwant:\n\t%s", what, strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}

func assertEqual[T comparable](tb testing.TB, name string, got, want T) {
	tb.Helper()
	if got != want {
		tb.Fatalf("%s: got %v, want %v", name, got, want)
	}
}

func assertNoError(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatalf("unexpected error: %v", err)
	}
}

// rig is a desk on the real embedded store, a fake clock and a recorder.
type rig struct {
	t   *testing.T
	ctx context.Context
	st  store.Store
	clk *clock.Fake
	rec *recorder
	d   *Desk
}

func newRig(t *testing.T, start time.Time) *rig {
	t.Helper()
	st, err := bolt.Open(t.TempDir())
	assertNoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	clk := clock.NewFake(start)
	return &rig{t: t, ctx: context.Background(), st: st, clk: clk, rec: &recorder{clk: clk}}
}

func (r *rig) addSite(s *store.Site) *store.Site {
	r.t.Helper()
	assertNoError(r.t, r.st.CreateSite(r.ctx, s))
	return s
}

func (r *rig) addAgent(a *store.Agent) *store.Agent {
	r.t.Helper()
	assertNoError(r.t, r.st.CreateAgent(r.ctx, a))
	return a
}

// load starts a new Desk on the store (closing the previous one, as a restart
// would) and loads it.
func (r *rig) load() {
	r.t.Helper()
	if r.d != nil {
		r.d.Close()
	}
	d := New(Options{Store: r.st, Clock: r.clk, Notify: r.rec})
	assertNoError(r.t, d.Load(r.ctx))
	r.d = d
	r.t.Cleanup(d.Close)
}

// connect opens one socket for each agent.
func (r *rig) connect(ids ...string) {
	r.t.Helper()
	for _, id := range ids {
		_, err := r.d.AgentConnected(id)
		assertNoError(r.t, err)
	}
}

// start has visitor v start a chat with text, ClientID "start-"+v.
func (r *rig) start(site, v, text string) StartResult {
	r.t.Helper()
	res, err := r.d.StartChat(r.ctx, StartRequest{SiteID: site, VisitorID: v, ClientID: "start-" + v,
		Text: text, Name: "Name " + v, Email: v + "@visitor.test", Page: "/p"})
	assertNoError(r.t, err)
	return res
}

// startWant starts a chat and checks its outcome (and the agent for "assigned").
func (r *rig) startWant(site, v, outcome, agent string) StartResult {
	r.t.Helper()
	res := r.start(site, v, "hello from "+v)
	assertEqual(r.t, v+" outcome", res.Outcome, outcome)
	if outcome == OutcomeAssigned {
		assertEqual(r.t, v+" agent", res.Conversation.AgentID, agent)
	}
	return res
}

// convOf returns the stored conversation of visitor v (it must have exactly one).
func (r *rig) convOf(v string) *store.Conversation {
	r.t.Helper()
	cs, err := r.st.ListConversations(r.ctx, store.ConversationFilter{VisitorID: v})
	assertNoError(r.t, err)
	if len(cs) != 1 {
		r.t.Fatalf("visitor %s has %d stored conversations, want 1", v, len(cs))
	}
	return cs[0]
}

// endBy ends visitor v's conversation by its agent.
func (r *rig) endByAgent(v string) {
	r.t.Helper()
	c := r.convOf(v)
	_, err := r.d.EndChat(r.ctx, EndRequest{ConversationID: c.ID, By: store.FromAgent, AgentID: c.AgentID})
	assertNoError(r.t, err)
}

func (r *rig) status(site string) Status {
	r.t.Helper()
	st, _, err := r.d.Status(site)
	assertNoError(r.t, err)
	return st
}

// Schedules and records.

var paris = mustZone("Europe/Paris")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// mon is Monday 2026-11-23 at h:m:s in Paris (UTC+1); mon(...).AddDate(0,0,7) is the
// next Monday.
func mon(h, m, s int) time.Time { return time.Date(2026, 11, 23, h, m, s, 0, paris) }

// utc is 2026-11-23 (a Monday) plus days, at h:m:s UTC.
func utc(days, h, m, s int) time.Time { return time.Date(2026, 11, 23+days, h, m, s, 0, time.UTC) }

func iv(from, to string) schedule.Interval { return schedule.Interval{From: from, To: to} }

// mondays opens on Mondays only.
func mondays(tz string, ivs ...schedule.Interval) schedule.Schedule {
	s := schedule.AlwaysOpen()
	s.Enabled, s.Timezone = true, tz
	s.Weekly["mon"] = ivs
	return s
}

// daily opens every day.
func daily(tz string, ivs ...schedule.Interval) schedule.Schedule {
	s := schedule.AlwaysOpen()
	s.Enabled, s.Timezone = true, tz
	for _, d := range schedule.Weekdays {
		s.Weekly[d] = ivs
	}
	return s
}

func newSite(id string, sched schedule.Schedule) *store.Site {
	return &store.Site{ID: id, Name: "Site " + id, Mode: store.ModeAuto, Schedule: sched}
}

// newAgent is an online agent without idle limit, warning or schedule.
func newAgent(id string, maxChats int, sites ...string) *store.Agent {
	if sites == nil {
		sites = []string{}
	}
	return &store.Agent{ID: id, Email: id + "@agents.test", Name: "Agent " + id, Role: store.RoleAgent,
		Sites: sites, MaxChats: maxChats, Presence: store.PresenceOnline}
}

// failingStore fails every update that would open a conversation (an assignment
// of a queued chat) while failOpen is set, and counts those attempts.
type failingStore struct {
	store.Store
	mu       sync.Mutex
	failOpen bool
	attempts int
}

var errInjected = errors.New("injected store failure")

func (f *failingStore) setFail(on bool) {
	f.mu.Lock()
	f.failOpen = on
	f.mu.Unlock()
}

func (f *failingStore) attemptsSoFar() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.attempts
}

func (f *failingStore) UpdateConversation(ctx context.Context, id string, fn func(*store.Conversation) error, out ...*store.Notification) (*store.Conversation, error) {
	cur, err := f.Store.GetConversation(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := fn(cur); err == nil && cur.State == store.StateOpen {
		f.mu.Lock()
		f.attempts++
		// Give up failing after a while, so a desk that retries forever ends the test
		// with a wrong count instead of hanging it.
		fail := f.failOpen && f.attempts < 50
		f.mu.Unlock()
		if fail {
			return nil, errInjected
		}
	}
	return f.Store.UpdateConversation(ctx, id, fn, out...)
}
