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
//
// Each call is one of the typed operations of ops.go; requests and answers carry
// wireVersion, and a leader answers a call of another version, or of an op it does
// not know, with ErrWireVersion or ErrUnknownOp.

// wireVersion is the version of the leader RPC this build speaks. 1 was the
// untyped calls, which carried no version (and so read as 0); 2 the typed ops
// with JSON-tagged routing types; 3 added departments and transfers (issue 15);
// 4 the quiet end of a visitor's erasure (routing.EndRequest.Quiet, issue 16).
// Every node of a cluster runs the same build
// (docs/operations.md#cluster-mode): a call across versions fails clearly
// instead of being misread.
const wireVersion = 4

// rpcRequest is a call. Key orders calls: the leader handles calls with the same key
// one at a time, in the order they were published.
type rpcRequest struct {
	// V is the caller's wireVersion.
	V    int             `json:"v"`
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
	// V is the leader's wireVersion.
	V      int             `json:"v"`
	ID     uint64          `json:"id"`
	Err    string          `json:"err,omitempty"`
	Msg    string          `json:"msg,omitempty"`
	Result json.RawMessage `json:"r,omitempty"`
}

var (
	errNoLeader      = fmt.Errorf("%w: no cluster leader is reachable", store.ErrUnavailable)
	errCallTimeout   = fmt.Errorf("%w: the cluster leader did not answer in time", store.ErrUnavailable)
	errPublisherFull = fmt.Errorf("%w: too many messages waiting for Redis", store.ErrUnavailable)
	errBadCall       = errors.New("cluster: malformed call")
)

// ErrWireVersion is a call or an answer of a wire version this node does not
// speak: the nodes of the cluster run different builds. It is a kind of
// store.ErrUnavailable, so the frame that needed the call is answered
// unavailable and the client retries (the leadership may move to a node of its
// build meanwhile).
var ErrWireVersion = fmt.Errorf("%w: leader RPC of another version (every node must run the same build)", store.ErrUnavailable)

// ErrUnknownOp is a call of an operation the leader does not know (a node of a
// newer build); a kind of store.ErrUnavailable, as ErrWireVersion.
var ErrUnknownOp = fmt.Errorf("%w: unknown leader RPC operation", store.ErrUnavailable)

// rpcErrs are the errors that cross nodes with their identity; the first that an
// error is (errors.Is) gives its code, so kinds come before what they wrap.
var rpcErrs = []struct {
	code string
	err  error
}{
	{"version", ErrWireVersion},
	{"unknown_op", ErrUnknownOp},
	{"unknown_site", routing.ErrUnknownSite},
	{"exists", routing.ErrConversationExists},
	{"not_in", routing.ErrNotInConversation},
	{"snooze_end", routing.ErrSnoozeEnd},
	{"transfer_conflict", routing.ErrTransferConflict},
	{"unknown_agent", routing.ErrUnknownAgent},
	{"unknown_department", routing.ErrUnknownDepartment},
	{"not_open", routing.ErrNotOpen},
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
	if code == "transfer_conflict" {
		// The reason is the message the client is shown: it crosses as it is.
		return &routing.TransferConflict{Reason: msg}
	}
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
	req, _ := json.Marshal(rpcRequest{V: wireVersion, ID: id, Node: c.node, Op: op, Key: key, Args: a})
	c.pub.publish(chanLeader, req, func(n int64, err error) {
		switch {
		case err != nil:
			c.deliver(rpcReply{V: wireVersion, ID: id, Err: "unavailable", Msg: err.Error()})
		case n == 0: // nobody leads right now: fail at once rather than time out
			c.deliver(rpcReply{V: wireVersion, ID: id, Err: "unavailable", Msg: errNoLeader.Error()})
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
		if r.V != wireVersion {
			return fmt.Errorf("%w: answer of version %d, this node speaks %d", ErrWireVersion, r.V, wireVersion)
		}
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
	req, _ := json.Marshal(rpcRequest{V: wireVersion, Node: c.node, Op: op, Key: key, Args: a, OneWay: true})
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

// op is one operation of the leader RPC: its name on the wire, its request and
// response types, and the leader's handler (node is the caller's id).
type op[Req, Res any] struct {
	name   string
	handle func(l *leader, ctx context.Context, node string, req Req) (Res, error)
}

// handler is an op as the registry holds it: it decodes the request itself.
type handler func(l *leader, ctx context.Context, node string, args json.RawMessage) (any, error)

// registered is an op as the registry takes it.
type registered interface{ entry() (string, handler) }

// registry maps each op's name to its handler; two ops of one name are a
// programming error.
func registry(list ...registered) map[string]handler {
	m := make(map[string]handler, len(list))
	for _, o := range list {
		name, h := o.entry()
		if _, dup := m[name]; dup {
			panic("cluster: two leader ops named " + name)
		}
		m[name] = h
	}
	return m
}

func (o op[Req, Res]) entry() (string, handler) {
	return o.name, func(l *leader, ctx context.Context, node string, args json.RawMessage) (any, error) {
		var req Req
		if len(args) > 0 {
			if err := json.Unmarshal(args, &req); err != nil {
				return nil, errBadCall
			}
		}
		return o.handle(l, ctx, node, req)
	}
}

// call sends req to the leader, ordered by key, and waits for the answer.
func (o op[Req, Res]) call(ctx context.Context, c *rpcClient, key string, req Req) (Res, error) {
	return o.wait(ctx, o.begin(c, key, req))
}

// begin queues the call and returns at once (rpcClient.begin); wait gets its answer.
func (o op[Req, Res]) begin(c *rpcClient, key string, req Req) *pendingCall {
	return c.begin(o.name, key, req)
}

// wait waits for the answer of a call begun with begin.
func (o op[Req, Res]) wait(ctx context.Context, pc *pendingCall) (Res, error) {
	var res Res
	err := pc.wait(ctx, &res)
	return res, err
}

// cast sends req to the leader, ordered by key, without waiting for an answer.
func (o op[Req, Res]) cast(c *rpcClient, key string, req Req) { c.cast(o.name, key, req) }
