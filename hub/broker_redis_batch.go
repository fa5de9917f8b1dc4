package hub

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"go.uber.org/zap"
)

// The control goroutine (run) owns the go-redis PubSub for writing: it sends the
// batched SUBSCRIBE/UNSUBSCRIBE commands, runs the probe and replaces a silently
// dead subscription. Because it is the only writer, batches, probes and
// replacements never overlap. Waits on Redis are bounded by ProbeTimeout.

// redisBatch is a set of subscription changes sent together. Callers wait on done;
// err is written before done is closed.
type redisBatch struct {
	chans []string // channels whose change this batch carries (see pending)
	done  chan struct{}
	err   error
}

func newRedisBatch() *redisBatch { return &redisBatch{done: make(chan struct{})} }

// changeLocked records that channel's references crossed zero: the current batch
// will bring Redis in line. Callers hold b.mu.
func (b *RedisBroker) changeLocked(channel string) {
	b.dirty[channel] = struct{}{}
	if b.pending[channel] != b.cur {
		b.pending[channel] = b.cur
		b.cur.chans = append(b.cur.chans, channel)
	}
	select {
	case b.kick <- struct{}{}:
	default:
	}
}

// run is the control goroutine: it opens the subscription, then sends a batch
// BatchWindow after the first change it collects, and probes every ProbeInterval.
func (b *RedisBroker) run() {
	defer close(b.controlDone)
	b.sess = b.startSession(false)

	var probe <-chan time.Time
	if b.o.ProbeInterval > 0 {
		t := time.NewTicker(b.o.ProbeInterval)
		defer t.Stop()
		probe = t.C
	}
	window := time.NewTimer(time.Hour)
	window.Stop()
	var windowC <-chan time.Time // non-nil while a batch window is open
	for {
		select {
		case <-b.ctx.Done():
			return
		case <-b.kick:
			if windowC == nil {
				window.Reset(b.o.BatchWindow)
				windowC = window.C
			}
		case <-windowC:
			windowC = nil
			b.flush()
		case <-probe:
			b.probe()
		}
	}
}

// flush sends the collected changes and resolves their batch.
func (b *RedisBroker) flush() {
	b.mu.Lock()
	bt := b.cur
	b.cur = newRedisBatch()
	var subs, unsubs []string
	for ch := range b.dirty {
		switch want := b.refs[ch] > 0; {
		case want && !b.sent[ch]:
			subs = append(subs, ch)
		case !want && b.sent[ch]:
			unsubs = append(unsubs, ch)
		}
	}
	clear(b.dirty)
	b.mu.Unlock()

	var err error
	if len(subs)+len(unsubs) > 0 {
		for _, ch := range subs {
			b.sent[ch] = true
		}
		for _, ch := range unsubs {
			delete(b.sent, ch)
		}
		err = b.apply(subs, unsubs)
		if err != nil && b.ctx.Err() == nil {
			b.log.Warn("redis broker: subscription change not confirmed",
				zap.Int("subscribe", len(subs)), zap.Int("unsubscribe", len(unsubs)), zap.Error(err))
		}
	}

	b.mu.Lock()
	for _, ch := range bt.chans {
		if b.pending[ch] == bt {
			delete(b.pending, ch)
		}
	}
	if len(subs)+len(unsubs) > 0 {
		b.down = err != nil
	}
	b.mu.Unlock()
	bt.err = err
	close(bt.done)
}

// apply sends one SUBSCRIBE and one UNSUBSCRIBE, then waits for the barrier. Both
// commands are always sent: go-redis updates the channel set it restores after a
// reconnect even when the write fails.
func (b *RedisBroker) apply(subs, unsubs []string) error {
	ctx, cancel := context.WithTimeout(b.ctx, b.o.ProbeTimeout)
	defer cancel()
	ps := b.sess.ps
	var errs []error
	if len(subs) > 0 {
		if err := ps.Subscribe(ctx, subs...); err != nil {
			errs = append(errs, fmt.Errorf("subscribe: %w", err))
		}
	}
	if len(unsubs) > 0 {
		if err := ps.Unsubscribe(ctx, unsubs...); err != nil {
			errs = append(errs, fmt.Errorf("unsubscribe: %w", err))
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	return b.barrier(ctx)
}

// barrier sends PING with a fresh token on the subscription connection and waits
// until the reader sees it echoed: Redis answers in order, so every command sent
// before it has taken effect.
func (b *RedisBroker) barrier(ctx context.Context) error {
	token := b.token("b")
	if err := b.sess.ps.Ping(ctx, token); err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	for {
		select {
		case p := <-b.pongs:
			if p == token {
				return nil
			}
		case <-ctx.Done():
			return fmt.Errorf("no confirmation from redis within %v: %w", b.o.ProbeTimeout, ctx.Err())
		}
	}
}

// probe publishes a token on the node-private probe channel and waits for it to
// come back over the subscription. If it was published but does not come back,
// the subscription connection is replaced. A failed publish means Redis is
// unreachable: reconnecting is go-redis's job then, and the next probe judges.
func (b *RedisBroker) probe() {
	ctx, cancel := context.WithTimeout(b.ctx, b.o.ProbeTimeout)
	defer cancel()
	token := b.token("p")
	if err := b.client.Publish(ctx, b.probeC, token).Err(); err != nil {
		if b.ctx.Err() == nil {
			b.log.Debug("redis broker: probe not published", zap.Error(err))
		}
		return
	}
	for {
		select {
		case p := <-b.probes:
			if p == token {
				b.setDown(false)
				return
			}
		case <-ctx.Done():
			if b.ctx.Err() != nil {
				return
			}
			b.log.Warn("redis broker: probe did not come back, replacing the subscription connection",
				zap.Duration("timeout", b.o.ProbeTimeout))
			b.setDown(true)
			b.sess.stop()
			b.sess = b.startSession(true)
			return
		}
	}
}

// token returns a fresh barrier or probe token.
func (b *RedisBroker) token(kind string) string {
	b.seq++
	return kind + strconv.FormatUint(b.seq, 10)
}

// startSession opens a PubSub subscribed to the probe channel and every channel in
// b.sent (in one SUBSCRIBE), and starts its reader. If Redis cannot be reached,
// go-redis keeps the channel set and subscribes when the reader reconnects.
// regained tells the reader to report the first reply as a regained subscription.
func (b *RedisBroker) startSession(regained bool) *redisSession {
	s := &redisSession{
		b:    b,
		ps:   b.client.Subscribe(b.ctx), // no channels: no I/O yet
		quit: make(chan struct{}),
		done: make(chan struct{}),
	}
	chans := make([]string, 0, 1+len(b.sent))
	chans = append(chans, b.probeC)
	for ch := range b.sent {
		chans = append(chans, ch)
	}
	slices.Sort(chans[1:])
	ctx, cancel := context.WithTimeout(b.ctx, b.o.ProbeTimeout)
	err := s.ps.Subscribe(ctx, chans...)
	cancel()
	if err != nil && b.ctx.Err() == nil {
		b.log.Warn("redis broker: subscribe failed, will retry on reconnect",
			zap.Int("channels", len(chans)), zap.Error(err))
	}
	go s.read(regained)
	return s
}
