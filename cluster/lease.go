package cluster

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/livedesk/gateway/internal/rediserr"
)

// Defaults of LeaseOptions.
const (
	DefaultLeaseTTL = 5 * time.Second
	// DefaultLeaseRenew is the default renewal period when TTL is the default; a
	// TTL set without Renew renews every TTL/5.
	DefaultLeaseRenew = DefaultLeaseTTL / 5
)

// LeaseReleased is the payload published on LeaseChannel(prefix) when a leader
// gives its lease up (Lease.Stop): nodes that receive it should call TryNow.
const LeaseReleased = "released"

// LeaseChannel returns the Pub/Sub channel on which releases of the lease under
// prefix are announced: prefix + "lease".
func LeaseChannel(prefix string) string { return prefix + "lease" }

// LeaseOptions configure a Lease. Zero durations take the defaults.
type LeaseOptions struct {
	// TTL is how long the lease lasts in Redis without renewal (default 5 s). It
	// bounds failover: a leader that dies is replaced within TTL + Renew.
	TTL time.Duration
	// Renew is how often the holder renews the lease and the other nodes try to
	// take it (default TTL/5). It is at most TTL/3: larger values are lowered to
	// TTL/3, so a leader survives at least one failed renewal.
	Renew time.Duration
	// OnAcquire is called, from the lease's goroutine, when this node has become
	// leader. epoch comes from an INCR in Redis, so it is strictly greater than the
	// epoch of every earlier acquisition by any node: use it as a fencing token.
	// Leader reports true (with epoch) before OnAcquire is called.
	OnAcquire func(epoch int64)
	// OnLose is called, from the lease's goroutine, when this node has stopped
	// being leader: its renewal was refused (another node holds the lease), or no
	// renewal has succeeded for TTL - Renew (measured on the local monotonic clock
	// from the sending of the last successful one, so the node steps down before
	// Redis can expire its lease and let another node in), or Stop was called. It
	// is called before the lease is released, so when it returns (it is
	// synchronous) the node must have stopped acting as leader. Leader reports
	// false before OnLose is called.
	//
	// OnAcquire and OnLose are never called concurrently and they alternate: an
	// OnAcquire, then an OnLose, then an OnAcquire... They run on the lease's
	// goroutine, which does nothing else meanwhile: OnAcquire must return well
	// within TTL - 2×Renew (the lease is not renewed while it runs), and a slow
	// OnLose only delays the node's next try. Neither may call Stop (that would
	// deadlock); TryNow and Leader are fine.
	OnLose func()
	Logger *zap.Logger
}

// Lease makes one node of those sharing a Redis database and key prefix the
// leader, and keeps it so until it stops, loses Redis or is judged gone.
//
// Keys, after the prefix:
//
//	leader        the leader's node id, PX TTL, renewed every Renew
//	leader:epoch  INCR counter: the epoch of the latest acquisition
//
// Acquiring (SET NX PX, then INCR), renewing (PEXPIRE if still ours) and
// releasing (DEL if still ours, then PUBLISH) are each one Lua script. A node
// that finds the leader key already holding its own id (a restart with the same
// id) acquires it at once, with a new epoch. With a Redis Cluster client use a
// hash-tag prefix such as "{ld}:", as both keys are used in one script.
//
// Promises, with TTL and Renew as configured and the nodes' monotonic clocks
// running at the same rate:
//   - at most one node is leader at a time: a leader steps down (OnLose) when its
//     last successful renewal is TTL - Renew old, before Redis lets the lease
//     expire, and on Stop it steps down before it releases the lease;
//   - a leader that dies (SIGKILL, lost network) is replaced within TTL + Renew
//     of its death (plus a round trip), if another node can reach Redis;
//   - a leader that stops (Stop) is replaced at once by nodes that call TryNow
//     when they receive LeaseReleased on LeaseChannel, and within Renew otherwise.
//
// Lease timing is real time (time.Ticker, time.Now), not the node's clock.Clock,
// so it behaves the same whatever clock the rest of the node runs on.
//
// Redis failures are logged at warn and retried at the next tick; they never stop
// the loop. The scripts may safely be retried by the client (a repeated acquire
// only takes one more epoch). A Lease runs once: Start after Stop does nothing.
// Its methods are safe for concurrent use.
type Lease struct {
	rdb    redis.UniversalClient
	prefix string
	node   string
	o      LeaseOptions
	log    *zap.Logger

	nudge chan struct{} // capacity 1: TryNow's wake-up
	stopc chan struct{} // closed by Stop
	done  chan struct{} // closed when the loop has returned

	// Stop runs startOnce (empty) before it reads started, so a Start racing it
	// either has finished setting started or never will.
	startOnce, stopOnce sync.Once
	started             bool

	// mu guards leader and epoch, which only the loop goroutine writes and Leader
	// reads. It is never held while calling Redis or the callbacks.
	mu     sync.Mutex
	leader bool
	epoch  int64
}

// NewLease returns the lease of node nodeID over c's database, under keys that
// start with prefix. It does nothing until Start.
func NewLease(c redis.UniversalClient, prefix, nodeID string, o LeaseOptions) *Lease {
	if o.TTL <= 0 {
		o.TTL = DefaultLeaseTTL
	}
	if o.TTL < 3*time.Millisecond {
		o.TTL = 3 * time.Millisecond // PX takes whole milliseconds
	}
	if o.Renew <= 0 {
		o.Renew = o.TTL / 5
	}
	log := o.Logger
	if log == nil {
		log = zap.NewNop()
	}
	log = log.With(zap.String("node", nodeID))
	if o.Renew > o.TTL/3 {
		log.Warn("lease: renew period above TTL/3; lowering it",
			zap.Duration("renew", o.Renew), zap.Duration("ttl", o.TTL))
		o.Renew = o.TTL / 3
	}
	return &Lease{rdb: c, prefix: prefix, node: nodeID, o: o, log: log,
		nudge: make(chan struct{}, 1), stopc: make(chan struct{}), done: make(chan struct{})}
}

// Start starts the lease's goroutine, which tries to acquire the lease at once
// and then every Renew, and renews it every Renew while it holds it. Calls after
// the first, or after Stop, do nothing.
func (l *Lease) Start() {
	l.startOnce.Do(func() {
		l.started = true
		go l.run()
	})
}

// Stop stops the lease's goroutine and waits for it. If the node was leader, it
// first steps down (OnLose), then deletes the lease key if it is still its own and
// publishes LeaseReleased on LeaseChannel, so the others can take over at once.
// A Redis call in flight is cancelled, but a client without
// ContextTimeoutEnabled may make Stop wait for its ReadTimeout. Stop may be called
// more than once, and before Start.
func (l *Lease) Stop() {
	l.stopOnce.Do(func() {
		l.startOnce.Do(func() {}) // a later Start does nothing
		close(l.stopc)
	})
	if l.started {
		<-l.done
	}
}

// TryNow makes the lease's goroutine try to acquire the lease right away instead
// of at its next tick (a holder renews instead). It never blocks: call it when
// LeaseReleased arrives on LeaseChannel.
func (l *Lease) TryNow() {
	select {
	case l.nudge <- struct{}{}:
	default:
	}
}

// Leader reports whether this node holds the lease now and, if so, the epoch it
// acquired it with (0 when it is not leader). It turns true just before OnAcquire
// and false just before OnLose.
func (l *Lease) Leader() (bool, int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.leader, l.epoch
}

// Holder returns the id of the node holding the lease under prefix in c's
// database now, or "" when nobody does. Failures to reach Redis are
// store.ErrUnavailable.
func Holder(ctx context.Context, c redis.UniversalClient, prefix string) (string, error) {
	id, err := c.Get(ctx, prefix+"leader").Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", rediserr.Wrap(ctx, "cluster", "lease holder", err)
	}
	return id, nil
}

// The lease scripts. KEYS[1] is the leader key, KEYS[2] the epoch counter;
// ARGV[1] is the node id, ARGV[2] the TTL in ms (or the channel, for release).

// leaseAcquireScript returns the new epoch when the node now holds the lease, 0
// when another node does.
var leaseAcquireScript = redis.NewScript(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return redis.call('INCR', KEYS[2])
end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return redis.call('INCR', KEYS[2])
end
return 0
`)

// leaseRenewScript returns 1 when the lease was the node's and is renewed, else 0.
var leaseRenewScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`)

// leaseReleaseScript deletes the lease and announces it when it was the node's
// (returns 1), else returns 0.
var leaseReleaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('PUBLISH', ARGV[2], '` + LeaseReleased + `')
  return 1
end
return 0
`)

// leaseOp is what a call of the loop does.
type leaseOp int

const (
	leaseAcquire leaseOp = iota
	leaseRenew
)

func (op leaseOp) String() string {
	if op == leaseRenew {
		return "renew"
	}
	return "acquire"
}

// leaseResult is the outcome of one call: the script's answer or err, and when the
// call was sent (the instant a successful answer counts from).
type leaseResult struct {
	op   leaseOp
	n    int64
	err  error
	sent time.Time
}

// leaseLoop is the state of the lease's goroutine, owned by it alone.
type leaseLoop struct {
	ctx     context.Context // cancelled when stopping: ends the call in flight
	leader  bool
	mayHold bool               // Redis may hold the lease under our id (leader, or a call's outcome unknown)
	pending <-chan leaseResult // the call in flight; at most one at a time, so calls stay in order
	again   bool               // a TryNow came during the call in flight: try once more after it
	demote  *time.Timer        // while leader: fires at last successful renewal + TTL - Renew
	until   time.Time          // when demote fires
}

func (l *Lease) run() {
	defer close(l.done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := &leaseLoop{ctx: ctx, demote: time.NewTimer(time.Hour)}
	s.demote.Stop()
	defer s.demote.Stop()
	tick := time.NewTicker(l.o.Renew)
	defer tick.Stop()
	l.begin(s)
	for {
		select {
		case <-l.stopc:
			cancel()
			l.shutdown(s)
			return
		default:
		}
		select {
		case <-l.stopc: // handled above
		case <-tick.C:
			l.begin(s)
		case <-l.nudge:
			if s.pending != nil {
				s.again = true
			} else {
				l.begin(s)
			}
		case r := <-s.pending:
			s.pending = nil
			l.settle(s, r)
			if s.again && !s.leader {
				l.begin(s)
			}
			s.again = false
		case <-s.demote.C:
			switch {
			case !s.leader: // stale
			case time.Now().Before(s.until):
				s.demote.Reset(time.Until(s.until))
			default:
				l.lose(s, "no successful renewal for TTL - Renew")
			}
		}
	}
}

// begin starts the next call (renew when leader, else acquire) unless one is in
// flight. The call runs on its own goroutine so that the loop can still step down
// on time when Redis hangs longer than the client's timeouts allow for.
func (l *Lease) begin(s *leaseLoop) {
	if s.pending != nil {
		return
	}
	op, script := leaseAcquire, leaseAcquireScript
	if s.leader {
		op, script = leaseRenew, leaseRenewScript
	}
	ch := make(chan leaseResult, 1)
	s.pending = ch
	keys := []string{l.prefix + "leader", l.prefix + "leader:epoch"}
	ttl := max(l.o.TTL.Milliseconds(), 1)
	go func() {
		ctx, cancel := context.WithTimeout(s.ctx, l.o.Renew)
		defer cancel()
		sent := time.Now()
		n, err := script.Run(ctx, l.rdb, keys, l.node, ttl).Int64()
		if err != nil {
			err = rediserr.Wrap(ctx, "cluster", "lease "+op.String(), err)
		}
		ch <- leaseResult{op: op, n: n, err: err, sent: sent}
	}()
}

// settle applies the outcome of a call.
func (l *Lease) settle(s *leaseLoop, r leaseResult) {
	if r.err != nil {
		s.mayHold = true // it may have run
		if s.ctx.Err() == nil {
			l.log.Warn("lease: redis call failed; retrying at the next tick", zap.Error(r.err))
		}
		return
	}
	until := r.sent.Add(l.o.TTL - l.o.Renew)
	switch {
	case r.op == leaseAcquire && r.n > 0:
		s.mayHold = true
		if !time.Now().Before(until) {
			l.log.Warn("lease: acquired too late to use; retrying at the next tick",
				zap.Duration("took", time.Since(r.sent)))
			return
		}
		s.leader, s.until = true, until
		s.demote.Reset(time.Until(until))
		l.mu.Lock()
		l.leader, l.epoch = true, r.n
		l.mu.Unlock()
		l.log.Info("lease: became leader", zap.Int64("epoch", r.n))
		if l.o.OnAcquire != nil {
			l.o.OnAcquire(r.n)
		}
	case r.op == leaseAcquire:
		s.mayHold = false // another node holds it
	case r.n == 1: // renewed
		s.mayHold = true
		if s.leader { // else it stepped down while the renewal was in flight
			s.until = until
			s.demote.Reset(time.Until(until))
		}
	default: // renewal refused: the key is gone or another node's
		s.mayHold = false
		if s.leader {
			l.lose(s, "renewal refused")
		}
	}
}

// lose steps down: Leader turns false, then OnLose is called.
func (l *Lease) lose(s *leaseLoop, why string) {
	s.leader = false
	s.demote.Stop()
	l.mu.Lock()
	l.leader, l.epoch = false, 0
	l.mu.Unlock()
	l.log.Info("lease: no longer leader", zap.String("why", why))
	if l.o.OnLose != nil {
		l.o.OnLose()
	}
}

// shutdown ends the loop for Stop: step down if leader, let the call in flight
// finish (its context is cancelled), then release the lease if it may be ours.
func (l *Lease) shutdown(s *leaseLoop) {
	wasLeader := s.leader
	if s.leader {
		l.lose(s, "stopping")
	}
	if s.pending != nil { // its outcome only tells whether Redis may hold our id
		r := <-s.pending
		s.pending = nil
		s.mayHold = r.err != nil || r.n > 0
	}
	if !wasLeader && !s.mayHold {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), l.o.TTL)
	defer cancel()
	n, err := leaseReleaseScript.Run(ctx, l.rdb, []string{l.prefix + "leader"}, l.node, LeaseChannel(l.prefix)).Int64()
	switch {
	case err != nil:
		l.log.Warn("lease: release failed; the lease expires on its own",
			zap.Error(rediserr.Wrap(ctx, "cluster", "lease release", err)))
	case n == 1:
		l.log.Info("lease: released")
	}
}
