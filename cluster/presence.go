package cluster

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/livedesk/gateway/clock"
)

// Defaults of PresenceOptions.
const (
	DefaultHeartbeat = 5 * time.Second
	DefaultTTL       = 15 * time.Second
)

// PresenceOptions configure a Presence. Zero values take the defaults.
type PresenceOptions struct {
	// Heartbeat is how often the node renews its liveness and reaps dead nodes
	// (default 5 s).
	Heartbeat time.Duration
	// TTL is how long a node that misses its heartbeats stays alive (default 15 s).
	// Keep it at least two heartbeats, so one slow beat does not kill a node.
	TTL    time.Duration
	Logger *zap.Logger
	// OnChange is called (on the node that observes it: locally, or when reaping a
	// dead node) when an agent's total live sockets across all live nodes goes from
	// 0 to >0 (live > 0, lostAt zero) or from >0 to 0 (live 0, lostAt when it was
	// lost). It is called with no lock held, but must not block.
	OnChange func(agentID string, live int, lostAt time.Time)
}

// AgentLive is an agent's presence: its live sockets across all live nodes and,
// when it has none, when it lost the last one (zero when unknown or long ago).
type AgentLive struct {
	Live   int
	LostAt time.Time
}

// Presence is one node's view of the agents' sockets on every node (see doc.go).
// It is safe for concurrent use.
type Presence struct {
	rdb    redis.UniversalClient
	prefix string
	node   string
	clk    clock.Clock
	o      PresenceOptions
	log    *zap.Logger

	// wmu is held shared by AddSocket and RemoveSocket from their local update to
	// the end of their Redis call, and exclusively by a heartbeat and Leave, so those
	// see local counts that match what Redis was told.
	wmu sync.RWMutex

	mu      sync.Mutex     // guards what follows
	local   map[string]int // this node's sockets per agent, as AddSocket/RemoveSocket were told
	dirty   bool           // Redis may not match local: rewrite our counts at the next beat
	running bool           // between Start and Stop
	gen     int            // bumped by Start and Stop; a beat of an older gen does nothing
	timer   clock.Timer    // the next heartbeat
}

// NewPresence returns the presence of node nodeID, kept in c's database under keys
// that start with prefix. It does nothing until Start.
func NewPresence(c redis.UniversalClient, prefix, nodeID string, clk clock.Clock, o PresenceOptions) *Presence {
	if o.Heartbeat <= 0 {
		o.Heartbeat = DefaultHeartbeat
	}
	if o.TTL <= 0 {
		o.TTL = DefaultTTL
	}
	log := o.Logger
	if log == nil {
		log = zap.NewNop()
	}
	return &Presence{rdb: c, prefix: prefix, node: nodeID, clk: clk, o: o,
		log: log.With(zap.String("node", nodeID)), local: map[string]int{}}
}

// Start writes the node's liveness and this node's counts (replacing any left by an
// earlier process with the same node id), and arms the heartbeat on the clock. When
// Redis cannot be reached it returns the error but arms the heartbeat all the same:
// the node catches up when Redis returns.
func (p *Presence) Start(ctx context.Context) error {
	p.mu.Lock()
	if p.running {
		p.mu.Unlock()
		return errors.New("cluster: presence already started")
	}
	p.running, p.dirty = true, true
	p.gen++
	gen := p.gen
	p.mu.Unlock()
	err := p.beat(ctx, gen)
	p.mu.Lock()
	if p.running && p.gen == gen {
		p.arm(gen)
	}
	p.mu.Unlock()
	return err
}

// Stop stops the heartbeats. It does not remove the node, whose sockets stay counted
// until its liveness runs out and another node reaps it (use Leave to shut down
// cleanly). A beat already running finishes without arming another.
func (p *Presence) Stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.running = false
	p.gen++
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
}

// Leave stops the heartbeats and removes the node: its counts of every agent, then
// its liveness. Agents left with no live socket get lostAt = now and OnChange.
func (p *Presence) Leave(ctx context.Context) error {
	p.Stop()
	p.wmu.Lock()
	res, err := presLeaveScript.Run(ctx, p.rdb, p.keys(), p.args(p.clk.Now())...).Slice()
	if err == nil {
		p.mu.Lock()
		p.local, p.dirty = map[string]int{}, false
		p.mu.Unlock()
	}
	p.wmu.Unlock()
	if err != nil {
		return presWrap(ctx, "leave", err)
	}
	p.notify(res)
	return nil
}

// AddSocket counts one more socket of the agent on this node and returns the
// agent's live sockets on all live nodes afterwards. The change is kept locally even
// when Redis fails (the error is then store.ErrUnavailable): the next heartbeat that
// reaches Redis writes it, so do not undo it with RemoveSocket unless the socket
// closes.
func (p *Presence) AddSocket(ctx context.Context, agentID string) (int, error) {
	return p.change(ctx, "add socket", agentID, +1)
}

// RemoveSocket counts one socket less of the agent on this node (never below 0) and
// returns the agent's live sockets afterwards. When that reaches 0 the agent's
// lostAt becomes now. Failures are as for AddSocket.
func (p *Presence) RemoveSocket(ctx context.Context, agentID string) (int, error) {
	return p.change(ctx, "remove socket", agentID, -1)
}

func (p *Presence) change(ctx context.Context, op, agent string, delta int) (int, error) {
	p.wmu.RLock()
	p.mu.Lock()
	if n := p.local[agent] + delta; n > 0 {
		p.local[agent] = n
	} else {
		delete(p.local, agent)
	}
	p.mu.Unlock()
	now := p.clk.Now()
	args := append(p.args(now), agent, delta, presMs(now.Add(p.o.TTL)), (2 * p.o.TTL).Milliseconds())
	res, err := presAddScript.Run(ctx, p.rdb, p.keys(), args...).Int64Slice()
	if err != nil || len(res) != 3 || res[1] == 1 {
		p.mu.Lock()
		p.dirty = true
		p.mu.Unlock()
	}
	p.wmu.RUnlock()
	if err != nil {
		return 0, presWrap(ctx, op, err)
	}
	if len(res) != 3 {
		return 0, fmt.Errorf("cluster: %s: script answered %v", op, res)
	}
	if res[1] == 1 {
		p.log.Warn("presence: node had been judged dead; rewriting its counts at the next heartbeat")
	}
	live := int(res[0])
	if res[2] == 1 && p.o.OnChange != nil {
		lost := time.Time{}
		if live == 0 {
			lost = time.UnixMilli(presMs(now))
		}
		p.o.OnChange(agent, live, lost)
	}
	return live, nil
}

// Agent returns the agent's live sockets on live nodes (a dead node counts for
// nothing, reaped or not) and, when it has none, when it lost the last one.
func (p *Presence) Agent(ctx context.Context, agentID string) (live int, lostAt time.Time, err error) {
	res, err := presReadScript.Run(ctx, p.rdb, p.keys(), append(p.args(p.clk.Now()), agentID)...).Slice()
	if err != nil {
		return 0, time.Time{}, presWrap(ctx, "agent", err)
	}
	all := presTriples(res)
	a := all[agentID]
	return a.Live, a.LostAt, nil
}

// All returns every agent with live sockets or a lostAt, for rebuilding a node's
// view when it starts.
func (p *Presence) All(ctx context.Context) (map[string]AgentLive, error) {
	res, err := presReadScript.Run(ctx, p.rdb, p.keys(), p.args(p.clk.Now())...).Slice()
	if err != nil {
		return nil, presWrap(ctx, "all", err)
	}
	all := presTriples(res)
	for a, v := range all {
		if v.Live == 0 && v.LostAt.IsZero() {
			delete(all, a)
		}
	}
	return all, nil
}

// arm schedules the next heartbeat of generation gen. p.mu is held.
func (p *Presence) arm(gen int) {
	p.timer = p.clk.AfterFunc(p.o.Heartbeat, func() {
		ctx, cancel := context.WithTimeout(context.Background(), p.o.Heartbeat)
		err := p.beat(ctx, gen)
		cancel()
		if err != nil {
			p.log.Warn("presence: heartbeat failed; retrying at the next one", zap.Error(err))
		}
		p.mu.Lock()
		if p.running && p.gen == gen {
			p.arm(gen)
		}
		p.mu.Unlock()
	})
}

// beat runs one heartbeat (renew, rewrite our counts if needed, reap) unless gen is
// no longer current, and calls OnChange for what it changed.
func (p *Presence) beat(ctx context.Context, gen int) error {
	p.wmu.Lock()
	p.mu.Lock()
	if !p.running || p.gen != gen {
		p.mu.Unlock()
		p.wmu.Unlock()
		return nil
	}
	force := p.dirty
	p.dirty = false
	now := p.clk.Now()
	rewrite := "0"
	if force {
		rewrite = "1"
	}
	args := append(p.args(now), presMs(now.Add(p.o.TTL)), (2 * p.o.TTL).Milliseconds(), rewrite)
	for a, n := range p.local {
		args = append(args, a, n)
	}
	p.mu.Unlock()
	res, err := presHeartbeatScript.Run(ctx, p.rdb, p.keys(), args...).Slice()
	if err != nil {
		p.mu.Lock()
		p.dirty = p.dirty || force
		p.mu.Unlock()
	}
	p.wmu.Unlock()
	if err != nil {
		return presWrap(ctx, "heartbeat", err)
	}
	if len(res) < 2 {
		return fmt.Errorf("cluster: heartbeat: script answered %v", res)
	}
	stale, _ := res[0].(int64)
	n, _ := res[1].(int64)
	if stale == 1 {
		p.log.Warn("presence: node had been judged dead; rewrote its counts")
	}
	if int(n) > len(res)-2 {
		return fmt.Errorf("cluster: heartbeat: script answered %v", res)
	}
	for _, id := range res[2 : 2+n] {
		p.log.Info("presence: reaped a dead node", zap.Any("dead", id))
	}
	p.notify(res[2+n:])
	return nil
}

// notify calls OnChange for each agent, live, lostAt triple of a script's answer.
func (p *Presence) notify(res []any) {
	if p.o.OnChange == nil {
		return
	}
	for i := 0; i+2 < len(res); i += 3 {
		a, _ := res[i].(string)
		live, _ := res[i+1].(int64)
		p.o.OnChange(a, int(live), presFromMs(res[i+2]))
	}
}

func (p *Presence) keys() []string { return []string{p.prefix + "nodes"} }

// args are the ARGV every script starts with (see presence_scripts.go).
func (p *Presence) args(now time.Time) []any { return []any{p.prefix, presMs(now), p.node} }
