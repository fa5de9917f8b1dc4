package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// agentPool is the connected agents; every socket is read all the time (an agent that
// does not keep up is closed 4003 by the gateway).
type agentPool struct {
	conns     []*websocket.Conn
	assigned  sync.Map // conversation id -> struct{}
	nAssigned atomic.Int64
	closes    counters
	errors    counters
	onMessage func(f *frame, at time.Duration)
	onFrame   agentFrameHook
	wg        sync.WaitGroup
}

// agentFrameHook sees every frame agent i's socket reads (raw, with its type) at
// its arrival time, on that socket's reading goroutine.
type agentFrameHook func(i int, typ string, raw []byte, at time.Duration)

func connectAgents(ctx context.Context, cfg *config, creds []*agentCred, base time.Time, onMessage func(*frame, time.Duration)) (*agentPool, error) {
	return connectAgentPool(ctx, creds, base, onMessage, nil)
}

// connectAgentPool connects every agent of creds and reads their sockets until ctx
// ends or close; onMessage (pushed messages) and onFrame (every frame) may be nil.
func connectAgentPool(ctx context.Context, creds []*agentCred, base time.Time, onMessage func(*frame, time.Duration), onFrame agentFrameHook) (*agentPool, error) {
	p := &agentPool{conns: make([]*websocket.Conn, len(creds)), onMessage: onMessage, onFrame: onFrame}
	err := parallel(ctx, len(creds), 16, func(i int) error {
		c, err := dial(ctx, agentURL(creds[i].base), map[string]any{"type": "hello", "token": creds[i].token})
		if err != nil {
			return fmt.Errorf("agent %s: %w", creds[i].email, err)
		}
		p.conns[i] = c
		return nil
	})
	if err != nil {
		p.close()
		return nil, err
	}
	for i, c := range p.conns {
		p.wg.Add(1)
		go p.read(ctx, i, c, base)
	}
	return p, nil
}

func (p *agentPool) read(ctx context.Context, i int, c *websocket.Conn, base time.Time) {
	defer p.wg.Done()
	for {
		_, b, err := c.Read(ctx)
		now := time.Since(base)
		if err != nil {
			if ctx.Err() == nil {
				p.closes.add(closeReason(err))
			}
			return
		}
		var f frame
		if json.Unmarshal(b, &f) != nil {
			continue
		}
		if p.onFrame != nil {
			p.onFrame(i, f.Type, b, now)
		}
		switch f.Type {
		case "chat.assigned":
			if f.Conversation != nil {
				if _, dup := p.assigned.LoadOrStore(f.Conversation.ID, struct{}{}); !dup {
					p.nAssigned.Add(1)
				}
			}
		case "message":
			if p.onMessage != nil {
				p.onMessage(&f, now)
			}
		case "error":
			p.errors.add(f.Code)
		}
	}
}

func (p *agentPool) close() {
	for _, c := range p.conns {
		if c != nil {
			c.Close(websocket.StatusNormalClosure, "")
		}
	}
}

func closeReason(err error) string {
	if s := websocket.CloseStatus(err); s != -1 {
		return fmt.Sprintf("close %d", int(s))
	}
	return "read error"
}

// waitFor polls cond every 50 ms until it holds or timeout passes.
func waitFor(ctx context.Context, timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) || ctx.Err() != nil {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
	return true
}
