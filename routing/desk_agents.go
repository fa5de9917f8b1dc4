package routing

import (
	"context"
	"sync"
	"time"

	"github.com/livedesk/gateway/clock"
	"github.com/livedesk/gateway/routing/schedule"
	"github.com/livedesk/gateway/store"
	"go.uber.org/zap"
)

// agentState is what the desk keeps of an agent.
type agentState struct {
	agent    *store.Agent
	hours    *schedule.Compiled // own schedule; nil: follows the site's hours
	presence Presence
	sockets  int
	lostAt   time.Time // when the last socket went (zero: has one, or never had)
	grace    clock.Timer
	// hadSocket is what the store's Agent.HadSocket holds, as the desk last
	// loaded or wrote it (as.agent may be an older copy from an API edit);
	// wantSocket is the record last decided, and socketWriting says a flushSocket
	// is storing it (outside mu: see Desk.mu).
	hadSocket, wantSocket, socketWriting bool
	// presenceMu orders SetPresence's store writes with their decisions; it is
	// held across the write, and taken before mu, never with it.
	presenceMu sync.Mutex

	onShift     bool
	shiftEnd    time.Time // effective end of the current shift (zero: none known)
	snoozeUntil time.Time
	warnedFor   time.Time // the shift end whose warning was sent
	shiftTimer  clock.Timer
	warnTimer   clock.Timer

	lastActivity time.Time
	idleTimer    clock.Timer

	open         int       // open conversations assigned to it
	lastAssigned time.Time // zero: never
}

func (as *agentState) stopTimers() {
	stopTimer(as.grace)
	stopTimer(as.shiftTimer)
	stopTimer(as.warnTimer)
	stopTimer(as.idleTimer)
}

// availableFor is docs/protocol.md#routing's "available": serves the site, online, on shift,
// and a live socket or one lost less than grace ago.
func (as *agentState) availableFor(siteID string, now time.Time, grace time.Duration) bool {
	if !as.agent.Serves(siteID) || as.presence.Status != store.PresenceOnline || !as.onShift {
		return false
	}
	return as.sockets > 0 || (!as.lostAt.IsZero() && now.Sub(as.lostAt) < grace)
}

// assignableFor: available with a live socket and room for one more chat.
func (as *agentState) assignableFor(siteID string, now time.Time, grace time.Duration) bool {
	return as.sockets > 0 && as.open < as.agent.MaxChats && as.availableFor(siteID, now, grace)
}

func (d *Desk) newAgentStateLocked(a *store.Agent, now time.Time) *agentState {
	as := &agentState{agent: a}
	as.presence = Presence{Status: a.Presence, Reason: PresenceReasonStart}
	if as.presence.Status == "" {
		as.presence.Status = store.PresenceOnline
	}
	// After a restart an agent that had a live socket when the desk stopped gets
	// the grace that socket would have had, so the desk does not flip offline (and
	// miss queued chats) while agents reconnect. One that had none is not there.
	as.hadSocket = a.HadSocket
	if a.HadSocket {
		as.lostAt = now
		as.grace = d.after(now.Add(d.grace), func(now time.Time) { d.graceOverLocked(as, now) })
	}
	d.compileAgentHoursLocked(as)
	return as
}

// graceOverLocked runs when the disconnect grace of an agent without sockets ran
// out: its sites are re-evaluated, and the store forgets that it had a socket
// (unless the desk is stopping: a drain leaves the record for the next start).
func (d *Desk) graceOverLocked(as *agentState, now time.Time) {
	d.refreshSitesOfLocked(as, now)
	if as.sockets == 0 && !d.stopping {
		d.recordSocketLocked(as, false)
	}
}

// storeWriteTimeout bounds the desk's own writes of an agent's socket record.
const storeWriteTimeout = 5 * time.Second

// recordSocketLocked decides that Agent.HadSocket is to be has, and queues the write
// for after the lock (flushSocket).
func (d *Desk) recordSocketLocked(as *agentState, has bool) {
	as.wantSocket = has
	d.writes = append(d.writes, func() { d.flushSocket(as) })
}

// flushSocket stores the agent's socket record as last decided, when it is not
// already, with mu released during the write. One write runs at a time per agent:
// a decision made meanwhile is stored by the running flush when it is done, so the
// store ends with the last one. A failed write is logged: the socket is served all
// the same, and the only cost is a restart grace given (or not) amiss.
func (d *Desk) flushSocket(as *agentState) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if as.socketWriting {
		return
	}
	for as.wantSocket != as.hadSocket && d.agents[as.agent.ID] == as {
		has, id := as.wantSocket, as.agent.ID
		as.socketWriting = true
		d.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), storeWriteTimeout)
		_, err := d.store.UpdateAgent(ctx, id, func(a *store.Agent) error { a.HadSocket = has; return nil })
		cancel()
		d.mu.Lock()
		as.socketWriting = false
		if err != nil {
			d.log.Warn("agent's socket record not stored", zap.String("agent", id), zap.Bool("had_socket", has), zap.Error(err))
			return
		}
		as.hadSocket = has
	}
}

// AgentSnapshot is what an agent's welcome frame needs. Its JSON is its shape on
// the cluster's leader RPC (package cluster).
type AgentSnapshot struct {
	Agent    *store.Agent `json:"agent,omitempty"`
	Presence Presence     `json:"presence"`
	Shift    Shift        `json:"shift"`
	// Conversations are the open ones assigned to the agent.
	Conversations []*store.Conversation `json:"conversations"`
	// Sites are the statuses of the sites it serves, by id.
	Sites map[string]Status `json:"sites"`
	// Queues are the queue lengths of those sites.
	Queues map[string]int `json:"queues"`
	// SiteNames are the names of those sites.
	SiteNames map[string]string `json:"site_names"`
	// Departments are the departments of those sites that have some, in position
	// order, with their statuses and queue lengths.
	Departments map[string][]DepartmentStatus `json:"departments,omitempty"`
}

// AgentConnected counts a new socket of the agent and returns its snapshot.
func (d *Desk) AgentConnected(agentID string) (AgentSnapshot, error) {
	return d.ConnectAgent(agentID, nil)
}

// ConnectAgent is AgentConnected that also hands the snapshot to welcome, with the
// desk's lock held, before the changes this socket brings (sites coming online,
// queued chats assigned to it) are announced: so the agent's welcome comes before
// those frames. welcome must only queue frames (no store I/O: see Desk.mu); the
// socket's record (Agent.HadSocket) is written after the lock is released.
func (d *Desk) ConnectAgent(agentID string, welcome func(AgentSnapshot)) (AgentSnapshot, error) {
	d.mu.Lock()
	defer d.unlock()
	as := d.agents[agentID]
	if as == nil {
		return AgentSnapshot{}, store.ErrNotFound
	}
	now := d.clock.Now()
	as.sockets++
	stopTimer(as.grace)
	as.grace = nil
	as.lostAt = time.Time{}
	as.lastActivity = now
	d.armIdleLocked(as, now)
	snap := AgentSnapshot{Agent: as.agent, Presence: as.presence, Shift: d.shiftLocked(as, now),
		Sites: map[string]Status{}, Queues: map[string]int{}, SiteNames: map[string]string{}, Departments: map[string][]DepartmentStatus{}}
	for _, cs := range d.convs {
		if cs.conv.State == store.StateOpen && cs.conv.AgentID == agentID && !cs.pending {
			c := *cs.conv
			snap.Conversations = append(snap.Conversations, &c)
		}
	}
	for id, ss := range d.sites {
		if as.agent.Serves(id) {
			snap.Sites[id] = ss.status
			snap.Queues[id] = ss.queued()
			if deps := d.departmentsLocked(ss); deps != nil {
				snap.Departments[id] = deps
			}
			snap.SiteNames[id] = ss.site.Name
		}
	}
	if welcome != nil {
		welcome(snap)
	}
	if as.sockets == 1 {
		d.recordSocketLocked(as, true)
		d.refreshSitesOfLocked(as, now)
		d.drainForAgentLocked(as, now)
	}
	return snap, nil
}

// AgentDisconnected counts a socket gone. With the last one gone the agent stays
// available for the disconnect grace, then the sites it serves are re-evaluated.
func (d *Desk) AgentDisconnected(agentID string) {
	d.mu.Lock()
	defer d.unlock()
	as := d.agents[agentID]
	if as == nil || as.sockets == 0 {
		return
	}
	as.sockets--
	if as.sockets > 0 {
		return
	}
	now := d.clock.Now()
	as.lostAt = now
	stopTimer(as.idleTimer)
	as.idleTimer = nil
	as.grace = d.after(now.Add(d.grace), func(now time.Time) { d.graceOverLocked(as, now) })
}

// SetPresence sets the presence an agent chose (reason manual) or an admin set
// (reason admin); it is kept in the store and survives restarts.
func (d *Desk) SetPresence(ctx context.Context, agentID, status, reason string) (Presence, error) {
	d.mu.Lock()
	as := d.agents[agentID]
	d.unlock()
	if as == nil {
		return Presence{}, store.ErrNotFound
	}
	// The write is made without mu, under the agent's presenceMu: two calls for one
	// agent store and apply in the same order, and other decisions go on meanwhile.
	mu := &as.presenceMu
	mu.Lock()
	defer mu.Unlock()
	d.mu.Lock()
	stored := as.agent.Presence
	d.unlock()
	if stored != status {
		if _, err := d.store.UpdateAgent(ctx, agentID, func(a *store.Agent) error { a.Presence = status; return nil }); err != nil {
			return Presence{}, err
		}
	}
	d.mu.Lock()
	defer d.unlock()
	as = d.agents[agentID] // the same state, unless the agent was deleted and added again
	if as == nil {
		return Presence{}, store.ErrNotFound // deleted during the write
	}
	if as.agent.Presence != status {
		// Only the field written: an edit the API made meanwhile reaches the desk
		// through AgentChanged, and a copy read back here could be older than it.
		a := *as.agent
		a.Presence = status
		as.agent = &a
	}
	now := d.clock.Now()
	as.lastActivity = now
	d.setPresenceLocked(as, Presence{Status: status, Reason: reason}, now)
	// The idle timer lapses while the agent is not online: arm it again, or an agent
	// back from a long manual away would never go idle until its next activity.
	d.armIdleLocked(as, now)
	return as.presence, nil
}

func (d *Desk) setPresenceLocked(as *agentState, p Presence, now time.Time) {
	if as.presence == p {
		return
	}
	as.presence = p
	d.notify.Presence(as.agent.ID, p)
	d.refreshSitesOfLocked(as, now)
	if p.Status == store.PresenceOnline {
		d.drainForAgentLocked(as, now)
	}
}

// Activity records that the agent did something (an activity, message or typing
// frame). An agent that went away because it was idle comes back online.
func (d *Desk) Activity(agentID string) {
	d.mu.Lock()
	defer d.unlock()
	as := d.agents[agentID]
	if as == nil {
		return
	}
	now := d.clock.Now()
	as.lastActivity = now
	if as.presence.Status == store.PresenceAway && as.presence.Reason == PresenceReasonIdle {
		d.setPresenceLocked(as, Presence{Status: store.PresenceOnline, Reason: PresenceReasonActive}, now)
	}
	d.armIdleLocked(as, now)
}

// armIdleLocked makes sure a timer waits for the agent's idle deadline. The timer is
// not moved on every activity: when it fires early it re-arms for the rest.
func (d *Desk) armIdleLocked(as *agentState, now time.Time) {
	if as.agent.IdleMinutes <= 0 || as.idleTimer != nil || as.sockets == 0 {
		return
	}
	idle := time.Duration(as.agent.IdleMinutes) * time.Minute
	as.idleTimer = d.after(as.lastActivity.Add(idle), func(now time.Time) {
		as.idleTimer = nil
		if d.agents[as.agent.ID] != as || as.sockets == 0 {
			return
		}
		if deadline := as.lastActivity.Add(idle); now.Before(deadline) {
			d.armIdleLocked(as, now)
			return
		}
		if as.presence.Status == store.PresenceOnline {
			d.setPresenceLocked(as, Presence{Status: store.PresenceAway, Reason: PresenceReasonIdle}, now)
		}
	})
}

// AgentChanged takes an edited agent (schedule, sites, limits) or a new one.
func (d *Desk) AgentChanged(a *store.Agent) {
	d.mu.Lock()
	defer d.unlock()
	now := d.clock.Now()
	as := d.agents[a.ID]
	existed := as != nil
	if !existed {
		as = &agentState{agent: a, presence: Presence{Status: a.Presence, Reason: PresenceReasonStart}}
		if as.presence.Status == "" {
			as.presence.Status = store.PresenceOnline
		}
		d.agents[a.ID] = as
	}
	var before Shift
	was := as.onShift
	if existed {
		before = d.shiftLocked(as, now)
	}
	as.agent = a
	d.compileAgentHoursLocked(as)
	sh := d.armShiftLocked(as, now)
	// A schedule edit can end the shift or move its end: tell the agent at once.
	if existed && was && !sh.OnShift {
		d.notify.ShiftEnded(a.ID)
	}
	if existed && !before.equal(sh) {
		d.notify.Shift(a.ID, sh)
	}
	stopTimer(as.idleTimer)
	as.idleTimer = nil
	d.armIdleLocked(as, now)
	for id := range d.sites {
		d.refreshSiteLocked(id, now)
	}
	d.drainForAgentLocked(as, now)
}

// AgentDeleted forgets an agent. Its open conversations stay open; nobody new is
// routed to it.
func (d *Desk) AgentDeleted(agentID string) {
	d.mu.Lock()
	defer d.unlock()
	as := d.agents[agentID]
	if as == nil {
		return
	}
	as.stopTimers()
	delete(d.agents, agentID)
	now := d.clock.Now()
	for id := range d.sites {
		d.refreshSiteLocked(id, now)
	}
}

// Agent returns the desk's copy of an agent (nil when unknown); do not change it.
func (d *Desk) Agent(agentID string) *store.Agent {
	d.mu.Lock()
	defer d.unlock()
	if as := d.agents[agentID]; as != nil {
		return as.agent
	}
	return nil
}
