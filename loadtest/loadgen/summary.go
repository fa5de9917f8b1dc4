package main

import "fmt"

// RunInfo is what every scenario's summary starts with: what ran, against which
// nodes, and what went wrong on either side.
type RunInfo struct {
	Scenario      string         `json:"scenario"`
	VisitorURLs   []string       `json:"visitor_urls"`
	AgentURLs     []string       `json:"agent_urls"`
	Agents        int            `json:"agents"`
	MaxChats      int            `json:"max_chats"`
	TargetRate    float64        `json:"target_rate"`
	VisitorErrors map[string]int `json:"visitor_errors"`
	VisitorCloses map[string]int `json:"visitor_closes"`
	AgentErrors   map[string]int `json:"agent_errors"`
	AgentCloses   map[string]int `json:"agent_closes"`
}

// newRunInfo fills a RunInfo; pool may be nil (no agents).
func newRunInfo(scenario string, cfg *config, agents int, vErrors, vCloses *counters, pool *agentPool) RunInfo {
	r := RunInfo{Scenario: scenario, VisitorURLs: urlStrings(cfg.visitorURLs), AgentURLs: urlStrings(cfg.agentURLs),
		Agents: agents, MaxChats: cfg.maxChats, TargetRate: cfg.rate,
		VisitorErrors: vErrors.snapshot(), VisitorCloses: vCloses.snapshot(), AgentErrors: map[string]int{}, AgentCloses: map[string]int{}}
	if pool != nil {
		r.AgentErrors, r.AgentCloses = pool.errors.snapshot(), pool.closes.snapshot()
	}
	return r
}

func (r RunInfo) printFailures() {
	fmt.Printf("visitor errors %v closes %v; agent errors %v closes %v\n", r.VisitorErrors, r.VisitorCloses, r.AgentErrors, r.AgentCloses)
}
