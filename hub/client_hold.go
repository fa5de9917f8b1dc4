package hub

// Holding a client: in cluster mode a socket joins its groups (and the node
// subscribes to their channels) before the snapshot its welcome is built from is
// taken on another node. Frames published between the join and the snapshot must
// neither be lost nor be written before the welcome, and frames the snapshot already
// reflects must not be written after it (an older status would undo the welcome's).
// So the client is held: frames are kept with the sequence number of the decision
// that made them, and Release writes the welcome first, then only what came after
// the snapshot.

// heldFrame is a frame given to a held client.
type heldFrame struct {
	b      []byte
	seq    uint64 // 0: not ordered against snapshots (always kept)
	status bool
}

// Hold makes the client keep every frame it is given (Send, SendStatus, SendSeq)
// instead of queueing it, until Release. Holding a held or closed client does
// nothing. Held frames count against QueueLimit: one more closes the client with
// CloseSlowConsumer.
func (c *Client) Hold() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closed && !c.closing {
		c.held = true
	}
}

// SendSeq is Send (status false) or SendStatus (status true) for a frame made by the
// decision numbered seq (0: none). On a client that is not held it is exactly Send
// or SendStatus.
func (c *Client) SendSeq(frame []byte, seq uint64, status bool) bool {
	return c.enqueue(frame, seq, status)
}

// holdLocked keeps f; it reports false when the client already keeps QueueLimit
// frames. c.mu must be held.
func (c *Client) holdLocked(f heldFrame) bool {
	if len(c.heldFrames) >= c.limit {
		return false
	}
	c.heldFrames = append(c.heldFrames, f)
	return true
}

// Release ends a Hold: it queues first (in order), then the held frames whose
// sequence number is 0 or greater than after, in the order they were given, and
// drops the others; all under one lock, so no frame sent meanwhile can come between
// them. It reports false when the client is closed or its queue overflowed (the
// client is then closed with CloseSlowConsumer).
func (c *Client) Release(after uint64, first ...[]byte) bool {
	c.mu.Lock()
	held := c.heldFrames
	c.heldFrames, c.held = nil, false
	ok, full, start := true, false, false
	for _, b := range first {
		if !ok {
			break
		}
		var st bool
		ok, full, st = c.pushLocked(b, false)
		start = start || st
	}
	for _, f := range held {
		if !ok {
			break
		}
		if f.seq != 0 && f.seq <= after {
			continue
		}
		var st bool
		ok, full, st = c.pushLocked(f.b, f.status)
		start = start || st
	}
	c.mu.Unlock()
	c.afterPush(full, start)
	return ok
}
