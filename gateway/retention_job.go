package gateway

import (
	"context"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/livedesk/gateway/clock"
	"github.com/livedesk/gateway/store"
)

// RetentionOptions configures the retention job (docs/operations.md#retention).
// Zero fields take the defaults.
type RetentionOptions struct {
	// Interval is the time from the end of one run to the start of the next
	// (default DefaultRetentionInterval); the first run starts one Interval
	// after Start.
	Interval time.Duration
	// Batch is how many records one store call deletes at most (default
	// store.DefaultPurgeLimit).
	Batch int
	// Pause is the time between two batches of a run (default
	// DefaultRetentionPause), which leaves the store to the chats meanwhile.
	Pause time.Duration
}

// Defaults of RetentionOptions.
const (
	DefaultRetentionInterval = 5 * time.Minute
	DefaultRetentionPause    = 200 * time.Millisecond
	// retentionCallTimeout bounds one store call of the job.
	retentionCallTimeout = 10 * time.Second
)

// withDefaults fills in the zero fields.
func (o RetentionOptions) withDefaults() RetentionOptions {
	if o.Interval <= 0 {
		o.Interval = DefaultRetentionInterval
	}
	if o.Batch <= 0 {
		o.Batch = store.DefaultPurgeLimit
	}
	o.Batch = store.PurgeLimit(o.Batch)
	if o.Pause <= 0 {
		o.Pause = DefaultRetentionPause
	}
	return o
}

// retentionJob deletes what the sites keep no longer than their retention_days
// (docs/protocol.md#retention). A run lists the sites, and for each one with
// retention_days set calls store.PurgeExpired with the cutoff now - days until a
// call deletes less than a batch, pausing between batches. Everything is timed on
// the injected clock: each batch is a timer callback (on a fake clock, the
// callbacks run inside Advance).
//
// In a cluster every node has the job, and only the leader's runs: a node checks
// before each run and each batch that it leads, so a new leader takes over at its
// next run. Two nodes that both believe for a moment that they lead only delete
// the same records twice, which is harmless. A store error ends the run (logged,
// counted); the next run starts from the beginning.
//
// Lock rule: mu guards the fields below it; it is held while a batch runs, so
// stop waits for the batch under way. A callback that finds stopped set returns.
type retentionJob struct {
	store store.Store
	clock clock.Clock
	log   *zap.Logger
	o     RetentionOptions
	// leads reports whether this node may run (nil: always, a single node).
	leads   func() bool
	metrics *retentionMetrics

	mu      sync.Mutex
	stopped bool
	started bool
	timer   clock.Timer
	ctx     context.Context // ends at stop
	cancel  context.CancelFunc
	run     *retentionRun // the run under way; nil between runs
}

// retentionRun is the state of one run: the sites left and their cutoffs.
type retentionRun struct {
	start   time.Time
	sites   []retentionSite
	deleted store.PurgeCounts
}

// retentionSite is one site of a run with its cutoff.
type retentionSite struct {
	id     string
	before time.Time
}

// newRetentionJob makes the job; start runs it.
func newRetentionJob(st store.Store, clk clock.Clock, log *zap.Logger, o RetentionOptions, m *retentionMetrics) *retentionJob {
	ctx, cancel := context.WithCancel(context.Background())
	return &retentionJob{store: st, clock: clk, log: log, o: o.withDefaults(), metrics: m, ctx: ctx, cancel: cancel}
}

// start arms the first run. leads, when not nil, says whether this node leads.
func (j *retentionJob) start(leads func() bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.stopped || j.started {
		return
	}
	j.started, j.leads = true, leads
	j.timer = j.clock.AfterFunc(j.o.Interval, j.beginRun)
}

// stop ends the job: no batch starts after it returns, and the one under way (if
// any) has ended. What was not deleted yet goes at a later start.
func (j *retentionJob) stop() {
	j.cancel() // a store call under way gives up
	j.mu.Lock()
	defer j.mu.Unlock()
	j.stopped = true
	if j.timer != nil {
		j.timer.Stop()
	}
	if j.run != nil {
		j.metrics.running.Set(0)
	}
}

// beginRun starts a run: it lists the sites with retention_days set, then runs the
// first batch.
func (j *retentionJob) beginRun() {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.stopped {
		return
	}
	if j.leads != nil && !j.leads() {
		j.timer = j.clock.AfterFunc(j.o.Interval, j.beginRun) // another node runs it
		return
	}
	now := j.clock.Now()
	ctx, cancel := context.WithTimeout(j.ctx, retentionCallTimeout)
	sites, err := j.store.ListSites(ctx)
	cancel()
	if err != nil {
		j.failLocked(now, "cannot list the sites", err)
		return
	}
	run := &retentionRun{start: now}
	for _, s := range sites {
		if s.RetentionDays != nil {
			run.sites = append(run.sites, retentionSite{id: s.ID, before: now.Add(-time.Duration(*s.RetentionDays) * 24 * time.Hour)})
		}
	}
	j.run = run
	j.metrics.running.Set(1)
	j.metrics.runDeleted.Set(0)
	j.stepLocked()
}

// step runs the next batch of the run under way.
func (j *retentionJob) step() {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.stopped || j.run == nil {
		return
	}
	j.stepLocked()
}

// stepLocked runs one batch of the first site left, then arms the next batch
// (after Pause, when the batch was full) or goes on to the next site, and ends the
// run when no site is left.
func (j *retentionJob) stepLocked() {
	run := j.run
	for len(run.sites) > 0 {
		j.metrics.sitesLeft.Set(float64(len(run.sites)))
		if j.leads != nil && !j.leads() {
			j.log.Info("retention: no longer leading; the new leader takes over")
			j.endLocked(retentionHandedOver)
			return
		}
		site := run.sites[0]
		ctx, cancel := context.WithTimeout(j.ctx, retentionCallTimeout)
		got, err := j.store.PurgeExpired(ctx, site.id, site.before, j.o.Batch)
		cancel()
		run.deleted = run.deleted.Add(got)
		j.metrics.count(got, run.deleted)
		if err != nil {
			j.failLocked(run.start, "purge of site "+site.id+" failed", err)
			return
		}
		if got.Total() >= j.o.Batch { // maybe more: the next batch after a pause
			j.timer = j.clock.AfterFunc(j.o.Pause, j.step)
			return
		}
		run.sites = run.sites[1:]
	}
	j.metrics.sitesLeft.Set(0)
	if d := run.deleted; d.Total() > 0 {
		j.log.Info("retention: run done", zap.Int("conversations", d.Conversations),
			zap.Int("messages", d.Messages), zap.Int("offline_messages", d.Offline))
	}
	j.endLocked(retentionOK)
}

// failLocked logs a store error, ends the run and arms the next one.
func (j *retentionJob) failLocked(start time.Time, what string, err error) {
	if j.stopped || j.ctx.Err() != nil {
		return // stopping: not a failure of the store
	}
	j.log.Warn("retention: "+what+"; retried at the next run", zap.Error(err))
	if j.run == nil {
		j.run = &retentionRun{start: start}
	}
	j.endLocked(retentionError)
}

// endLocked records the end of the run under way and arms the next one.
func (j *retentionJob) endLocked(result string) {
	now := j.clock.Now()
	if j.run != nil {
		j.metrics.ended(result, now, now.Sub(j.run.start))
	}
	j.run = nil
	j.metrics.running.Set(0)
	j.metrics.sitesLeft.Set(0)
	j.timer = j.clock.AfterFunc(j.o.Interval, j.beginRun)
}
