package ws

import (
	"sync/atomic"

	"github.com/livedesk/gateway/hub"
)

// leaver takes the sockets that went away out of their groups, on a goroutine of
// its own. In a reconnect storm thousands of sockets close in the same instant; if
// each left its groups itself, thousands of goroutines would queue on the same
// few locks (the site's hub shard, the broker's references), and on a busy machine
// a holder the kernel preempts stalls all of them, the new sockets' joins with
// them. Here a closing socket only pushes onto a lock-free stack, and one drain
// goroutine at a time (running) empties it.
//
// A socket whose leave is pending is already closed: frames given to it are
// dropped, so a late leave changes nothing anyone sees.
type leaver struct {
	head    atomic.Pointer[leaveItem]
	running atomic.Bool
	leave   func(c *hub.Client, groups []string)
}

type leaveItem struct {
	next   *leaveItem
	c      *hub.Client
	groups []string
}

// push queues c's leave of groups and starts a drain unless one runs.
func (l *leaver) push(c *hub.Client, groups []string) {
	it := &leaveItem{c: c, groups: groups}
	for {
		old := l.head.Load()
		it.next = old
		if l.head.CompareAndSwap(old, it) {
			break
		}
	}
	if l.running.CompareAndSwap(false, true) {
		go l.drain()
	}
}

// drain leaves until the stack is empty. After it stops running it looks once
// more: a push that saw it running just before may have left an item.
func (l *leaver) drain() {
	for {
		for list := l.head.Swap(nil); list != nil; list = l.head.Swap(nil) {
			var rev *leaveItem // oldest first
			for list != nil {
				next := list.next
				list.next, rev = rev, list
				list = next
			}
			for it := rev; it != nil; it = it.next {
				l.leave(it.c, it.groups)
			}
		}
		l.running.Store(false)
		if l.head.Load() == nil || !l.running.CompareAndSwap(false, true) {
			return
		}
	}
}
