// Command loadgen drives a livedesk gateway (one node or a cluster) over its WebSocket
// protocol (PROTOCOL.md §4) and reports latencies.
//
//	-scenario chat:   agents on -agent-urls, one visitor per conversation on
//	                  -visitor-urls; visitors send messages at -rate msg/s in total and
//	                  the agent side measures visitor -> agent latency.
//	-scenario starts: many visitors each send one chat.start at -rate starts/s (0: as
//	                  fast as possible) and time the chat.assigned/chat.queued answer.
//
// Everything stays on loopback: non-loopback URLs are refused. Sockets and duration are
// bounded.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

const (
	maxSockets  = 5000
	maxDuration = 5 * time.Minute
	// visitorMaxRate keeps every visitor under the gateway's 10 frames/s limit.
	visitorMaxRate = 9.0
	// agentMaxChats is the API's limit on max_chats.
	agentMaxChats = 100
)

type config struct {
	scenario      string
	visitorURLs   []*url.URL
	agentURLs     []*url.URL
	site          string
	token         string
	emailPrefix   string
	agentPassword string
	agents        int
	maxChats      int
	duration      time.Duration
	rate          float64
	rateSet       bool
	conversations int
	visitors      int
	jsonPath      string
	timeout       time.Duration
}

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var summary any
	switch cfg.scenario {
	case "chat":
		summary, err = runChat(ctx, cfg)
	case "starts":
		summary, err = runStarts(ctx, cfg)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
	if cfg.jsonPath != "" {
		b, _ := json.MarshalIndent(summary, "", "  ")
		if err := os.WriteFile(cfg.jsonPath, append(b, '\n'), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
			os.Exit(1)
		}
	}
}

func parseFlags(args []string) (*config, error) {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	scenario := fs.String("scenario", "chat", "chat or starts")
	vurls := fs.String("visitor-urls", "http://127.0.0.1:8080", "comma-separated base URLs of the nodes visitors connect to")
	aurls := fs.String("agent-urls", "", "comma-separated base URLs of the nodes agents connect to (default: -visitor-urls)")
	site := fs.String("site", "", "site id (required)")
	token := fs.String("token", "", "owner or admin token: create the agents through the API")
	prefix := fs.String("agents-email-prefix", "", "use existing agents <prefix><i>@example.com (i from 1) instead of creating them")
	apw := fs.String("agents-password", "", "password of the existing agents (with -agents-email-prefix)")
	agents := fs.Int("agents", 0, "number of agents (default: enough for the load at -max-chats each)")
	maxChats := fs.Int("max-chats", 0, "max_chats of each created agent (chat default 10, starts default 100; at most 100)")
	duration := fs.Duration("duration", 20*time.Second, "how long chat sends messages (at most 5m)")
	rate := fs.Float64("rate", -1, "chat: messages/s in total (default 2000); starts: chat.start/s (default 5000, 0 = as fast as possible)")
	convs := fs.Int("conversations", 250, "chat: number of conversations (visitors)")
	visitors := fs.Int("visitors", 2000, "starts: number of visitors")
	jsonPath := fs.String("json", "", "write the summary as JSON to this path")
	timeout := fs.Duration("timeout", 60*time.Second, "how long to wait for set-up steps and answers")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	c := &config{scenario: *scenario, site: *site, token: *token, emailPrefix: *prefix, agentPassword: *apw,
		agents: *agents, maxChats: *maxChats, duration: *duration, rate: *rate, conversations: *convs,
		visitors: *visitors, jsonPath: *jsonPath, timeout: *timeout}
	var err error
	if c.visitorURLs, err = parseURLs(*vurls); err != nil {
		return nil, fmt.Errorf("-visitor-urls: %w", err)
	}
	if *aurls == "" {
		*aurls = *vurls
	}
	if c.agentURLs, err = parseURLs(*aurls); err != nil {
		return nil, fmt.Errorf("-agent-urls: %w", err)
	}
	if c.site == "" {
		return nil, fmt.Errorf("-site is required")
	}
	if (c.token == "") == (c.emailPrefix == "") {
		return nil, fmt.Errorf("give either -token (create agents) or -agents-email-prefix with -agents-password")
	}
	if c.emailPrefix != "" && c.agentPassword == "" {
		return nil, fmt.Errorf("-agents-password is required with -agents-email-prefix")
	}
	if c.duration <= 0 || c.duration > maxDuration {
		return nil, fmt.Errorf("-duration must be in (0, %s]", maxDuration)
	}
	if c.timeout <= 0 || c.timeout > maxDuration {
		return nil, fmt.Errorf("-timeout must be in (0, %s]", maxDuration)
	}
	if c.maxChats < 0 || c.maxChats > agentMaxChats {
		return nil, fmt.Errorf("-max-chats must be in [1, %d]", agentMaxChats)
	}
	switch c.scenario {
	case "chat":
		if c.rate < 0 {
			c.rate = 2000
		}
		if c.maxChats == 0 {
			c.maxChats = 10
		}
		if c.conversations < 1 {
			return nil, fmt.Errorf("-conversations must be at least 1")
		}
		if c.rate <= 0 {
			return nil, fmt.Errorf("chat: -rate must be positive")
		}
		if per := c.rate / float64(c.conversations); per > visitorMaxRate {
			return nil, fmt.Errorf("chat: %.1f messages/s per visitor is over the visitor limit (keep it at most %.0f: raise -conversations to %d)",
				per, visitorMaxRate, int(c.rate/visitorMaxRate)+1)
		}
		if c.agents == 0 {
			c.agents = (c.conversations + c.maxChats - 1) / c.maxChats
		}
		if c.agents*c.maxChats < c.conversations {
			return nil, fmt.Errorf("chat: %d agents x max_chats %d cannot take %d conversations", c.agents, c.maxChats, c.conversations)
		}
		if n := c.agents + c.conversations; n > maxSockets {
			return nil, fmt.Errorf("%d sockets is over the bound of %d", n, maxSockets)
		}
	case "starts":
		if c.rate < 0 {
			c.rate = 5000
		}
		if c.maxChats == 0 {
			c.maxChats = agentMaxChats
		}
		if c.visitors < 1 {
			return nil, fmt.Errorf("-visitors must be at least 1")
		}
		if c.agents == 0 {
			c.agents = (c.visitors + c.maxChats - 1) / c.maxChats
		}
		if n := c.agents + c.visitors; n > maxSockets {
			return nil, fmt.Errorf("%d sockets is over the bound of %d", n, maxSockets)
		}
	default:
		return nil, fmt.Errorf("-scenario must be chat or starts")
	}
	return c, nil
}

// parseURLs parses comma-separated http(s) base URLs and refuses any that is not on
// loopback.
func parseURLs(s string) ([]*url.URL, error) {
	var out []*url.URL
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		u, err := url.Parse(p)
		if err != nil {
			return nil, err
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			return nil, fmt.Errorf("%q: scheme must be http or https", p)
		}
		if !isLoopback(u.Hostname()) {
			return nil, fmt.Errorf("%q: only loopback addresses are allowed", p)
		}
		u.Path = strings.TrimSuffix(u.Path, "/")
		out = append(out, u)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no URL")
	}
	return out, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// wsURL turns a base URL into the WebSocket URL of path.
func wsURL(base *url.URL, path string, q url.Values) string {
	u := *base
	if u.Scheme == "https" {
		u.Scheme = "wss"
	} else {
		u.Scheme = "ws"
	}
	u.Path += path
	u.RawQuery = q.Encode()
	return u.String()
}

func urlStrings(us []*url.URL) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.String()
	}
	return out
}
