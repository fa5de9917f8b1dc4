package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/livedesk/gateway/protocol"
)

// frame is the union of the server frames the load generator reads.
type frame struct {
	Type           string `json:"type"`
	Re             string `json:"re"`
	Code           string `json:"code"`
	Message        string `json:"message"`
	ConversationID string `json:"conversation_id"`
	Seq            int64  `json:"seq"`
	From           string `json:"from"`
	Text           string `json:"text"`
	Conversation   *struct {
		ID    string `json:"id"`
		State string `json:"state"`
	} `json:"conversation"`
}

// dial opens a socket and does the hello/welcome exchange; hello is the frame as
// JSON encodes it (a map, or protocol.Encode's bytes as a json.RawMessage).
func dial(ctx context.Context, u string, hello any) (*websocket.Conn, error) {
	dctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(dctx, u, nil)
	if err != nil {
		return nil, err
	}
	c.SetReadLimit(4 << 20)
	if err := writeJSON(dctx, c, hello); err != nil {
		c.CloseNow()
		return nil, err
	}
	for {
		_, b, err := c.Read(dctx)
		if err != nil {
			c.CloseNow()
			return nil, fmt.Errorf("waiting for welcome: %w", err)
		}
		var f frame
		if json.Unmarshal(b, &f) == nil && f.Type == "welcome" {
			return c, nil
		}
		if f.Type == "error" {
			c.CloseNow()
			return nil, fmt.Errorf("hello: %s %s", f.Code, f.Message)
		}
	}
}

func writeJSON(ctx context.Context, c *websocket.Conn, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return c.Write(wctx, websocket.MessageText, b)
}

// writeFrame sends a protocol frame (protocol.Encode: its type first).
func writeFrame(ctx context.Context, c *websocket.Conn, f protocol.Frame) error {
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return c.Write(wctx, websocket.MessageText, protocol.Encode(f))
}

func visitorURL(base *url.URL, site string) string {
	return wsURL(base, "/ws/visitor", url.Values{"site": {site}})
}

func agentURL(base *url.URL) string { return wsURL(base, "/ws/agent", nil) }

// counters counts strings (error codes, close reasons, outcomes).
type counters struct {
	mu sync.Mutex
	m  map[string]int
}

func (c *counters) add(k string) {
	c.mu.Lock()
	if c.m == nil {
		c.m = map[string]int{}
	}
	c.m[k]++
	c.mu.Unlock()
}

func (c *counters) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.m))
	for k, v := range c.m {
		out[k] = v
	}
	return out
}

// samples collects latencies.
type samples struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *samples) add(d time.Duration) {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
}

// Percentiles is a latency summary in milliseconds.
type Percentiles struct {
	Count int     `json:"count"`
	P50   float64 `json:"p50_ms"`
	P90   float64 `json:"p90_ms"`
	P99   float64 `json:"p99_ms"`
	Max   float64 `json:"max_ms"`
	Mean  float64 `json:"mean_ms"`
}

func (s *samples) summary() Percentiles {
	s.mu.Lock()
	d := slices.Clone(s.d)
	s.mu.Unlock()
	if len(d) == 0 {
		return Percentiles{}
	}
	slices.Sort(d)
	ms := func(x time.Duration) float64 { return math.Round(float64(x)/1e3) / 1e3 }
	at := func(q float64) float64 {
		i := int(math.Ceil(q*float64(len(d)))) - 1
		return ms(d[max(0, min(i, len(d)-1))])
	}
	var sum time.Duration
	for _, x := range d {
		sum += x
	}
	return Percentiles{Count: len(d), P50: at(0.50), P90: at(0.90), P99: at(0.99), Max: ms(d[len(d)-1]), Mean: ms(sum / time.Duration(len(d)))}
}

func (p Percentiles) String() string {
	if p.Count == 0 {
		return "no samples"
	}
	return fmt.Sprintf("p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms  (n=%d)", p.P50, p.P90, p.P99, p.Max, p.Count)
}
