package notify

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/livedesk/gateway/clock"
	"github.com/livedesk/gateway/store"
)

// Mailer sends one e-mail (SMTP implements it).
type Mailer interface {
	Send(ctx context.Context, e *Email) error
}

// WorkerOptions configures a Worker. Store, Clock and Webhooks are required.
type WorkerOptions struct {
	Store    store.Store
	Clock    clock.Clock
	Log      *zap.Logger
	Webhooks *Webhooks
	// Mailer is nil when no SMTP server is configured: e-mail items then fail their
	// attempts with that reason (they are not made in the first place; see Outbox).
	Mailer Mailer
	// Claims default to LocalClaims; a cluster passes RedisClaims.
	Claims Claims
	// Concurrency is how many deliveries run at once (default 4).
	Concurrency int
	// Poll is how often the worker looks for items it was not woken for: items
	// written by other nodes (default 2 s).
	Poll time.Duration
	// AttemptTimeout bounds one delivery (default 40 s: above the SMTP and
	// webhook timeouts); a claim lasts this plus a margin.
	AttemptTimeout time.Duration
	// Backoff is the retry policy (defaults: 10 s doubling to 1 h, for 24 h).
	Backoff Backoff
	// Metrics, when set, counts deliveries and failures.
	Metrics *Metrics
}

// Worker delivers due notifications from the store's outbox, at least once each:
// an item is marked delivered only after its receiver accepted it, so a crash in
// between sends it again (with the same id).
//
// Lock rule: mu guards inflight, running and stopped; no I/O under it.
type Worker struct {
	o    WorkerOptions
	log  *zap.Logger
	wake chan struct{}
	sem  chan struct{}

	mu       sync.Mutex
	inflight map[string]struct{}
	stopped  bool
	cancel   context.CancelFunc
	loopDone chan struct{}
	// attemptCtx is cancelled (cancelAttempts) when attempts must stop: it is
	// separate from the loop's context so that Drain can stop the loop first.
	attemptCtx     context.Context
	cancelAttempts context.CancelFunc
	attempts       sync.WaitGroup
}

// NewWorker returns a stopped worker; Start runs it.
func NewWorker(o WorkerOptions) *Worker {
	if o.Log == nil {
		o.Log = zap.NewNop()
	}
	if o.Claims == nil {
		o.Claims = NewLocalClaims()
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.Poll <= 0 {
		o.Poll = 2 * time.Second
	}
	if o.AttemptTimeout <= 0 {
		o.AttemptTimeout = 40 * time.Second
	}
	if o.Backoff.Base <= 0 {
		o.Backoff.Base = DefaultBaseDelay
	}
	if o.Backoff.Max <= 0 {
		o.Backoff.Max = DefaultMaxDelay
	}
	if o.Backoff.Window <= 0 {
		o.Backoff.Window = DefaultRetryWindow
	}
	if o.Backoff.Jitter == nil {
		o.Backoff.Jitter = rand.Float64
	}
	return &Worker{o: o, log: o.Log, wake: make(chan struct{}, 1), sem: make(chan struct{}, o.Concurrency),
		inflight: map[string]struct{}{}}
}

// Start runs the delivery loop until Stop or Drain.
func (w *Worker) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	actx, acancel := context.WithCancel(context.Background())
	w.mu.Lock()
	w.cancel, w.loopDone = cancel, make(chan struct{})
	w.attemptCtx, w.cancelAttempts = actx, acancel
	w.mu.Unlock()
	go w.loop(ctx)
}

// Stop ends the loop and cancels the attempts in flight, then waits for them.
// Items not delivered stay pending for the next start (or another node).
func (w *Worker) Stop() { w.Drain(0) }

// Drain ends the loop, makes one last round of the items due now and lets the
// attempts in flight finish, for at most d; what is still running then is cancelled
// (and stays pending). It is the outbox's part of a graceful shutdown.
func (w *Worker) Drain(d time.Duration) {
	w.mu.Lock()
	if w.stopped || w.cancel == nil {
		w.stopped = true
		w.mu.Unlock()
		return
	}
	w.stopped = true
	cancel, done := w.cancel, w.loopDone
	w.mu.Unlock()
	cancel()
	<-done
	if d > 0 {
		ctx, stop := context.WithTimeout(context.Background(), d)
		w.round(ctx)
		finished := make(chan struct{})
		go func() { w.attempts.Wait(); close(finished) }()
		select {
		case <-finished:
		case <-ctx.Done():
		}
		stop()
	}
	w.cancelAttempts()
	w.attempts.Wait()
}

// Wake makes the worker look for due items now (something was just stored).
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *Worker) loop(ctx context.Context) {
	defer close(w.loopDone)
	for ctx.Err() == nil {
		before := w.o.Clock.Now()
		next, more := w.round(ctx)
		if more {
			continue // a full batch was started: there may be more due
		}
		// Wait for the next item to fall due, a wake-up (something was stored, an
		// attempt ended) or the poll for other nodes' items. Items due now but in
		// flight or claimed elsewhere are not waited for: their end wakes us.
		now := w.o.Clock.Now()
		if next.After(before) && !next.After(now) {
			continue // the clock reached next after the round read the store: it is due
		}
		wait := w.o.Poll
		future := next.After(now)
		if future && next.Sub(now) < wait {
			wait = next.Sub(now)
		}
		tick := make(chan struct{})
		t := w.o.Clock.AfterFunc(wait, func() { close(tick) })
		if future && !w.o.Clock.Now().Before(next) {
			t.Stop() // the clock passed next while the timer was armed from an older now
			continue
		}
		select {
		case <-ctx.Done():
		case <-w.wake:
		case <-tick:
		}
		t.Stop()
	}
}

// round starts an attempt for every due item it can claim. It returns when the next
// pending item falls due (zero when unknown), and more when it started a full batch
// (there may be more due items behind it).
func (w *Worker) round(ctx context.Context) (next time.Time, more bool) {
	now := w.o.Clock.Now()
	batch := 4 * w.o.Concurrency
	due, err := w.o.Store.DueNotifications(ctx, now, batch)
	if err != nil {
		if ctx.Err() == nil {
			w.log.Warn("outbox: cannot read due notifications", zap.Error(err))
		}
		return time.Time{}, false
	}
	started := 0
	for _, n := range due {
		if !w.begin(ctx, n.ID) {
			continue
		}
		select {
		case w.sem <- struct{}{}:
		case <-ctx.Done():
			w.end(n.ID)
			return time.Time{}, false
		}
		started++
		w.attempts.Add(1)
		go func(id string) {
			defer w.attempts.Done()
			defer func() { <-w.sem }()
			defer w.end(id)
			w.attempt(w.attemptCtx, id)
		}(n.ID)
	}
	if len(due) == batch && started > 0 {
		return now, true
	}
	st, err := w.o.Store.OutboxStats(ctx)
	if err != nil {
		return time.Time{}, false
	}
	return st.NextAttempt, false
}

// begin takes id for this process (not already in flight here) and for the
// cluster (the claim).
func (w *Worker) begin(ctx context.Context, id string) bool {
	w.mu.Lock()
	if _, ok := w.inflight[id]; ok {
		w.mu.Unlock()
		return false
	}
	w.inflight[id] = struct{}{}
	w.mu.Unlock()
	ok, err := w.o.Claims.Claim(ctx, id, w.o.AttemptTimeout+10*time.Second)
	if err != nil || !ok {
		if err != nil && ctx.Err() == nil {
			w.log.Warn("outbox: cannot claim", zap.String("id", id), zap.Error(err))
		}
		w.mu.Lock()
		delete(w.inflight, id)
		w.mu.Unlock()
		return false
	}
	return true
}

func (w *Worker) end(id string) {
	w.o.Claims.Release(context.Background(), id)
	w.mu.Lock()
	delete(w.inflight, id)
	w.mu.Unlock()
	w.Wake()
}

// errNotDue ends an update that found the item already worked by someone else.
var errNotDue = errors.New("notification no longer due")

// attempt delivers one claimed item and records the outcome.
func (w *Worker) attempt(ctx context.Context, id string) {
	n, err := w.o.Store.GetNotification(ctx, id)
	if err != nil {
		return
	}
	if n.State != store.NotificationPending || n.NextAttemptAt.After(w.o.Clock.Now()) {
		return // another node delivered or rescheduled it between our read and our claim
	}
	actx, cancel := context.WithTimeout(ctx, w.o.AttemptTimeout)
	derr := w.deliver(actx, n)
	cancel()
	if derr != nil && ctx.Err() != nil {
		return // stopping: the attempt was cut short, not refused; try again later
	}
	now := w.o.Clock.Now()
	var gaveUp bool
	_, err = w.o.Store.UpdateNotification(context.WithoutCancel(ctx), id, func(cur *store.Notification) error {
		if cur.State != store.NotificationPending || cur.Attempts != n.Attempts {
			return errNotDue
		}
		cur.Attempts++
		t := now
		cur.LastAttemptAt = &t
		gaveUp = false
		if derr == nil {
			cur.State, cur.DeliveredAt, cur.LastError = store.NotificationDelivered, &t, ""
			return nil
		}
		cur.LastError = truncate(derr.Error(), 500)
		if next, ok := w.o.Backoff.Next(cur.CreatedAt, now, cur.Attempts); ok {
			cur.NextAttemptAt = next
		} else {
			cur.State, gaveUp = store.NotificationFailed, true
		}
		return nil
	})
	if err != nil {
		if !errors.Is(err, errNotDue) {
			w.log.Error("outbox: cannot record attempt", zap.String("id", id), zap.Error(err))
		}
		return
	}
	w.o.Metrics.attempt(n.Channel, n.Type, derr, gaveUp)
	switch {
	case derr == nil:
		w.log.Debug("outbox: delivered", zap.String("id", id), zap.String("type", n.Type), zap.String("channel", n.Channel))
	case gaveUp:
		w.log.Error("outbox: gave up", zap.String("id", id), zap.String("type", n.Type), zap.String("channel", n.Channel),
			zap.Int("attempts", n.Attempts+1), zap.Error(derr))
	default:
		w.log.Warn("outbox: attempt failed", zap.String("id", id), zap.String("type", n.Type), zap.String("channel", n.Channel),
			zap.Int("attempts", n.Attempts+1), zap.Error(derr))
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
