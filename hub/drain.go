package hub

import "time"

// minDrainStep is the shortest pause CloseAll makes between two batches: shorter
// sleeps would overshoot and stretch the drain well past its spread.
const minDrainStep = 10 * time.Millisecond

// CloseAll drains the hub: it calls CloseAfter(code, reason) on every client in any
// group, each once, spread evenly over spread so that reconnects do not all land at
// the same instant. The clients are taken in batches: the first batch at once, the
// last after spread, with equal sleeps between batches of at least 10 ms (so at most
// spread/10ms+1 batches). sleep is the sleep function (nil: time.Sleep); tests inject
// one. spread <= 0 asks all clients at once.
//
// CloseAll returns once every client has been closed or asked to close (a client
// with frames pending closes when they are written, see CloseAfter). It works on the
// clients present when it starts: stop accepting sockets before calling it.
func (h *Hub) CloseAll(code int, reason string, spread time.Duration, sleep func(time.Duration)) {
	if sleep == nil {
		sleep = time.Sleep
	}
	clients := h.clients()
	n := len(clients)
	if n == 0 {
		return
	}
	batches := n
	if spread <= 0 {
		batches = 1
	} else if most := int(spread/minDrainStep) + 1; batches > most {
		batches = most
	}
	var step time.Duration
	if batches > 1 {
		step = spread / time.Duration(batches-1)
	}
	next := 0
	for b := 0; b < batches; b++ {
		if b > 0 {
			sleep(step)
		}
		end := (b + 1) * n / batches // client i is in batch i*batches/n
		for ; next < end; next++ {
			clients[next].CloseAfter(code, reason)
		}
	}
}

// clients returns every client in any group, each once.
func (h *Hub) clients() []*Client {
	seen := make(map[*Client]struct{})
	var out []*Client
	for i := range h.shards {
		s := &h.shards[i]
		s.mu.RLock()
		for _, g := range s.groups {
			for _, c := range g.members {
				if _, ok := seen[c]; !ok {
					seen[c] = struct{}{}
					out = append(out, c)
				}
			}
		}
		s.mu.RUnlock()
	}
	return out
}
