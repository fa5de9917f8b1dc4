package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"github.com/livedesk/gateway/deskapi"
	"github.com/livedesk/gateway/routing"
	"go.uber.org/zap"
)

// leaderShards is how many calls the leader handles at once (calls with one key
// always go to the same shard, in order).
const leaderShards = 32

// leader runs the desk while this node holds the lease. Its notifier numbers every
// decision (publisher.sendSeq), and snapshots carry the number of the last decision
// they reflect, so a node can tell which frames its welcome already covers.
//
// Lock rule: mu guards nodes. The desk has its own lock; mu is never held while
// calling the desk.
type leader struct {
	n *Node
	d *routing.Desk
	// stopAlerts stops the desk's presence checks.
	stopAlerts func()
	desk       deskapi.Desk
	work       []chan rpcRequest
	stopc      chan struct{}
	wg         sync.WaitGroup

	mu    sync.Mutex
	nodes map[string]*nodeSockets
}

// nodeSockets is what the leader knows of a node: when it last heard from it and its
// live sockets of each agent, as the desk counts them.
type nodeSockets struct {
	seen    time.Time
	sockets map[string]int
}

// seqOut is the leader's deskapi.Out: every frame is numbered.
type seqOut struct{ p *publisher }

func (o seqOut) Send(group string, b []byte, status bool) { o.p.sendSeq(group, b, status) }

// startLeader loads the desk from the store and starts answering calls.
func startLeader(ctx context.Context, n *Node, epoch int64) (*leader, error) {
	n.pub.newEpoch(epoch)
	out := seqOut{n.pub}
	d, local, stopAlerts := n.d.Host.NewDesk(out)
	if err := d.Load(ctx); err != nil {
		d.Close()
		stopAlerts()
		return nil, err
	}
	l := &leader{n: n, d: d, stopAlerts: stopAlerts, desk: local, stopc: make(chan struct{}), nodes: map[string]*nodeSockets{}}
	for i := 0; i < leaderShards; i++ {
		ch := make(chan rpcRequest, 1024)
		l.work = append(l.work, ch)
		l.wg.Add(1)
		go l.worker(ch)
	}
	l.wg.Add(1)
	go l.sweep()
	return l, nil
}

// stop stops answering and closes the desk.
func (l *leader) stop() {
	close(l.stopc)
	l.wg.Wait()
	l.d.Close()
	l.stopAlerts()
}

// dispatch queues a call on its key's shard; it never blocks (a full shard drops
// the call, whose caller then times out).
func (l *leader) dispatch(payload []byte) {
	var req rpcRequest
	if err := json.Unmarshal(payload, &req); err != nil {
		l.n.log.Warn("malformed call to the leader dropped", zap.Error(err))
		return
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(req.Key))
	select {
	case l.work[h.Sum32()%leaderShards] <- req:
	default:
		l.n.log.Warn("leader overloaded: call dropped", zap.String("op", req.Op))
	}
}

func (l *leader) worker(ch chan rpcRequest) {
	defer l.wg.Done()
	for {
		select {
		case <-l.stopc:
			return
		case req := <-ch:
			res, err := l.handle(req)
			if req.OneWay {
				switch {
				case errors.Is(err, ErrWireVersion), errors.Is(err, ErrUnknownOp):
					l.n.log.Warn("one-way call refused", zap.String("op", req.Op), zap.String("node", req.Node), zap.Error(err))
				case err != nil:
					l.n.log.Debug("one-way call failed", zap.String("op", req.Op), zap.Error(err))
				}
				continue
			}
			rep := rpcReply{V: wireVersion, ID: req.ID}
			if err != nil {
				rep.Err, rep.Msg = encodeRPCError(err)
			} else if res != nil {
				rep.Result, _ = json.Marshal(res)
			}
			b, _ := json.Marshal(rep)
			// Through the same ordered publisher as the desk's frames: the answer
			// reaches the caller after the frames the call caused.
			l.n.pub.publish(chanNode+req.Node, b, nil)
		}
	}
}

// handle runs one call against the desk: the op the registry names, if the call
// is of this wire version.
func (l *leader) handle(req rpcRequest) (any, error) {
	if req.V != wireVersion {
		return nil, fmt.Errorf("%w: call of version %d, this leader speaks %d", ErrWireVersion, req.V, wireVersion)
	}
	h := ops[req.Op]
	if h == nil {
		return nil, fmt.Errorf("%w: %q", ErrUnknownOp, req.Op)
	}
	ctx, cancel := opCtx()
	defer cancel()
	return h(l, ctx, req.Node, req.Args)
}

// connect counts a new socket of the agent on node and returns the agent's snapshot
// with the number of the last decision it reflects.
func (l *leader) connect(_ context.Context, node string, req connectReq) (connectRes, error) {
	agentID := req.Agent
	var r connectRes
	_, err := l.d.ConnectAgent(agentID, func(snap routing.AgentSnapshot) {
		r.Snap, r.Seq = snap, l.n.pub.lastSeq()
	})
	if err != nil {
		return r, err
	}
	r.Snap.Agent = nil // the node has its own copy; the hash stays home
	l.mu.Lock()
	ns := l.nodeLocked(node)
	ns.sockets[agentID]++
	l.mu.Unlock()
	return r, nil
}

// disconnect counts a socket of the agent on node gone.
func (l *leader) disconnect(node, agentID string) {
	l.mu.Lock()
	ns := l.nodeLocked(node)
	had := ns.sockets[agentID] > 0
	if had {
		ns.sockets[agentID]--
		if ns.sockets[agentID] == 0 {
			delete(ns.sockets, agentID)
		}
	}
	l.mu.Unlock()
	if had {
		l.d.AgentDisconnected(agentID)
	}
}

// heartbeat brings the desk's count of node's sockets to what the node reports: it
// heals calls that were lost, and tells a new leader what every node holds.
func (l *leader) heartbeat(node string, report map[string]int) {
	l.mu.Lock()
	ns := l.nodeLocked(node)
	diff := map[string]int{}
	for a, n := range report {
		diff[a] += n
	}
	for a, n := range ns.sockets {
		diff[a] -= n
	}
	l.mu.Unlock()
	for agentID, d := range diff {
		for ; d > 0; d-- {
			if _, err := l.d.ConnectAgent(agentID, nil); err != nil {
				break // an agent the desk does not know (deleted): not counted
			}
			l.mu.Lock()
			ns.sockets[agentID]++
			l.mu.Unlock()
		}
		for ; d < 0; d++ {
			l.disconnect(node, agentID)
		}
	}
}

// forget drops every socket of node (it left, or stopped beating).
func (l *leader) forget(node string) {
	l.mu.Lock()
	ns := l.nodes[node]
	delete(l.nodes, node)
	l.mu.Unlock()
	if ns == nil {
		return
	}
	for agentID, n := range ns.sockets {
		for ; n > 0; n-- {
			l.d.AgentDisconnected(agentID)
		}
	}
}

func (l *leader) nodeLocked(node string) *nodeSockets {
	ns := l.nodes[node]
	if ns == nil {
		ns = &nodeSockets{sockets: map[string]int{}}
		l.nodes[node] = ns
	}
	ns.seen = time.Now()
	return ns
}

// sweep forgets nodes not heard from for NodeTTL: their sockets stop counting, and
// their agents leave presence after the disconnect grace. Real time: it measures
// other processes, not the schedule.
func (l *leader) sweep() {
	defer l.wg.Done()
	t := time.NewTicker(l.n.o.Heartbeat)
	defer t.Stop()
	for {
		select {
		case <-l.stopc:
			return
		case <-t.C:
		}
		var dead []string
		l.mu.Lock()
		for id, ns := range l.nodes {
			if time.Since(ns.seen) >= l.n.o.NodeTTL {
				dead = append(dead, id)
			}
		}
		l.mu.Unlock()
		for _, id := range dead {
			l.n.log.Warn("node stopped beating: its sockets no longer count", zap.String("node", id))
			l.forget(id)
		}
	}
}
