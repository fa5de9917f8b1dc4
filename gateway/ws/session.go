package ws

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/livedesk/gateway/clock"
	"github.com/livedesk/gateway/gateway/api"
	"github.com/livedesk/gateway/hub"
	"github.com/livedesk/gateway/protocol"
	"github.com/livedesk/gateway/store"
	"go.uber.org/zap"
	"golang.org/x/time/rate"
)

// Rate limits per socket (docs/protocol.md#websocket-frames). Every frame over the
// limit also takes a token from the abuse bucket; an empty abuse bucket is sustained
// abuse: close 4004.
var (
	visitorRate  = rateSpec{perSecond: 10, burst: 20}
	agentRate    = rateSpec{perSecond: 50, burst: 100}
	abuseRate    = rateSpec{perSecond: 1, burst: 20}
	errNoSession = errors.New("no session")
)

type rateSpec struct {
	perSecond float64
	burst     int
}

func (r rateSpec) limiter() *rate.Limiter { return rate.NewLimiter(rate.Limit(r.perSecond), r.burst) }

// session is one socket, a visitor's or an agent's.
//
// Lock rule: mu guards groups and the identity fields set at hello; the read loop is
// the only goroutine that handles frames, so handlers need no lock for their own
// sequencing.
type session struct {
	rt      *Realtime
	conn    *websocket.Conn
	client  *hub.Client
	visitor bool
	siteID  string // visitor sockets: the site of the widget
	page    string
	lang    string // visitor's language and time zone, from its hello
	tz      string
	number  int64 // the visitor's number on the site once asked for (visitorNumber); read loop only
	// release gives the socket's place under its address's cap back (cleanup).
	release func()

	helloed    atomic.Bool
	helloTimer clock.Timer
	limiter    *rate.Limiter
	abuse      *rate.Limiter

	mu        sync.Mutex
	visitorID string
	agent     *store.Agent
	groups    []string
	// liveConv is the conversation a visitor's last message went to: the next one
	// goes straight to it (the store checks it is still the visitor's and live).
	liveConv string
}

// newSession wraps an upgraded socket, registers it and starts its reader.
func (rt *Realtime) newSession(conn *websocket.Conn, visitor bool, siteID string, release func()) *session {
	ss := &session{rt: rt, conn: conn, visitor: visitor, siteID: siteID, release: release}
	spec := agentRate
	if visitor {
		spec = visitorRate
	}
	ss.limiter, ss.abuse = spec.limiter(), abuseRate.limiter()
	ss.client = hub.NewClient(hub.WebSocket(conn), hub.ClientOptions{QueueLimit: sendQueue, WriteTimeout: writeTimeout})
	rt.sessions.Store(ss, struct{}{})
	rt.nSockets.Add(1)
	ss.helloTimer = rt.clock.AfterFunc(helloTimeout, func() {
		if !ss.helloed.Load() {
			ss.client.Close(hub.CloseUnauthorized, "hello expected within 10 s")
		}
	})
	go ss.readLoop()
	return ss
}

// join adds the socket to a hub group and remembers it for the cleanup.
func (ss *session) join(group string) {
	ss.mu.Lock()
	ss.groups = append(ss.groups, group)
	ss.mu.Unlock()
	// Subscribed before joining: once the welcome's snapshot is taken, every later
	// frame of the group reaches this node.
	ss.rt.node.Subscribe(group)
	ss.rt.hub.Join(group, ss.client)
}

// setGroups makes the socket a member of exactly groups: it joins the new ones
// before it leaves the old ones, so a group it stays in is never left (in cluster
// mode, never unsubscribed) for a moment.
func (ss *session) setGroups(groups []string) {
	ss.mu.Lock()
	old := ss.groups
	ss.mu.Unlock()
	has := func(list []string, g string) bool {
		for _, x := range list {
			if x == g {
				return true
			}
		}
		return false
	}
	for _, g := range groups {
		if !has(old, g) {
			ss.join(g)
		}
	}
	for _, g := range old {
		if !has(groups, g) {
			ss.leave(g)
		}
	}
}

// leave takes the socket out of one group.
func (ss *session) leave(group string) {
	ss.mu.Lock()
	for i, g := range ss.groups {
		if g == group {
			ss.groups = append(ss.groups[:i:i], ss.groups[i+1:]...)
			break
		}
	}
	ss.mu.Unlock()
	ss.rt.hub.Leave(group, ss.client)
	ss.rt.node.Unsubscribe(group)
}

// leaveAll takes the socket out of every group it joined.
func (ss *session) leaveAll() []string {
	groups := ss.takeGroups()
	ss.rt.leaveGroups(ss.client, groups)
	return groups
}

// takeGroups empties the socket's list of groups and returns what it held.
func (ss *session) takeGroups() []string {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	groups := ss.groups
	ss.groups = nil
	return groups
}

// leaveGroups takes c out of groups (and, in cluster mode, drops the node's
// references to their channels).
func (rt *Realtime) leaveGroups(c *hub.Client, groups []string) {
	for _, g := range groups {
		rt.hub.Leave(g, c)
		rt.node.Unsubscribe(g)
	}
}

// readLoop reads frames until the socket closes, then cleans up. It is the only
// goroutine that reads this socket.
func (ss *session) readLoop() {
	defer ss.cleanup()
	ctx := context.Background()
	for {
		typ, data, err := ss.conn.Read(ctx)
		if err != nil {
			switch websocket.CloseStatus(err) {
			case websocket.StatusMessageTooBig:
				ss.client.Close(hub.CloseTooBig, "frame larger than 16 KiB")
			case -1:
				// No close frame: the connection broke (or was closed here). A close
				// handshake would only write to a dead socket and wait out its
				// timeout; in a reconnect storm that is thousands of each.
				_ = ss.conn.CloseNow()
			}
			return
		}
		now := ss.rt.clock.Now()
		if !ss.limiter.AllowN(now, 1) {
			f, _ := protocol.Decode(ss.side(), data)
			ss.sendErr(frameID(f), protocol.Errorf(protocol.CodeRateLimited, "", "too many frames: slow down"))
			if !ss.abuse.AllowN(now, 1) {
				ss.client.CloseAfter(hub.CloseRateLimited, "rate limit exceeded")
				return
			}
			continue
		}
		if typ != websocket.MessageText {
			ss.sendErr("", protocol.Errorf(protocol.CodeBadRequest, "", "frames are JSON text"))
			continue
		}
		if !ss.handle(data) {
			return
		}
		select {
		case <-ss.client.Done():
			return
		default:
		}
	}
}

// handle processes one frame; false means the socket is closing and no further
// frame may be read. The order is the contract's: a frame that does not decode is
// answered first, then ping, then the hello gate, then the frame's own rules.
func (ss *session) handle(data []byte) bool {
	f, fe := protocol.Decode(ss.side(), data)
	if fe != nil {
		ss.sendErr(frameID(f), fe)
		return true
	}
	if _, ok := f.(*protocol.Ping); ok {
		ss.send(protocol.Encode(protocol.Pong{}))
		return true
	}
	if !ss.helloed.Load() {
		if f.FrameType() != "hello" {
			ss.sendErr(f.FrameID(), protocol.Errorf(protocol.CodeUnauth, "type", "the first frame must be hello"))
			ss.client.CloseAfter(hub.CloseUnauthorized, "hello expected")
			return false
		}
		// Marked before the welcome goes out: a client may act on the welcome (and
		// the clock move) before this goroutine gets further.
		ss.helloed.Store(true)
		stopTimer(ss.helloTimer)
		var err *protocol.Error
		switch f := f.(type) {
		case *protocol.VisitorHello:
			err = ss.visitorHello(f)
		case *protocol.AgentHello:
			err = ss.agentHello(f)
		}
		if err != nil {
			ss.sendErr(f.FrameID(), err)
			code := hub.CloseUnauthorized
			if err.Code == protocol.CodeUnavailable {
				// Not the client's fault: it reconnects with backoff and keeps
				// its identity.
				code = hub.CloseTryAgain
			}
			ss.client.CloseAfter(code, err.Message)
			return false
		}
		return true
	}
	var err *protocol.Error
	switch {
	case f.FrameType() == "hello":
		err = protocol.Errorf(protocol.CodeBadRequest, "type", "hello was already received")
	case ss.visitor:
		err = ss.visitorFrame(f)
	default:
		err = ss.agentFrame(f)
	}
	if err != nil {
		ss.sendErr(f.FrameID(), err)
	}
	return true
}

// side is the protocol side of the socket.
func (ss *session) side() protocol.Side {
	if ss.visitor {
		return protocol.VisitorSide
	}
	return protocol.AgentSide
}

// frameID is the id of a frame that may not have decoded (nil): what its error
// carries as re.
func frameID(f protocol.Inbound) string {
	if f == nil {
		return ""
	}
	return f.FrameID()
}

func stopTimer(t clock.Timer) {
	if t != nil {
		t.Stop()
	}
}

// cleanup runs once the socket is gone: out of every group, out of presence.
func (ss *session) cleanup() {
	// A close already asked for (4004, 4002, 1012...) keeps its code.
	ss.client.CloseAfter(hub.CloseNormal, "")
	stopTimer(ss.helloTimer)
	if groups := ss.takeGroups(); len(groups) > 0 {
		ss.rt.leaving.push(ss.client, groups) // see leaver
	}
	ss.rt.sessions.Delete(ss)
	ss.mu.Lock()
	agent := ss.agent
	ss.mu.Unlock()
	if agent != nil && ss.helloed.Load() {
		ss.rt.desk.AgentDisconnected(agent.ID)
	}
	ss.release()
	// Counted down last, so a socket no longer counted is one the desk has
	// already seen go, and its address's cap has its place back (the tests wait
	// on this).
	ss.rt.nSockets.Add(-1)
}

func (ss *session) send(b []byte) { ss.client.Send(b) }

func (ss *session) sendErr(re string, fe *protocol.Error) { ss.send(protocol.Encode(fe.Frame(re))) }

// storeFrameErr maps a store or desk error to an error frame (api.SocketError).
func (ss *session) storeFrameErr(err error) *protocol.Error {
	if fe, ok := api.SocketError(err); ok {
		return fe
	}
	ss.rt.log.Error("frame failed", zap.Error(err))
	return protocol.Errorf(protocol.CodeInternal, "", "internal error")
}

// opCtx bounds one store operation made for a frame.
func opCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 5*time.Second)
}
