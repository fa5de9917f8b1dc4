package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// NodeSample is what a gateway's /metrics says about the process at one instant.
type NodeSample struct {
	At         time.Time `json:"at"`
	RSSBytes   float64   `json:"rss_bytes"`
	OpenFDs    float64   `json:"open_fds"`
	Sockets    float64   `json:"ws_sockets"`
	HeapInuse  float64   `json:"heap_inuse_bytes"`
	StackInuse float64   `json:"stack_inuse_bytes"`
	Goroutines float64   `json:"goroutines"`
}

// NodeReport is one gateway node before and after the sockets were opened, and the
// resident memory each added socket cost.
type NodeReport struct {
	URL    string      `json:"url"`
	Before *NodeSample `json:"before,omitempty"`
	After  *NodeSample `json:"after,omitempty"`
	// KiBPerSocket is (RSS after - RSS before) / (sockets after - sockets before).
	KiBPerSocket float64 `json:"kib_per_socket,omitempty"`
	// Error says why a sample is missing (the node has no reachable /metrics).
	Error string `json:"error,omitempty"`
}

// metricNames maps the unlabelled metrics read to NodeSample fields.
var metricNames = map[string]func(*NodeSample, float64){
	"process_resident_memory_bytes": func(s *NodeSample, v float64) { s.RSSBytes = v },
	"process_open_fds":              func(s *NodeSample, v float64) { s.OpenFDs = v },
	"gateway_ws_sockets":            func(s *NodeSample, v float64) { s.Sockets = v },
	"go_memstats_heap_inuse_bytes":  func(s *NodeSample, v float64) { s.HeapInuse = v },
	"go_memstats_stack_inuse_bytes": func(s *NodeSample, v float64) { s.StackInuse = v },
	"go_goroutines":                 func(s *NodeSample, v float64) { s.Goroutines = v },
}

// scrapeNode reads base/metrics.
func scrapeNode(ctx context.Context, base *url.URL) (*NodeSample, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", base.String()+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := httpClientFrom(nil).Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("/metrics: HTTP %d", resp.StatusCode)
	}
	s, err := parseMetrics(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return nil, err
	}
	s.At = wallNow()
	return s, nil
}

// parseMetrics reads the Prometheus text format, keeping the metrics of metricNames.
func parseMetrics(r io.Reader) (*NodeSample, error) {
	s := &NodeSample{}
	found := 0
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		name, rest, ok := strings.Cut(line, " ")
		set := metricNames[name]
		if !ok || set == nil {
			continue
		}
		v, err := strconv.ParseFloat(strings.Fields(rest)[0], 64)
		if err != nil {
			return nil, fmt.Errorf("metric %s: %v", name, err)
		}
		set(s, v)
		found++
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if found == 0 {
		return nil, fmt.Errorf("/metrics has none of the process metrics")
	}
	return s, nil
}

// nodeSet samples every distinct node of a run.
type nodeSet struct {
	bases   []*url.URL
	reports []NodeReport
}

func newNodeSet(bases []*url.URL) *nodeSet {
	n := &nodeSet{}
	seen := map[string]bool{}
	for _, b := range bases {
		if !seen[b.String()] {
			seen[b.String()] = true
			n.bases = append(n.bases, b)
			n.reports = append(n.reports, NodeReport{URL: b.String()})
		}
	}
	return n
}

// sample takes one sample of every node, as before (after == false) or after.
func (n *nodeSet) sample(ctx context.Context, after bool) {
	for i, b := range n.bases {
		s, err := scrapeNode(ctx, b)
		r := &n.reports[i]
		if err != nil {
			r.Error = err.Error()
			continue
		}
		if after {
			r.After = s
		} else {
			r.Before = s
		}
		r.KiBPerSocket = kibPerSocket(r.Before, r.After)
	}
}

func kibPerSocket(before, after *NodeSample) float64 {
	if before == nil || after == nil || after.Sockets <= before.Sockets {
		return 0
	}
	return roundTo((after.RSSBytes-before.RSSBytes)/1024/(after.Sockets-before.Sockets), 2)
}

func roundTo(x float64, digits int) float64 {
	p := math.Pow10(digits)
	return math.Round(x*p) / p
}

func (r NodeReport) String() string {
	if r.Before == nil || r.After == nil {
		if r.Error != "" {
			return fmt.Sprintf("%s: no metrics (%s)", r.URL, r.Error)
		}
		return fmt.Sprintf("%s: incomplete metrics", r.URL)
	}
	mib := func(b float64) float64 { return b / (1 << 20) }
	return fmt.Sprintf("%s: sockets %.0f -> %.0f, RSS %.1f -> %.1f MiB (%.2f KiB/socket), fds %.0f -> %.0f, heap in use %.1f -> %.1f MiB, stacks %.1f -> %.1f MiB, goroutines %.0f -> %.0f",
		r.URL, r.Before.Sockets, r.After.Sockets, mib(r.Before.RSSBytes), mib(r.After.RSSBytes), r.KiBPerSocket,
		r.Before.OpenFDs, r.After.OpenFDs, mib(r.Before.HeapInuse), mib(r.After.HeapInuse),
		mib(r.Before.StackInuse), mib(r.After.StackInuse), r.Before.Goroutines, r.After.Goroutines)
}
