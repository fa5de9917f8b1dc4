package cluster

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/livedesk/gateway/deskapi"
	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"
)

// publisher sends a node's messages to Redis in the order they were given, many per
// round trip (one pipeline per batch), from one goroutine: callers never wait for
// Redis. Order matters: a desk's decisions reach every node in the order they were
// made, and a leader's answer to a call comes after the frames the call caused.
//
// It is the cluster's deskapi.Out: Send publishes a frame to a hub group on every node.
//
// Lock rule: mu guards q, seq and closed. Numbering a frame (sendSeq) and queueing it
// happen under mu, so numbers increase in queue order.
type publisher struct {
	rdb    redis.UniversalClient
	prefix string
	log    *zap.Logger

	mu     sync.Mutex
	q      []pubMsg
	epoch  uint64 // the leader epoch numbers are made in (high 32 bits)
	seq    uint64 // last number given within the epoch
	closed bool

	wake chan struct{}
	done chan struct{}

	published atomic.Uint64
	failed    atomic.Uint64
}

// pubMsg is one PUBLISH; done, when set, gets the number of receivers or the error.
type pubMsg struct {
	channel string
	payload []byte
	done    func(receivers int64, err error)
}

// maxPending bounds the queue: past it messages are dropped (and counted), which
// only happens when Redis has been unreachable for a while.
const maxPending = 1 << 17

func newPublisher(rdb redis.UniversalClient, prefix string, log *zap.Logger) *publisher {
	p := &publisher{rdb: rdb, prefix: prefix, log: log, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go p.loop()
	return p
}

var _ deskapi.Out = (*publisher)(nil)

// Send publishes a frame to every node's members of group, not numbered.
func (p *publisher) Send(group string, b []byte, status bool) {
	p.enqueue(pubMsg{channel: p.prefix + chanGroup + group, payload: encodeEnvelope(b, 0, status)})
}

// sendSeq publishes a frame numbered as the next desk decision.
func (p *publisher) sendSeq(group string, b []byte, status bool) {
	p.mu.Lock()
	p.seq++
	seq := p.epoch<<32 | p.seq
	p.pushLocked(pubMsg{channel: p.prefix + chanGroup + group, payload: encodeEnvelope(b, seq, status)})
	p.mu.Unlock()
	p.nudge()
}

// lastSeq is the number of the last frame sendSeq gave: a snapshot taken now is
// reflected in every numbered frame up to it and in none after.
func (p *publisher) lastSeq() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.epoch<<32 | p.seq
}

// newEpoch starts numbering for a leader epoch; numbers of a later epoch are
// greater than any of an earlier one.
func (p *publisher) newEpoch(epoch int64) {
	p.mu.Lock()
	p.epoch, p.seq = uint64(epoch), 0
	p.mu.Unlock()
}

// publish queues a raw message on channel (after the prefix).
func (p *publisher) publish(channel string, payload []byte, done func(int64, error)) {
	p.enqueue(pubMsg{channel: p.prefix + channel, payload: payload, done: done})
}

func (p *publisher) enqueue(m pubMsg) {
	p.mu.Lock()
	p.pushLocked(m)
	p.mu.Unlock()
	p.nudge()
}

func (p *publisher) pushLocked(m pubMsg) {
	if p.closed || len(p.q) >= maxPending {
		p.failed.Add(1)
		if m.done != nil {
			go m.done(0, errPublisherFull)
		}
		return
	}
	p.q = append(p.q, m)
}

func (p *publisher) nudge() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// close publishes what is queued (bounded by a few seconds) and stops.
func (p *publisher) close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.nudge()
	<-p.done
}

// maxBatch bounds one pipeline.
const maxBatch = 512

func (p *publisher) loop() {
	defer close(p.done)
	for {
		p.mu.Lock()
		batch := p.q
		if len(batch) > maxBatch {
			batch = batch[:maxBatch:maxBatch]
			p.q = p.q[maxBatch:]
		} else {
			p.q = nil
		}
		closed := p.closed
		p.mu.Unlock()
		if len(batch) == 0 {
			if closed {
				return
			}
			<-p.wake
			continue
		}
		p.flush(batch)
	}
}

// flush publishes a batch in one pipeline and reports to each done.
func (p *publisher) flush(batch []pubMsg) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	cmds := make([]*redis.IntCmd, len(batch))
	_, err := p.rdb.Pipelined(ctx, func(pl redis.Pipeliner) error {
		for i, m := range batch {
			cmds[i] = pl.Publish(ctx, m.channel, m.payload)
		}
		return nil
	})
	if err != nil {
		p.failed.Add(uint64(len(batch)))
		p.log.Warn("cluster publish failed; frames dropped (sockets resync from the store)", zap.Int("frames", len(batch)), zap.Error(err))
	} else {
		p.published.Add(uint64(len(batch)))
	}
	for i, m := range batch {
		if m.done != nil {
			n, cerr := cmds[i].Result()
			if err != nil && cerr == nil {
				cerr = err
			}
			m.done(n, cerr)
		}
	}
}
