package hub

import (
	"strings"
	"sync"
	"sync/atomic"
)

// DefaultShards is the shard count New uses when given shards <= 0.
const DefaultShards = 64

// Hub holds clients in named groups ("site:ID", "agent:ID", ...) for fanout. The group
// map is split into shards by an FNV-1a hash of the group name, each with its own
// RWMutex, so joins and broadcasts on different groups rarely contend.
//
// The hub never holds a lock while it sends: Broadcast, BroadcastStatus and Each copy
// the members into a pooled slice under the shard's read lock and work on that copy,
// so a client closed during a broadcast may run OnClose, and OnClose may call Leave.
//
// A Client may be in any number of groups of one Hub; it should not be in two Hubs
// (Total counts its groups on the Client). The hub does not drop closed clients by
// itself: the layer that joined them leaves them, typically from OnClose.
type Hub struct {
	shards []shard
	total  atomic.Int64 // clients in at least one group
}

// shard is one part of the group map.
//
// Lock rule: mu guards groups and every group in it (members and index). Read lock
// to look at members, write lock to join or leave. Functions with the Locked suffix
// expect mu held as their comment says.
type shard struct {
	mu     sync.RWMutex
	groups map[string]*groupSet
	_      [32]byte // pad to 64 bytes: neighbouring shards' locks rarely share a cache line
}

// groupSet is one group's clients: members for iteration, index for O(1) leave.
type groupSet struct {
	members []*Client
	index   map[*Client]int // position in members
}

// New returns an empty Hub with the given number of shards (shards <= 0: DefaultShards).
func New(shards int) *Hub {
	if shards <= 0 {
		shards = DefaultShards
	}
	h := &Hub{shards: make([]shard, shards)}
	for i := range h.shards {
		h.shards[i].groups = make(map[string]*groupSet)
	}
	return h
}

func (h *Hub) shard(group string) *shard {
	// FNV-1a, inlined so hashing allocates nothing.
	x := uint32(2166136261)
	for i := 0; i < len(group); i++ {
		x ^= uint32(group[i])
		x *= 16777619
	}
	return &h.shards[x%uint32(len(h.shards))]
}

// Join adds c to group; it does nothing if c is already a member or is closed. A
// client that closes concurrently is not left behind: either Join sees it closed, or
// a Leave called from its OnClose runs after Join.
func (h *Hub) Join(group string, c *Client) {
	s := h.shard(group)
	s.mu.Lock()
	added := s.joinLocked(group, c)
	s.mu.Unlock()
	if added && c.groups.Add(1) == 1 {
		h.total.Add(1)
	}
}

// Leave removes c from group; it does nothing if c is not a member. A group left
// empty is deleted.
func (h *Hub) Leave(group string, c *Client) {
	s := h.shard(group)
	s.mu.Lock()
	removed := s.leaveLocked(group, c)
	s.mu.Unlock()
	if removed && c.groups.Add(-1) == 0 {
		h.total.Add(-1)
	}
}

// joinLocked adds c to group and reports whether it was added. s.mu must be held
// for writing. The closed check is made under s.mu on purpose: close sets the code
// before OnClose runs, so a Leave from OnClose that ran first is seen here.
func (s *shard) joinLocked(group string, c *Client) bool {
	if c.CloseCode() != 0 {
		return false
	}
	g := s.groups[group]
	if g == nil {
		g = &groupSet{index: make(map[*Client]int)}
		s.groups[group] = g
	} else if _, ok := g.index[c]; ok {
		return false
	}
	g.index[c] = len(g.members)
	g.members = append(g.members, c)
	return true
}

// leaveLocked removes c from group (swapping the last member into its place) and
// reports whether it was a member; it deletes the group when it empties. s.mu must
// be held for writing.
func (s *shard) leaveLocked(group string, c *Client) bool {
	g := s.groups[group]
	if g == nil {
		return false
	}
	i, ok := g.index[c]
	if !ok {
		return false
	}
	last := len(g.members) - 1
	if i != last {
		moved := g.members[last]
		g.members[i] = moved
		g.index[moved] = i
	}
	g.members[last] = nil
	g.members = g.members[:last]
	delete(g.index, c)
	if last == 0 {
		delete(s.groups, group)
	}
	return true
}

// Broadcast queues frame (Send) for every member of group and returns for how many
// it was queued. frame is shared by all of them, never copied, and must not be
// modified afterwards. It never blocks on a socket: a member whose queue is full is
// closed (CloseSlowConsumer) and not counted.
func (h *Hub) Broadcast(group string, frame []byte) int {
	return h.fanout(group, frame, (*Client).Send)
}

// BroadcastStatus is Broadcast with SendStatus: a status frame still pending for a
// member is replaced by frame.
func (h *Hub) BroadcastStatus(group string, frame []byte) int {
	return h.fanout(group, frame, (*Client).SendStatus)
}

// BroadcastSeq is Broadcast (status false) or BroadcastStatus (status true) of a
// frame made by the decision numbered seq: members that are held (Client.Hold)
// keep it with seq, so their Release can tell it from what their snapshot holds.
func (h *Hub) BroadcastSeq(group string, frame []byte, seq uint64, status bool) int {
	p := h.snapshot(group)
	if p == nil {
		return 0
	}
	n := 0
	for _, c := range *p {
		if c.SendSeq(frame, seq, status) {
			n++
		}
	}
	release(p)
	return n
}

func (h *Hub) fanout(group string, frame []byte, send func(*Client, []byte) bool) int {
	p := h.snapshot(group)
	if p == nil {
		return 0
	}
	n := 0
	for _, c := range *p {
		if send(c, frame) {
			n++
		}
	}
	release(p)
	return n
}

// Count returns the number of members of group.
func (h *Hub) Count(group string) int {
	s := h.shard(group)
	s.mu.RLock()
	defer s.mu.RUnlock()
	if g := s.groups[group]; g != nil {
		return len(g.members)
	}
	return 0
}

// Each calls fn for every member of group, as of the call: fn runs on a copy of the
// member list with no hub lock held, so it may block, Send, Close, Join or Leave
// (members that join meanwhile are not visited; members that leave still are).
func (h *Hub) Each(group string, fn func(*Client)) {
	p := h.snapshot(group)
	if p == nil {
		return
	}
	for _, c := range *p {
		fn(c)
	}
	release(p)
}

// Groups returns the names of the non-empty groups that start with prefix, in no
// particular order ("" matches all).
func (h *Hub) Groups(prefix string) []string {
	var names []string
	for i := range h.shards {
		s := &h.shards[i]
		s.mu.RLock()
		for name := range s.groups { // groups are deleted when empty
			if strings.HasPrefix(name, prefix) {
				names = append(names, name)
			}
		}
		s.mu.RUnlock()
	}
	return names
}

// Total returns the number of clients in at least one group, each counted once.
func (h *Hub) Total() int { return int(h.total.Load()) }

// snapshot copies group's members into a pooled slice, or returns nil when the group
// does not exist. The caller hands the slice back with release.
func (h *Hub) snapshot(group string) *[]*Client {
	s := h.shard(group)
	s.mu.RLock()
	g := s.groups[group]
	if g == nil {
		s.mu.RUnlock()
		return nil
	}
	p := membersPool.Get().(*[]*Client)
	*p = append((*p)[:0], g.members...)
	s.mu.RUnlock()
	return p
}

// membersPool recycles snapshot slices so a broadcast allocates nothing.
var membersPool = sync.Pool{New: func() any { return new([]*Client) }}

func release(p *[]*Client) {
	clear(*p) // do not keep clients alive from the pool
	*p = (*p)[:0]
	membersPool.Put(p)
}
