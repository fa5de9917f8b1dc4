package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/livedesk/gateway/routing"
	"github.com/livedesk/gateway/store"
)

// Calls to the leader's desk travel over pub/sub: the request on rpc:leader, the
// answer on the caller's rpc:node:<id>. Pub/sub is at most once, so a call that gets
// no answer within the call timeout fails with store.ErrUnavailable; every frame
// that makes a call is idempotent by its id, so the client's resend is safe.

// rpcRequest is a call. Key orders calls: the leader handles calls with the same key
// one at a time, in the order they were published.
type rpcRequest struct {
	ID   uint64          `json:"id"`
	Node string          `json:"node"`
	Op   string          `json:"op"`
	Key  string          `json:"key"`
	Args json.RawMessage `json:"a,omitempty"`
	// OneWay calls get no answer.
	OneWay bool `json:"ow,omitempty"`
}

// rpcReply answers a call: Err is one of the codes of rpcErrs (or "internal").
type rpcReply struct {
	ID     uint64          `json:"id"`
	Err    string          `json:"err,omitempty"`
	Msg    string          `json:"msg,omitempty"`
	Result json.RawMessage `json:"r,omitempty"`
}

var (
	errNoLeader      = fmt.Errorf("%w: no cluster leader is reachable", store.ErrUnavailable)
	errCallTimeout   = fmt.Errorf("%w: the cluster leader did not answer in time", store.ErrUnavailable)
	errPublisherFull = fmt.Errorf("%w: too many messages waiting for Redis", store.ErrUnavailable)
)

// rpcErrs are the errors that cross nodes with their identity.
var rpcErrs = []struct {
	code string
	err  error
}{
	{"unknown_site", routing.ErrUnknownSite},
	{"exists", routing.ErrConversationExists},
	{"not_in", routing.ErrNotInConversation},
	{"snooze_end", routing.ErrSnoozeEnd},
	{"not_found", store.ErrNotFound},
	{"unavailable", store.ErrUnavailable},
}

func encodeRPCError(err error) (code, msg string) {
	for _, e := range rpcErrs {
		if errors.Is(err, e.err) {
			return e.code, err.Error()
		}
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return "unavailable", err.Error()
	}
	return "internal", err.Error()
}

func decodeRPCError(code, msg string) error {
	for _, e := range rpcErrs {
		if e.code == code {
			if msg == "" || msg == e.err.Error() {
				return e.err
			}
			return fmt.Errorf("%w (leader: %s)", e.err, msg)
		}
	}
	return fmt.Errorf("cluster leader: %s", msg)
}

// rpcClient makes calls to the leader and matches the answers.
//
// Lock rule: mu guards pending.
type rpcClient struct {
	node    string
	pub     *publisher
	timeout time.Duration
	next    atomic.Uint64
	// failures counts calls that ended in unavailable (metrics).
	failures atomic.Uint64

	mu      sync.Mutex
	pending map[uint64]chan rpcReply
}

func newRPCClient(node string, pub *publisher, timeout time.Duration) *rpcClient {
	return &rpcClient{node: node, pub: pub, timeout: timeout, pending: map[uint64]chan rpcReply{}}
}

// call sends op to the leader and decodes its answer into result (when not nil).
func (c *rpcClient) call(ctx context.Context, op, key string, args, result any) error {
	return c.begin(op, key, args).wait(ctx, result)
}

// pendingCall is a call sent and not yet answered.
type pendingCall struct {
	c   *rpcClient
	id  uint64
	ch  chan rpcReply
	err error
}

// begin queues the call on the ordered publisher and returns at once: calls begun
// in some order (with the same key) reach the leader in that order.
func (c *rpcClient) begin(op, key string, args any) *pendingCall {
	a, err := json.Marshal(args)
	if err != nil {
		return &pendingCall{err: err}
	}
	id := c.next.Add(1)
	pc := &pendingCall{c: c, id: id, ch: make(chan rpcReply, 1)}
	c.mu.Lock()
	c.pending[id] = pc.ch
	c.mu.Unlock()
	req, _ := json.Marshal(rpcRequest{ID: id, Node: c.node, Op: op, Key: key, Args: a})
	c.pub.publish(chanLeader, req, func(n int64, err error) {
		switch {
		case err != nil:
			c.deliver(rpcReply{ID: id, Err: "unavailable", Msg: err.Error()})
		case n == 0: // nobody leads right now: fail at once rather than time out
			c.deliver(rpcReply{ID: id, Err: "unavailable", Msg: errNoLeader.Error()})
		}
	})
	return pc
}

// wait waits for the answer (at most the call timeout) and decodes it into result.
func (pc *pendingCall) wait(ctx context.Context, result any) error {
	if pc.err != nil {
		return pc.err
	}
	c := pc.c
	defer func() {
		c.mu.Lock()
		delete(c.pending, pc.id)
		c.mu.Unlock()
	}()
	t := time.NewTimer(c.timeout)
	defer t.Stop()
	select {
	case r := <-pc.ch:
		if r.Err == "unavailable" {
			c.failures.Add(1)
		}
		if r.Err != "" {
			if r.Msg == errNoLeader.Error() {
				return errNoLeader
			}
			return decodeRPCError(r.Err, r.Msg)
		}
		if result != nil && len(r.Result) > 0 {
			return json.Unmarshal(r.Result, result)
		}
		return nil
	case <-t.C:
		c.failures.Add(1)
		return errCallTimeout
	case <-ctx.Done():
		return fmt.Errorf("%w: %v", store.ErrUnavailable, ctx.Err())
	}
}

// cast sends op to the leader without waiting for an answer.
func (c *rpcClient) cast(op, key string, args any) {
	a, err := json.Marshal(args)
	if err != nil {
		return
	}
	req, _ := json.Marshal(rpcRequest{Node: c.node, Op: op, Key: key, Args: a, OneWay: true})
	c.pub.publish(chanLeader, req, nil)
}

// deliver hands an answer to its waiting call (answers nobody waits for are
// dropped: the call timed out).
func (c *rpcClient) deliver(r rpcReply) {
	c.mu.Lock()
	ch := c.pending[r.ID]
	c.mu.Unlock()
	if ch != nil {
		select {
		case ch <- r:
		default:
		}
	}
}
