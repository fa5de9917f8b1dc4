package hub

// queue is a FIFO of pending frames in a ring buffer that grows by doubling up to the
// client's limit and is dropped again after a burst, so an idle client holds at most
// a few slots. At most one entry is the pending status frame, which SendStatus
// replaces in place.
//
// queue has no lock of its own: every method expects Client.mu held.
type queue struct {
	buf  [][]byte // ring; len(buf) is the capacity
	head int      // index of the oldest entry
	n    int      // entries in use

	// seq is the sequence number of buf[head]; entry i (0-based from head) has seq+i.
	seq uint64
	// status is the sequence number of the pending status frame, valid when hasStatus.
	status    uint64
	hasStatus bool
}

const (
	queueMinCap  = 4  // first allocation
	queueKeepCap = 16 // a drained ring larger than this is released
)

// len returns the number of pending frames.
func (q *queue) len() int { return q.n }

// push appends f; it reports false, changing nothing, when limit frames are pending.
func (q *queue) push(f []byte, limit int) bool {
	if q.n >= limit {
		return false
	}
	if q.n == len(q.buf) {
		q.grow(limit)
	}
	q.buf[q.index(q.n)] = f
	q.n++
	return true
}

// pushStatus replaces the pending status frame with f if there is one, keeping its
// place; otherwise it appends f as push does and marks it as the status frame.
func (q *queue) pushStatus(f []byte, limit int) bool {
	if q.hasStatus {
		q.buf[q.index(int(q.status-q.seq))] = f
		return true
	}
	if !q.push(f, limit) {
		return false
	}
	q.status, q.hasStatus = q.seq+uint64(q.n-1), true
	return true
}

// pop removes and returns the oldest frame; ok is false when the queue is empty.
func (q *queue) pop() (f []byte, ok bool) {
	if q.n == 0 {
		return nil, false
	}
	f = q.buf[q.head]
	q.buf[q.head] = nil
	if q.hasStatus && q.status == q.seq {
		q.hasStatus = false
	}
	q.head++
	if q.head == len(q.buf) {
		q.head = 0
	}
	q.n--
	q.seq++
	if q.n == 0 {
		q.head = 0
		if len(q.buf) > queueKeepCap {
			q.buf = nil
		}
	}
	return f, true
}

// reset drops every pending frame and releases the ring.
func (q *queue) reset() {
	q.buf, q.head, q.n, q.hasStatus = nil, 0, 0, false
}

// index maps the i-th entry from head to its slot in buf.
func (q *queue) index(i int) int {
	i += q.head
	if i >= len(q.buf) {
		i -= len(q.buf)
	}
	return i
}

// grow doubles the ring (at least queueMinCap, at most limit), keeping order and
// moving the oldest entry to slot 0.
func (q *queue) grow(limit int) {
	c := 2 * len(q.buf)
	if c < queueMinCap {
		c = queueMinCap
	}
	if c > limit {
		c = limit
	}
	buf := make([][]byte, c)
	k := copy(buf, q.buf[q.head:])
	copy(buf[k:], q.buf[:q.head])
	q.buf, q.head = buf, 0
}
