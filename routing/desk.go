package routing

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/livedesk/gateway/clock"
	"github.com/livedesk/gateway/routing/schedule"
	"github.com/livedesk/gateway/store"
	"go.uber.org/zap"
)

// DefaultDisconnectGrace is how long an agent that lost its last socket still counts
// as available (docs/protocol.md#routing).
const DefaultDisconnectGrace = 15 * time.Second

// SnoozeLength is how much one shift.snooze adds.
const SnoozeLength = 60 * time.Minute

// Notifier receives what the desk decides so it reaches sockets. Its methods are
// called with the desk's lock held, in the order the decisions were made: they must
// not block and must not call back into the Desk (queue frames and return).
type Notifier interface {
	// SiteStatus: the site's status changed; tell its visitors and its agents.
	// depts are its departments' statuses then (nil for a site without).
	SiteStatus(siteID string, st Status, depts []DepartmentStatus)
	// DepartmentStatus: a department's status changed; tell the site's visitors
	// and agents (docs/protocol.md#department-status). It comes before the
	// SiteStatus it brings, if any.
	DepartmentStatus(siteID string, dept DepartmentStatus)
	// ClosingSoon: the site's open period ends at closesAt.
	ClosingSoon(siteID string, closesAt time.Time)
	// QueueLength: a queue of the site changed length (the department's, or the
	// site's for deptID ""); tell its agents.
	QueueLength(siteID, deptID string, n int)
	// QueuePosition: a queued visitor moved in line.
	QueuePosition(c *store.Conversation, position int)
	// Assigned: a conversation got its agent (fromQueue: after waiting in the queue,
	// or by a transfer: the visitor is told too); msgs is its transcript so far, h
	// says who handed it over (nil: nobody).
	Assigned(c *store.Conversation, msgs []*store.Message, fromQueue bool, h *Handoff)
	// Transferred: a transfer is done (docs/protocol.md#transfers); tell the
	// sender and the visitor. The new agent's Assigned follows, unless the
	// conversation waits in a queue.
	Transferred(t Transferred)
	// Missed: a queued conversation gave up; the visitor gets the site's offline
	// form (site is nil when the site is gone).
	Missed(c *store.Conversation, site *store.Site, reason string, prefill Prefill)
	// Ended: a conversation ended; by is "visitor", "agent" or "system", and re
	// the id of the frame that asked for it ("" when none did).
	Ended(c *store.Conversation, by, re string)
	// Presence: an agent's presence changed.
	Presence(agentID string, p Presence)
	// Shift: an agent's shift changed (started, snoozed).
	Shift(agentID string, sh Shift)
	// ShiftEnding: the agent's shift ends at endsAt (the warning); open are its
	// open conversations, oldest assignment first, so it may hand them over.
	ShiftEnding(agentID string, endsAt time.Time, open []*store.Conversation)
	// ShiftEnded: the agent's shift ended.
	ShiftEnded(agentID string)
}

// Presence is an agent's presence with the reason it has it.
type Presence struct {
	Status string `json:"status"`
	Reason string `json:"reason"`
}

// Presence reasons.
const (
	PresenceReasonManual = "manual"
	PresenceReasonAdmin  = "admin"
	PresenceReasonIdle   = "idle"
	PresenceReasonActive = "active"
	PresenceReasonStart  = "restored"
)

// Shift is the shift object of docs/protocol.md#agent-socket: on shift or not, when it ends (nil
// when the agent has no own schedule or it does not end within the horizon), when the
// next one starts (nil when on shift or never).
type Shift struct {
	OnShift  bool       `json:"on_shift"`
	EndsAt   *time.Time `json:"ends_at"`
	StartsAt *time.Time `json:"starts_at"`
	// SnoozedUntil is the end of the snooze that runs now (nil: none), so a console
	// can offer to cancel or shorten it (docs/protocol.md#agent-socket).
	SnoozedUntil *time.Time `json:"snoozed_until,omitempty"`
}

// Prefill is what the offline form is filled with when a chat could not be had.
type Prefill struct {
	Text  string `json:"text"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// Options configures a Desk.
type Options struct {
	Store  store.Store
	Clock  clock.Clock
	Notify Notifier
	Logger *zap.Logger
	// DisconnectGrace defaults to DefaultDisconnectGrace.
	DisconnectGrace time.Duration
	// Announce, when set, hears what the outside world is told about (ended
	// conversations, status changes) and says which notifications announce it.
	Announce Announcer
}

// Announcer connects the desk to the outbox (docs/protocol.md#notifications-outbox). The desk calls it
// with its lock held: no method may block or call back into the Desk.
type Announcer interface {
	// ConversationEnded returns the notifications that announce c's end (nil for
	// none); EndChat stores them in the same write that ends the conversation.
	ConversationEnded(site *store.Site, c *store.Conversation) []*store.Notification
	// Stored: notifications were just stored; deliver them soon.
	Stored()
	// SiteStatus: the site's status became st at the instant at (a boundary's own
	// instant, not when its timer ran). The first status of each site after Load
	// is reported too.
	SiteStatus(site *store.Site, st Status, at time.Time)
	// SiteDeleted: the site is gone.
	SiteDeleted(siteID string)
}

// Desk is the routing state of one node: sites with their hours and queues, agents
// with their presence, shifts and load, and the conversations in flight (queued or
// open). It makes every routing decision at the instant it is asked, arms a timer for
// every schedule boundary, and tells the Notifier what changed.
//
// Lock rules (mu):
//   - mu guards every map and every *State reachable from them, and writes. Methods
//     with the Locked suffix expect mu held; timer callbacks take mu themselves.
//   - No store I/O with mu held. Reads a decision needs are made before taking mu
//     (Load) or after releasing it (the welcomes' transcripts, a resent
//     chat.start's replay). Writes that only record what was decided are queued
//     under mu (writes) and made by unlock, after releasing it, in the order they
//     were queued and ordered per agent (flushSocket: the last record asked for is
//     the one stored).
//   - A write that decides a conversation's fate (a chat start, assigned or
//     queued; an assignment from the queue; a miss; an end) is reserved under mu
//     (the agent's slot, the place in the queue), made after releasing mu, and
//     carried out under mu again, or undone when the store refused. Meanwhile the
//     conversation is busy (desk_busy.go): nothing else is decided about it.
//   - SetPresence's write is ordered per agent by agentState.presenceMu, held
//     across the write and never taken with mu held (presenceMu, then mu).
//   - The Notifier and the Announcer are called with mu held, in the order of the
//     decisions (they only queue frames).
type Desk struct {
	mu sync.Mutex
	// writes are the store writes decided under mu, made by unlock after it is
	// released.
	writes   []func()
	store    store.Store
	clock    clock.Clock
	notify   Notifier
	announce Announcer
	log      *zap.Logger
	grace    time.Duration

	sites  map[string]*siteState
	agents map[string]*agentState
	convs  map[string]*convState // queued and open conversations
	// byVisitor maps a visitor to its queued or open conversation.
	byVisitor map[string]string
	// turns counts the chats that joined a queue (convState.turn).
	turns  uint64
	closed bool
	// stopping: the node drains (Stopping); sockets closing now are no reason to
	// forget that their agents had one.
	stopping bool
}

// siteState is what the desk keeps of a site.
type siteState struct {
	site        *store.Site
	hours       *schedule.Compiled
	status      Status
	boundary    clock.Timer
	closingSoon clock.Timer
	warnedFor   time.Time // the period end whose closing-soon notice was sent
	// lines are where its chats are routed: its own line, or one per department
	// in position order (desk_lines.go); never empty.
	lines []*line
}

// convState is a queued or open conversation.
type convState struct {
	conv    *store.Conversation
	timeout clock.Timer // queue timeout while queued
	// pending: a start reserved by StartChat (assigned or queued) and not stored
	// yet. Nobody but that StartChat sees it: lookups treat it as absent, snapshots
	// leave it out.
	pending bool
	// busy is non-nil while a write that decides the conversation's fate (its
	// queued start, its assignment from the queue, its miss, its end) is made
	// outside mu, and closed when it is done (desk_busy.go).
	busy chan struct{}
	// waitFrom is when its wait in the queue began, when not at its creation (a
	// transfer to a department queued it): its queue timeout counts from then.
	waitFrom time.Time
	// handoff is the transfer that queued it, told to the agent it is assigned to.
	handoff *Handoff
	// turn orders the queue: taken from Desk.turns when the chat joins its queue,
	// so one put back (requeueLocked) finds its place again.
	turn uint64
}

// ErrUnknownSite is returned for a site the desk does not know.
var ErrUnknownSite = errors.New("unknown site")

// New builds a Desk; Load fills it from the store.
func New(o Options) *Desk {
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	if o.DisconnectGrace <= 0 {
		o.DisconnectGrace = DefaultDisconnectGrace
	}
	return &Desk{store: o.Store, clock: o.Clock, notify: o.Notify, announce: o.Announce, log: o.Logger, grace: o.DisconnectGrace,
		sites: map[string]*siteState{}, agents: map[string]*agentState{}, convs: map[string]*convState{}, byVisitor: map[string]string{}}
}

// Load reads sites, agents and the conversations in flight from the store, rebuilds
// queues and loads, and arms every timer. Call it once before use.
func (d *Desk) Load(ctx context.Context) error {
	sites, err := d.store.ListSites(ctx)
	if err != nil {
		return fmt.Errorf("loading sites: %w", err)
	}
	agents, err := d.store.ListAgents(ctx)
	if err != nil {
		return fmt.Errorf("loading agents: %w", err)
	}
	depts := map[string][]*store.Department{}
	for _, s := range sites {
		if depts[s.ID], err = d.store.ListDepartments(ctx, s.ID); err != nil {
			return fmt.Errorf("loading departments: %w", err)
		}
	}
	var inFlight []*store.Conversation
	for _, state := range inFlightStates {
		before := ""
		for {
			page, err := d.store.ListConversations(ctx, store.ConversationFilter{State: state, Before: before, Limit: 500})
			if err != nil {
				return fmt.Errorf("loading conversations: %w", err)
			}
			inFlight = append(inFlight, page...)
			if len(page) < 500 {
				break
			}
			before = page[len(page)-1].ID
		}
	}
	d.mu.Lock()
	defer d.unlock()
	now := d.clock.Now()
	for _, a := range agents {
		d.agents[a.ID] = d.newAgentStateLocked(a, now)
	}
	for _, s := range sites {
		if err := d.putSiteLocked(s); err != nil {
			d.log.Error("site with a bad schedule left out", zap.String("site", s.ID), zap.Error(err))
			continue
		}
		d.setDepartmentsLocked(d.sites[s.ID], depts[s.ID])
	}
	// Oldest first, so queues come back in FIFO order (ids are time-ordered).
	for i := len(inFlight) - 1; i >= 0; i-- {
		c := inFlight[i]
		cs := &convState{conv: c}
		d.convs[c.ID] = cs
		d.byVisitor[c.VisitorID] = c.ID
		if c.State == store.StateOpen {
			if as := d.agents[c.AgentID]; as != nil {
				as.open++
				// Ties go to the agent assigned least recently: remember what the
				// open conversations tell (ended ones are not read back).
				if c.AssignedAt != nil && c.AssignedAt.After(as.lastAssigned) {
					as.lastAssigned = *c.AssignedAt
				}
			}
			continue
		}
		if ss := d.sites[c.SiteID]; ss != nil {
			// A chat a transfer queued keeps its sender and note for whoever
			// takes it, and its wait counts from the transfer.
			if cs.handoff = c.Handoff; c.Handoff != nil {
				cs.waitFrom = c.Handoff.At
			}
			d.turns++
			cs.turn = d.turns
			ln := ss.lineFor(c.DepartmentID)
			ln.queue = append(ln.queue, c.ID)
			d.armQueueTimeoutLocked(cs, ss)
		}
	}
	for _, as := range d.agents {
		d.armShiftLocked(as, now)
	}
	for id := range d.sites {
		d.refreshSiteLocked(id, now)
	}
	return nil
}

// Stopping says the node is draining: from now on a disconnect grace that runs out
// leaves the agent's socket record (Agent.HadSocket) in the store, so the next start
// gives the restart grace to the agents whose sockets the drain closed.
func (d *Desk) Stopping() {
	d.mu.Lock()
	defer d.unlock()
	d.stopping = true
}

// Close stops every timer; the desk must not be used after.
func (d *Desk) Close() {
	d.mu.Lock()
	defer d.unlock()
	d.closed = true
	for _, ss := range d.sites {
		ss.stopTimers()
	}
	for _, as := range d.agents {
		as.stopTimers()
	}
	for _, cs := range d.convs {
		stopTimer(cs.timeout)
	}
}

func stopTimer(t clock.Timer) {
	if t != nil {
		t.Stop()
	}
}

// unlock releases mu, then makes the store writes queued under it, in order.
func (d *Desk) unlock() {
	w := d.writes
	d.writes = nil
	d.mu.Unlock()
	for _, f := range w {
		f()
	}
}

// putSiteLocked stores (or replaces) a site and compiles its hours.
func (d *Desk) putSiteLocked(s *store.Site) error {
	hours, err := schedule.Compile(s.Schedule)
	if err != nil {
		return err
	}
	ss := d.sites[s.ID]
	if ss == nil {
		ss = &siteState{status: Status{Reason: "unknown"}, lines: []*line{{status: Status{Reason: "unknown"}}}}
		d.sites[s.ID] = ss
	}
	ss.site, ss.hours = s, hours
	return nil
}

// after runs f under the lock once the clock reaches at (never before: a timer that
// fires early is armed again for the rest).
func (d *Desk) after(at time.Time, f func(now time.Time)) clock.Timer {
	var t clock.Timer
	var fire func()
	fire = func() {
		d.mu.Lock()
		defer d.unlock()
		if d.closed {
			return
		}
		now := d.clock.Now()
		if now.Before(at) {
			t = d.clock.AfterFunc(at.Sub(now), fire)
			return
		}
		f(now)
	}
	t = d.clock.AfterFunc(at.Sub(d.clock.Now()), fire)
	return timerRef{&t}
}

// timerRef lets a re-armed timer be stopped through the handle first returned.
type timerRef struct{ t *clock.Timer }

func (r timerRef) Stop() bool { return (*r.t).Stop() }

// Now is the desk's clock reading.
func (d *Desk) Now() time.Time { return d.clock.Now() }
