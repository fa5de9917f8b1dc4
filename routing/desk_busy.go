package routing

import "context"

// A conversation is busy while a write that decides its fate is made outside the
// desk's lock: its start, its assignment from the queue, its miss, its end. The
// decision is taken under mu (the conversation leaves its queue, the agent's slot is
// reserved), the write follows after releasing mu, and mu is taken again to carry
// the outcome out (or to put everything back when the store refused). While busy,
// nothing else is decided about the conversation: EndChat and a chat start of the
// same visitor wait for the write (waitLocked), a drain stops at a start being
// recorded so it keeps its turn, and timers leave it to the write's end.

// begin marks cs busy. mu held.
func (cs *convState) begin() { cs.busy = make(chan struct{}) }

// finish ends cs's busy time and wakes whoever waits for it. mu held.
func (cs *convState) finish() {
	if cs.busy != nil {
		close(cs.busy)
		cs.busy = nil
	}
}

// waitLocked releases mu until cs is no longer busy (or ctx ends) and takes it
// again; the caller looks the conversation up afresh after. mu held on entry and
// on return.
func (d *Desk) waitLocked(ctx context.Context, cs *convState) error {
	done := cs.busy
	if done == nil {
		return nil
	}
	d.unlock()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = ctx.Err()
	}
	d.mu.Lock()
	return err
}

// forgetLocked drops a conversation that is no longer in flight from the maps.
func (d *Desk) forgetLocked(cs *convState) {
	stopTimer(cs.timeout)
	cs.timeout = nil
	id := cs.conv.ID
	if d.convs[id] == cs {
		delete(d.convs, id)
	}
	if d.byVisitor[cs.conv.VisitorID] == id {
		delete(d.byVisitor, cs.conv.VisitorID)
	}
}

// requeueLocked puts a queued conversation whose assignment or end the store
// refused back in its queue, at its place by turn (the queue is FIFO), re-arms its
// timeout and tells everyone the queue changed.
func (d *Desk) requeueLocked(cs *convState) {
	ss := d.sites[cs.conv.SiteID]
	if ss == nil || d.convs[cs.conv.ID] != cs {
		return
	}
	ln := ss.lineFor(cs.conv.DepartmentID)
	i := 0
	for i < len(ln.queue) {
		if o := d.convs[ln.queue[i]]; o != nil && o.turn > cs.turn {
			break
		}
		i++
	}
	ln.queue = append(ln.queue[:i:i], append([]string{cs.conv.ID}, ln.queue[i:]...)...)
	d.armQueueTimeoutLocked(cs, ss)
	d.queueChangedLocked(ss, ln)
	if st := d.lineStatusLocked(ss, ln, d.clock.Now()); !st.Online {
		d.missQueueLocked(ss, ln, st.Reason)
	}
}
