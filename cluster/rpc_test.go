package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/livedesk/gateway/internal/redistest"
	"github.com/livedesk/gateway/routing"
	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"
)

// types reports an op's request and response types (for the tests below).
func (o op[Req, Res]) types() (req, res reflect.Type) {
	return reflect.TypeFor[Req](), reflect.TypeFor[Res]()
}

// Every op is in the registry under its own name, once; a second op of a name is
// refused.
func TestOpsRegistry(t *testing.T) {
	var names []string
	for name := range ops {
		names = append(names, name)
	}
	sort.Strings(names)
	want := []string{"activity", "agent_changed", "agent_deleted", "agent_loads", "connect", "department_status", "departments_changed",
		"disconnect", "end", "end_snooze", "heartbeat", "join_visitor", "leave", "presence", "site_changed", "site_deleted",
		"snooze", "start", "status", "transfer"}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("ops %v, want %v", names, want)
	}
	if len(opList) != len(ops) {
		t.Fatalf("%d ops listed, %d registered", len(opList), len(ops))
	}
	defer func() {
		if recover() == nil {
			t.Fatal("two ops of one name were registered")
		}
	}()
	registry(opStatus, op[statusReq, statusRes]{name: "status"})
}

// Every struct a call or an answer carries names its fields on the wire: the
// request and response types of every op, and the routing and deskapi types in
// them, have a JSON tag on every exported field.
func TestTravellingTypesHaveJSONTags(t *testing.T) {
	seen := map[reflect.Type]bool{}
	var check func(path string, ty reflect.Type)
	check = func(path string, ty reflect.Type) {
		for ty.Kind() == reflect.Pointer || ty.Kind() == reflect.Slice || ty.Kind() == reflect.Map {
			ty = ty.Elem()
		}
		if ty.Kind() != reflect.Struct || seen[ty] || ty.PkgPath() == "time" {
			return
		}
		seen[ty] = true
		for i := 0; i < ty.NumField(); i++ {
			f := ty.Field(i)
			if !f.IsExported() {
				continue
			}
			if _, ok := f.Tag.Lookup("json"); !ok {
				t.Errorf("%s: %s.%s travels without a JSON tag", path, ty, f.Name)
			}
			check(path, f.Type)
		}
	}
	for _, o := range opList {
		name, _ := o.entry()
		req, res := o.(interface {
			types() (reflect.Type, reflect.Type)
		}).types()
		check(name, req)
		check(name, res)
	}
	if !seen[reflect.TypeFor[routing.StartRequest]()] || !seen[reflect.TypeFor[routing.AgentSnapshot]()] {
		t.Fatal("the routing types were not reached")
	}
}

// An answer of another wire version is refused on the node, whatever it says.
func TestNodeRefusesAnAnswerOfAnotherVersion(t *testing.T) {
	c := newRPCClient("n1", nil, time.Second)
	for _, v := range []int{0, 1, wireVersion + 1} {
		pc := &pendingCall{c: c, id: 1, ch: make(chan rpcReply, 1)}
		pc.ch <- rpcReply{V: v, ID: 1, Result: json.RawMessage(`{"available":1}`)}
		if _, err := opStatus.wait(context.Background(), pc); !errors.Is(err, ErrWireVersion) {
			t.Fatalf("answer of version %d: %v, want ErrWireVersion", v, err)
		}
	}
}

// The errors that cross nodes keep their identity, the two of the RPC itself
// included.
func TestRPCErrorsCrossNodes(t *testing.T) {
	for _, e := range rpcErrs {
		code, msg := encodeRPCError(e.err)
		if got := decodeRPCError(code, msg); !errors.Is(got, e.err) {
			t.Errorf("%v crossed as %q and came back as %v", e.err, code, got)
		}
	}
	code, msg := encodeRPCError(errors.New("boom"))
	if code != "internal" || !strings.Contains(decodeRPCError(code, msg).Error(), "boom") {
		t.Errorf("an unknown error crossed as %q %q", code, msg)
	}
}

// A leader answers a call of another version (an older build sends none) or of
// an op it does not know with an error that says so, over real Redis, and only
// a call of its version and a known op reaches a handler.
func TestLeaderAnswersOtherVersionsAndUnknownOpsWithAnError(t *testing.T) {
	srv := redistest.Start(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	t.Cleanup(func() { _ = rdb.Close() })
	ctx := context.Background()
	sub := rdb.Subscribe(ctx, "t:"+chanNode+"n1")
	t.Cleanup(func() { _ = sub.Close() })
	if _, err := sub.Receive(ctx); err != nil {
		t.Fatal(err)
	}
	n := &Node{log: zap.NewNop(), pub: newPublisher(rdb, "t:", zap.NewNop())}
	t.Cleanup(n.pub.close)
	l := &leader{n: n, stopc: make(chan struct{})}
	for i := 0; i < leaderShards; i++ {
		ch := make(chan rpcRequest, 8)
		l.work = append(l.work, ch)
		l.wg.Add(1)
		go l.worker(ch)
	}
	t.Cleanup(func() { close(l.stopc); l.wg.Wait() })

	cases := []struct {
		call string
		want error
	}{
		{`{"id":1,"node":"n1","op":"status","key":"s","a":{"id":"s"}}`, ErrWireVersion},
		{`{"v":5,"id":2,"node":"n1","op":"status","key":"s","a":{"site":"s"}}`, ErrWireVersion},
		{`{"v":4,"id":3,"node":"n1","op":"visitor_conv","key":"s","a":{"id":"v"}}`, ErrUnknownOp},
		{`{"v":4,"id":4,"node":"n1","op":"status","key":"s","a":"not an object"}`, errBadCall},
	}
	// A one-way call of another version gets no answer: the next answer is the
	// next call's (same key, so the same shard, in order).
	l.dispatch([]byte(`{"node":"n1","op":"activity","key":"s","a":{"id":"a"},"ow":true}`))
	for _, c := range cases {
		l.dispatch([]byte(c.call))
		m, err := sub.ReceiveMessage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var r rpcReply
		if err := json.Unmarshal([]byte(m.Payload), &r); err != nil {
			t.Fatal(err)
		}
		var req rpcRequest
		_ = json.Unmarshal([]byte(c.call), &req)
		if r.ID != req.ID || r.V != wireVersion {
			t.Fatalf("%s: answer %+v", c.call, r)
		}
		got := decodeRPCError(r.Err, r.Msg)
		if c.want == errBadCall {
			if r.Err != "internal" || !strings.Contains(r.Msg, errBadCall.Error()) {
				t.Fatalf("%s: answer %+v, want a malformed call", c.call, r)
			}
			continue
		}
		if !errors.Is(got, c.want) {
			t.Fatalf("%s: answer %+v (%v), want %v", c.call, r, got, c.want)
		}
		if req.V != wireVersion && !strings.Contains(r.Msg, "version") {
			t.Fatalf("%s: the message does not name the versions: %q", c.call, r.Msg)
		}
	}
}
