package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// fleetVisitor is one visitor socket of a fleet, with what a resume needs.
type fleetVisitor struct {
	i    int
	base *url.URL
	src  net.IP

	conn    atomic.Pointer[wsConn]
	closing atomic.Bool // this side is closing the socket: not a failure

	id      string // visitor_id of the first welcome
	token   string // visitor_token: a reconnect resumes this identity
	lastSeq int64
	// welcomeAt is the wall clock (Unix ns) when the first welcome arrived.
	welcomeAt int64
}

// fleet opens visitor sockets at a bounded rate over several nodes and source
// addresses and reads every socket all the time: coder/websocket answers the
// server's pings only while a read is in progress, and an idle socket that does not
// answer is closed by the gateway.
type fleet struct {
	cfg  *config
	srcs *sources
	vs   []*fleetVisitor

	connectTime durations
	failures    counters // initial connects that failed, by reason
	closes      counters // sockets the server (or the network) closed while held
	errFrames   counters // error frames received after welcome, by code
	open        atomic.Int64

	// onFrame, when set, sees every frame read after welcome with its arrival time.
	onFrame func(v *fleetVisitor, f *visitorFrame, wall time.Time)

	stopping atomic.Bool // close has begun: sockets ending now are not failures
	readers  sync.WaitGroup

	connectStart, connectEnd time.Time
}

func newFleet(cfg *config, srcs *sources) *fleet {
	f := &fleet{cfg: cfg, srcs: srcs, vs: make([]*fleetVisitor, cfg.visitors)}
	for i := range f.vs {
		f.vs[i] = &fleetVisitor{i: i, base: cfg.visitorURLs[i%len(cfg.visitorURLs)], src: srcs.at(i)}
	}
	return f
}

// hello is the visitor's hello: a new identity, or a resume of v's.
func (v *fleetVisitor) hello(resume bool) map[string]any {
	h := map[string]any{"type": "hello", "lang": "en"}
	if resume && v.token != "" {
		h["visitor_token"] = v.token
		h["last_seq"] = v.lastSeq
	}
	return h
}

// connect opens every socket: at most cfg.connectRate new sockets a second (0: no
// pacing) and cfg.connectWorkers handshakes in flight. A failed connect is counted,
// not retried. It returns when every attempt has finished.
func (f *fleet) connect(ctx context.Context) {
	f.connectStart = time.Now()
	sem := make(chan struct{}, f.cfg.connectWorkers)
	var wg sync.WaitGroup
	for i, v := range f.vs {
		if f.cfg.connectRate > 0 {
			at := f.connectStart.Add(time.Duration(float64(i) / f.cfg.connectRate * float64(time.Second)))
			if d := time.Until(at); d > 0 {
				select {
				case <-time.After(d):
				case <-ctx.Done():
				}
			}
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			f.failures.add("cancelled")
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			start := time.Now()
			c, w, err := dialVisitor(ctx, visitorURL(v.base, f.cfg.site), v.src, v.hello(false), f.cfg.dialTimeout)
			if err != nil {
				f.failures.add(failReason(err))
				return
			}
			f.connectTime.add(time.Since(start))
			v.id, v.token, v.lastSeq, v.welcomeAt = w.VisitorID, w.VisitorToken, w.lastSeq(), wallNow().UnixNano()
			f.attach(v, c)
		}()
	}
	wg.Wait()
	f.connectEnd = time.Now()
}

// attach makes c v's socket and starts its reader.
func (f *fleet) attach(v *fleetVisitor, c *wsConn) {
	v.conn.Store(c)
	v.closing.Store(false)
	f.open.Add(1)
	f.readers.Add(1)
	go f.read(v, c)
}

// wsCloseReason names why a held socket ended.
func wsCloseReason(err error) string {
	if code := closeCode(err); code != -1 {
		return fmt.Sprintf("close %d", code)
	}
	return "read error: " + failReason(err)
}

func (f *fleet) read(v *fleetVisitor, c *wsConn) {
	defer f.readers.Done()
	defer f.open.Add(-1)
	for {
		b, err := c.readMessage() // answers pings; close ends it by closing the socket
		wall := wallNow()
		if err != nil {
			// Not a failure when this side closed it or replaced it already.
			if !f.stopping.Load() && !v.closing.Load() && v.conn.Load() == c {
				f.closes.add(wsCloseReason(err))
			}
			return
		}
		var fr visitorFrame
		if json.Unmarshal(b, &fr) != nil {
			continue
		}
		if fr.Type == "error" {
			f.errFrames.add(fr.Code)
		}
		if f.onFrame != nil {
			f.onFrame(v, &fr, wall)
		}
	}
}

// connected is how many visitors got their first welcome.
func (f *fleet) connected() int {
	n := 0
	for _, v := range f.vs {
		if v.welcomeAt != 0 {
			n++
		}
	}
	return n
}

// close closes every socket (no close handshake: it is the end of the run) and waits
// for the readers.
func (f *fleet) close() {
	f.stopping.Store(true)
	for _, v := range f.vs {
		if c := v.conn.Load(); c != nil {
			c.closeNow()
		}
	}
	f.readers.Wait()
}

// FleetReport is what idle, fanout and storm have in common: how the visitor
// sockets were opened and held, and what the gateway nodes said about themselves.
type FleetReport struct {
	// Processes is how many load generator processes this report covers (merged).
	Processes int `json:"processes"`
	Visitors  int `json:"visitors"`
	Connected int `json:"connected"`
	// Held is how many sockets were open at the end of the run.
	Held int `json:"held"`
	// Failures are the first connects that failed, by reason.
	Failures       map[string]int `json:"connect_failures"`
	ConnectSeconds float64        `json:"connect_s"`
	ConnectRate    float64        `json:"connect_rate_target"`
	ConnectTime    Dist           `json:"connect_time"`
	Sources        []string       `json:"sources"`
	Nodes          []NodeReport   `json:"nodes"`
}

func (f *fleet) report(nodes *nodeSet) FleetReport {
	r := FleetReport{Processes: 1, Visitors: len(f.vs), Connected: f.connected(), Held: int(f.open.Load()),
		Failures: f.failures.snapshot(), ConnectSeconds: roundTo(f.connectEnd.Sub(f.connectStart).Seconds(), 3),
		ConnectRate: f.cfg.connectRate, ConnectTime: f.connectTime.dist(), Sources: []string{f.srcs.String()}}
	if nodes != nil {
		r.Nodes = nodes.reports
	}
	return r
}

func (r FleetReport) print() {
	fmt.Printf("connected   %d of %d in %.1fs (target %s per process, %d process(es)); failures %v\n",
		r.Connected, r.Visitors, r.ConnectSeconds, rateText(r.ConnectRate), r.Processes, r.Failures)
	fmt.Printf("connect     %s\n", r.ConnectTime)
	fmt.Printf("held        %d sockets open at the end\n", r.Held)
	for _, n := range r.Nodes {
		fmt.Printf("node        %s\n", n)
	}
}
