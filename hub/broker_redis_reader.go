package hub

import (
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"
)

// The reader side: one reader goroutine per subscription session, the
// channel-keyed delivery workers, and the OnReconnect notifier.

// Reader backoff after a failed receive: the first retry is immediate (go-redis
// has usually reconnected already), then it doubles from min up to max.
const (
	redisReadBackoffMin = 50 * time.Millisecond
	redisReadBackoffMax = 500 * time.Millisecond
)

// redisSession is one go-redis PubSub and its reader goroutine. A broker has one
// session at a time; the probe replaces it when the connection dies silently.
type redisSession struct {
	b    *RedisBroker
	ps   *redis.PubSub
	quit chan struct{} // closed by stop: the reader returns
	done chan struct{} // closed when the reader has returned
}

// stop closes the PubSub, which unblocks a pending read, and waits for the reader.
func (s *redisSession) stop() {
	close(s.quit)
	_ = s.ps.Close()
	<-s.done
}

// read is the session's reader. It never waits for a handler: messages go to
// their channel's worker queue or are dropped (see dispatch); PING echoes and
// probe tokens go to buffered channels for the control goroutine, dropped when
// nobody waits. regained reports the first successful receive after a failure
// (or, when set initially, the first one at all) to OnReconnect.
func (s *redisSession) read(regained bool) {
	defer close(s.done)
	b := s.b
	lost := regained
	var backoff time.Duration
	for {
		msg, err := s.ps.Receive(b.ctx)
		if err != nil {
			if errors.Is(err, redis.ErrClosed) {
				return
			}
			select {
			case <-s.quit:
				return
			default:
			}
			if !lost {
				lost = true
				b.setDown(true)
				b.log.Warn("redis broker: subscription connection lost", zap.Error(err))
			}
			if backoff > 0 {
				t := time.NewTimer(backoff)
				select {
				case <-s.quit:
					t.Stop()
					return
				case <-t.C:
				}
			}
			backoff = min(max(2*backoff, redisReadBackoffMin), redisReadBackoffMax)
			continue
		}
		backoff = 0
		if lost {
			// The first reply on a new connection answers the SUBSCRIBE that
			// restored every channel at once: the subscription is whole again.
			lost = false
			b.setDown(false)
			b.regains.Add(1)
			b.log.Info("redis broker: subscription re-established")
			select {
			case b.regain <- struct{}{}:
			default:
			}
		}
		switch m := msg.(type) {
		case *redis.Message:
			if m.Channel == b.probeC {
				offer(b.probes, m.Payload)
				continue
			}
			b.dispatch(m)
		case *redis.Pong:
			offer(b.pongs, m.Payload)
		}
	}
}

// dispatch hands m to its channel's worker, or drops and counts it when that
// worker's queue is full.
func (b *RedisBroker) dispatch(m *redis.Message) {
	q := b.queues[workerIndex(m.Channel, len(b.queues))]
	select {
	case q <- redisDelivery{channel: m.Channel, payload: m.Payload}:
	default:
		b.drops.Add(1)
		b.log.Debug("redis broker: worker queue full, message dropped", zap.String("channel", m.Channel))
		if b.o.OnDrop != nil {
			b.o.OnDrop(m.Channel)
		}
	}
}

// offer sends v on ch unless ch is full.
func offer(ch chan<- string, v string) {
	select {
	case ch <- v:
	default:
	}
}

// wanted reports whether the handler should get messages on channel now.
func (b *RedisBroker) wanted(channel string) bool {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.refs[channel] > 0
}

// work delivers one worker's queue to the handler until the queue is closed.
func (b *RedisBroker) work(q <-chan redisDelivery) {
	defer b.workers.Done()
	for d := range q {
		if b.wanted(d.channel) {
			b.h(d.channel, []byte(d.payload))
		}
	}
}

// notify calls OnReconnect, one call at a time, after each regained subscription
// (several regains while a call runs collapse into one more call).
func (b *RedisBroker) notify() {
	for {
		select {
		case <-b.ctx.Done():
			return
		case <-b.regain:
			if b.o.OnReconnect != nil {
				b.o.OnReconnect()
			}
		}
	}
}

// workerIndex maps channel to one of n workers (FNV-1a).
func workerIndex(channel string, n int) int {
	h := uint32(2166136261)
	for i := 0; i < len(channel); i++ {
		h ^= uint32(channel[i])
		h *= 16777619
	}
	return int(h % uint32(n))
}
