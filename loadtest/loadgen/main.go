// Command loadgen drives a livedesk gateway (one node or a cluster) over its WebSocket
// protocol (docs/protocol.md#websocket-frames) and reports latencies.
//
//	-scenario chat:   agents on -agent-urls, one visitor per conversation on
//	                  -visitor-urls; visitors send messages at -rate msg/s in total and
//	                  the agent side measures visitor -> agent latency.
//	-scenario starts: many visitors each send one chat.start at -rate starts/s (0: as
//	                  fast as possible) and time the chat.assigned/chat.queued answer.
//	-scenario departments: -departments departments with their own hours (one 24/7,
//	                  the others in other zones, open now) created on -site through
//	                  the API, agents spread over them (some in two); chat.start at
//	                  -rate spread over the departments, then messages at -msg-rate
//	                  for -duration while -transfer-share of the chats is transferred
//	                  (chat.transfer to another department or agent, on another node
//	                  when there is one): start, message and transfer latencies, lost
//	                  and duplicate messages (docs/protocol.md#departments).
//	-scenario idle:   -visitors sockets (hello -> welcome) over -visitor-urls and the
//	                  -src addresses at -connect-rate, held for -duration (or until
//	                  -at) answering the server's pings; connect times, sockets held,
//	                  failures, and each node's RSS, fds and KiB per socket from its
//	                  /metrics.
//	-scenario fanout: the same sockets, then the site's status flips at -at (-flip
//	                  mode: PUT /sites/{id}/mode offline; -flip boundary: the hours
//	                  close at -at, a whole minute) and each visitor's status frame is
//	                  timed against the instant; frames before it are errors. One
//	                  process (-flipper, with -token) sets the site up and flips it;
//	                  the others wait until the site is ready. -flip broadcast: POST
//	                  /broadcast at -at, for the floor server (../shared/floor), which
//	                  has no sites or accounts: no set-up, no -token.
//	-scenario storm:  the same sockets, then at -at every visitor drops its socket and
//	                  reconnects at once with hello {visitor_token, last_seq}, retrying
//	                  with the widget's backoff; time until each and all are back.
//	-merge a.json b.json ...: one summary of several processes' idle, fanout or storm
//	                  JSON (percentiles from the pooled raw samples).
//
// Several processes take part in one measurement by sharing -at (RFC 3339 or Unix
// milliseconds) and each writing -json; -merge combines them.
//
// Everything stays on loopback: non-loopback URLs and source addresses are refused.
// Sockets and duration are bounded; the open-file soft limit is raised to the hard
// limit at start.
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

	// departments (-departments, -transfer-share, -msg-rate)
	departments   int
	transferShare float64
	msgRate       float64

	jsonPath string
	timeout  time.Duration

	// idle, fanout and storm (fleetflags.go)
	connectRate     float64
	connectWorkers  int
	sources         *sources
	at              time.Time
	flip            string
	flipper         bool
	wait            time.Duration
	reconnectJitter time.Duration
	dialTimeout     time.Duration

	merge      bool
	mergeFiles []string
	cpuProfile string
}

func main() { os.Exit(run(os.Args[1:])) }

// run is main without the exit, so deferred work (the CPU profile) happens.
func run(args []string) int {
	cfg, err := parseFlags(args)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if !cfg.merge {
		if err := raiseFileLimit(cfg); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
			return 2
		}
	}
	if cfg.cpuProfile != "" {
		stopProfile, err := startCPUProfile(cfg.cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
			return 2
		}
		defer stopProfile()
	}

	var summary any
	switch {
	case cfg.merge:
		if summary, err = runMerge(cfg.mergeFiles); err == nil {
			printSummary(summary)
		}
	case cfg.scenario == "chat":
		summary, err = runChat(ctx, cfg)
	case cfg.scenario == "starts":
		summary, err = runStarts(ctx, cfg)
	case cfg.scenario == "departments":
		summary, err = runDepartments(ctx, cfg)
	case cfg.scenario == "idle":
		summary, err = runIdle(ctx, cfg)
	case cfg.scenario == "fanout":
		summary, err = runFanout(ctx, cfg)
	case cfg.scenario == "storm":
		summary, err = runStorm(ctx, cfg)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		return 1
	}
	if cfg.jsonPath != "" {
		b, _ := json.MarshalIndent(summary, "", "  ")
		if err := os.WriteFile(cfg.jsonPath, append(b, '\n'), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
			return 1
		}
	}
	return 0
}

func parseFlags(args []string) (*config, error) {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	scenario := fs.String("scenario", "chat", "chat, starts, departments, idle, fanout or storm")
	vurls := fs.String("visitor-urls", "http://127.0.0.1:8080", "comma-separated base URLs of the nodes visitors connect to")
	aurls := fs.String("agent-urls", "", "comma-separated base URLs of the nodes agents connect to (default: -visitor-urls)")
	site := fs.String("site", "", "site id (required)")
	token := fs.String("token", "", "owner or admin token: create the agents through the API")
	prefix := fs.String("agents-email-prefix", "", "use existing agents <prefix><i>@example.com (i from 1) instead of creating them")
	apw := fs.String("agents-password", "", "password of the existing agents (with -agents-email-prefix)")
	agents := fs.Int("agents", 0, "number of agents (default: enough for the load at -max-chats each)")
	maxChats := fs.Int("max-chats", 0, "max_chats of each created agent (chat default 10, starts default 100; at most 100)")
	duration := fs.Duration("duration", 20*time.Second, "chat: how long to send messages; idle: how long to hold the sockets (at most 5m)")
	rate := fs.Float64("rate", -1, "chat: messages/s in total (default 2000); starts: chat.start/s (default 5000, 0 = as fast as possible)")
	convs := fs.Int("conversations", 250, "chat: number of conversations (visitors)")
	visitors := fs.Int("visitors", 2000, "starts, departments, idle, fanout, storm: number of visitors (sockets) of this process")
	depts := fs.Int("departments", 5, "departments: number of departments to create on -site (0: none, the site as it is)")
	share := fs.Float64("transfer-share", 0.05, "departments: share of the chats transferred during the message phase")
	msgRate := fs.Float64("msg-rate", 500, "departments: visitor messages/s in total during -duration")
	jsonPath := fs.String("json", "", "write the summary as JSON to this path")
	timeout := fs.Duration("timeout", 60*time.Second, "how long to wait for set-up steps and answers")
	ff := addFleetFlags(fs)
	merge := fs.Bool("merge", false, "merge the idle, fanout or storm JSON files named after the flags into one summary (-json: write it)")
	cpuProfile := fs.String("cpuprofile", "", "write this process's CPU profile here (to see whether the load generator is the bottleneck)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if *merge {
		return &config{merge: true, mergeFiles: fs.Args(), jsonPath: *jsonPath}, nil
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	c := &config{cpuProfile: *cpuProfile, scenario: *scenario, site: *site, token: *token, emailPrefix: *prefix, agentPassword: *apw,
		agents: *agents, maxChats: *maxChats, duration: *duration, rate: *rate, conversations: *convs,
		visitors: *visitors, jsonPath: *jsonPath, timeout: *timeout, departments: *depts, transferShare: *share, msgRate: *msgRate}
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
	case "chat", "starts":
		if (c.token == "") == (c.emailPrefix == "") {
			return nil, fmt.Errorf("give either -token (create agents) or -agents-email-prefix with -agents-password")
		}
	case "departments":
		if c.token == "" || c.emailPrefix != "" {
			return nil, fmt.Errorf("departments: give -token (it creates the agents and the departments), not -agents-email-prefix")
		}
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
	case "departments":
		if err := c.checkDepartments(); err != nil {
			return nil, err
		}
	case "idle", "fanout", "storm":
		given := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
		if err := ff.apply(c, given); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("-scenario must be chat, starts, departments, idle, fanout or storm")
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
