package main

import (
	"sync"
	"time"

	"github.com/livedesk/gateway/protocol"
)

// deliveries tracks where each stamped visitor message (parseStamp's v, n) reached
// an agent, so that a run with transfers can tell "lost" and "delivered twice"
// (docs/protocol.md#transfers): a message stored before a transfer step is pushed
// to the old agent and is in the transcript the new agent's chat.assigned carries;
// one stored after it is pushed to the new agent only. So a message is
//   - seen when some agent got it, pushed or in a transcript;
//   - a duplicate when it was pushed more than once (to one agent or to two), or
//     one agent got it both pushed and in a transcript.
//
// Safe for concurrent use.
type deliveries struct {
	mu  sync.Mutex
	got map[[2]int64]*delivery
	lat samples // first push's arrival minus the visitor's send stamp
}

// delivery is one message's receipts.
type delivery struct {
	pushes     []int // agents, one entry per push
	transcript []int // agents whose chat.assigned listed it
}

// push records message (v, n), sent at sent (since the run's base), pushed to agent
// at now.
func (d *deliveries) push(agent int, v, n int64, sent, now time.Duration) {
	d.mu.Lock()
	r := d.entry(v, n)
	first := len(r.pushes) == 0
	r.pushes = append(r.pushes, agent)
	d.mu.Unlock()
	if first {
		d.lat.add(now - sent)
	}
}

// transcript records the stamped visitor messages of a conversation as agent got
// it with chat.assigned.
func (d *deliveries) transcript(agent int, msgs []protocol.Message) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, m := range msgs {
		if m.From != "visitor" {
			continue
		}
		if v, n, _, ok := parseStamp(m.Text); ok {
			r := d.entry(v, n)
			r.transcript = append(r.transcript, agent)
		}
	}
}

func (d *deliveries) entry(v, n int64) *delivery {
	if d.got == nil {
		d.got = map[[2]int64]*delivery{}
	}
	k := [2]int64{v, n}
	r := d.got[k]
	if r == nil {
		r = &delivery{}
		d.got[k] = r
	}
	return r
}

// counts returns how many messages were seen, how many of them more than once
// (see deliveries), and how many reached an agent only in a transcript.
func (d *deliveries) counts() (seen, duplicates, transcriptOnly int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, r := range d.got {
		seen++
		if len(r.pushes) == 0 {
			transcriptOnly++
		}
		if r.twice() {
			duplicates++
		}
	}
	return seen, duplicates, transcriptOnly
}

func (r *delivery) twice() bool {
	if len(r.pushes) > 1 {
		return true
	}
	for _, p := range r.pushes {
		for _, t := range r.transcript {
			if p == t {
				return true
			}
		}
	}
	return false
}
