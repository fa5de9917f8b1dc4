package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/livedesk/gateway/internal/pgtest"
	"github.com/livedesk/gateway/internal/redistest"
	"github.com/livedesk/gateway/internal/testkit"
)

// Process-level cluster helpers: real gateway processes (this test binary re-run
// with GATEWAY_TEST_MAIN=1, see TestMain) sharing one real redis-server, real time.
// Every wait is bounded by a deadline and polls; none sleeps to a boundary.

const (
	clusterOwnerEmail    = "boss@example.com"
	clusterOwnerPassword = "a long password"
	// Short failure detection, so the tests need not wait long.
	clusterGrace    = 2 * time.Second
	clusterLeaseTTL = 1 * time.Second
	clusterNodeTTL  = 3 * time.Second
	// clusterHeartbeat is the nodes' fixed heartbeat period (not a flag).
	clusterHeartbeat = time.Second
	// procFrameWait bounds a wait for one frame that should come promptly (a
	// failure guard, not a timing assumption: -race on a busy 2-core box is slow).
	procFrameWait = 10 * time.Second
)

// syncBuf is a bytes.Buffer safe for the process's writers and the test's readers.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// nodeProc is one gateway node running as a child process.
type nodeProc struct {
	id   string
	url  string
	cmd  *exec.Cmd
	logs *syncBuf // stdout and stderr, interleaved
	done chan struct{}
	dead bool // SIGKILLed by the test
}

// procCluster is three gateway processes n0, n1, n2 over one redis-server, the
// owner's token and the demo site. With pg set, PostgreSQL is the store.
type procCluster struct {
	t     *testing.T
	redis *redistest.Server
	pg    *pgtest.Server // nil: the Redis store
	nodes map[string]*nodeProc
	token string
	site  string
}

// startProcCluster starts redis (and PostgreSQL for the postgres store) and the
// nodes n0 (with --demo), n1 and n2, logs the owner in and finds the demo site. The
// nodes are SIGKILLed when the test ends, and their logs are printed if it failed.
func startProcCluster(t *testing.T, st clusterStore) *procCluster {
	t.Helper()
	pc := &procCluster{t: t, redis: redistest.Start(t), nodes: map[string]*nodeProc{}}
	if st.postgres {
		pc.pg = pgtest.Start(t)
	}
	for i := 0; i < 3; i++ {
		id := fmt.Sprintf("n%d", i)
		args := []string{"--redis-url", pc.redis.URL(), "--node-id", id, "--addr", "127.0.0.1:0",
			"--owner-email", clusterOwnerEmail, "--owner-password", clusterOwnerPassword,
			"--disconnect-grace", clusterGrace.String(), "--lease-ttl", clusterLeaseTTL.String(), "--node-ttl", clusterNodeTTL.String()}
		if pc.pg != nil {
			args = append(args, "--database-url", pc.pg.URL())
		}
		if i == 0 {
			args = append(args, "--demo")
		}
		pc.nodes[id] = pc.startNode(id, args)
	}
	code, login := testkit.DoJSON(t, "POST", pc.nodes["n1"].url+"/api/v1/login", "", map[string]string{"email": clusterOwnerEmail, "password": clusterOwnerPassword})
	if code != 200 {
		t.Fatalf("owner login on n1: %d %v", code, login)
	}
	pc.token = login["token"].(string)
	code, sites := testkit.DoJSON(t, "GET", pc.nodes["n2"].url+"/api/v1/sites", pc.token, nil)
	list, _ := sites["sites"].([]any)
	if code != 200 || len(list) != 1 {
		t.Fatalf("GET /api/v1/sites on n2: %d %v, want the demo site only", code, sites)
	}
	pc.site = list[0].(map[string]any)["id"].(string)
	return pc
}

// startNode runs one node and waits for its banner (the blank line after the
// "Gateway listening on" line).
func (pc *procCluster) startNode(id string, args []string) *nodeProc {
	t := pc.t
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "GATEWAY_TEST_MAIN=1")
	p := &nodeProc{id: id, cmd: cmd, logs: &syncBuf{}, done: make(chan struct{})}
	cmd.Stderr = p.logs
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			t.Errorf("node %s: not reaped within 10 s of SIGKILL", id)
		}
		if t.Failed() {
			t.Logf("---- node %s log (dead=%v) ----\n%s", id, p.dead, tail(p.logs.String(), 30000))
		}
	})
	lines := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			_, _ = p.logs.Write([]byte(sc.Text() + "\n"))
			lines <- sc.Text()
		}
		close(lines)
		_ = cmd.Wait()
		close(p.done)
	}()
	timeout := time.NewTimer(30 * time.Second)
	defer timeout.Stop()
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("node %s exited before its banner; log:\n%s", id, p.logs.String())
			}
			if m := listenRE.FindStringSubmatch(l); m != nil {
				p.url = m[1]
			}
			if l == "" && p.url != "" {
				go func() {
					for range lines {
					}
				}()
				return p
			}
		case <-timeout.C:
			t.Fatalf("node %s: no banner within 30 s; log:\n%s", id, p.logs.String())
		}
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "...\n" + s[len(s)-n:]
}

// kill SIGKILLs the node and waits until it is gone; it returns when that happened.
func (pc *procCluster) kill(id string) time.Time {
	pc.t.Helper()
	p := pc.nodes[id]
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		pc.t.Fatalf("SIGKILL %s: %v", id, err)
	}
	at := time.Now()
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		pc.t.Fatalf("node %s did not exit within 10 s of SIGKILL", id)
	}
	p.dead = true
	pc.t.Logf("SIGKILLed node %s (%s)", id, p.url)
	return at
}

// leader polls the lease key until it names a live node and returns that node.
func (pc *procCluster) leader(within time.Duration) string {
	pc.t.Helper()
	deadline := time.Now().Add(within)
	last := ""
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		id, err := pc.redis.Client().Get(ctx, "ld:leader").Result()
		cancel()
		if err == nil {
			last = id
			if p := pc.nodes[id]; p != nil && !p.dead {
				return id
			}
		}
		if time.Now().After(deadline) {
			pc.t.Fatalf("no live leader in ld:leader within %v (last value %q, err %v)", within, last, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// followers returns the live nodes other than the leader, sorted.
func (pc *procCluster) followers(leader string) []string {
	var out []string
	for id, p := range pc.nodes {
		if id != leader && !p.dead {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// conversation is GET /api/v1/conversations/{id} through node.
func (pc *procCluster) conversation(node, id string) map[string]any {
	pc.t.Helper()
	code, c := testkit.DoJSON(pc.t, "GET", pc.nodes[node].url+"/api/v1/conversations/"+id, pc.token, nil)
	if code != 200 {
		pc.t.Fatalf("GET conversation %s on %s: %d %v", id, node, code, c)
	}
	return c
}

// conversations lists the demo site's conversations through node.
func (pc *procCluster) conversations(node string) []any {
	pc.t.Helper()
	code, r := testkit.DoJSON(pc.t, "GET", pc.nodes[node].url+"/api/v1/conversations?site="+pc.site+"&limit=500", pc.token, nil)
	if code != 200 {
		pc.t.Fatalf("GET conversations on %s: %d %v", node, code, r)
	}
	list, _ := r["conversations"].([]any)
	return list
}

// dial connects to path on node; name says who it is in failures.
func (pc *procCluster) dial(node, path, name string) (*testkit.WS, error) {
	c, _, err := testkit.Dial(pc.t, "ws"+strings.TrimPrefix(pc.nodes[node].url, "http")+path, name+"@"+node, nil)
	return c, err
}

// hello dials path on node and sends hello until it gets a welcome: while the
// cluster has no leader (or its desk is still loading) the hello is answered
// `unavailable` and the socket closed, and it is tried again.
func (pc *procCluster) hello(node, path, name string, hello map[string]any, within time.Duration) (*testkit.WS, map[string]any) {
	pc.t.Helper()
	deadline := time.Now().Add(within)
	var last any
	for time.Now().Before(deadline) {
		c, err := pc.dial(node, path, name)
		if err != nil {
			last = err
		} else {
			h := map[string]any{"type": "hello"}
			for k, v := range hello {
				h[k] = v
			}
			c.Send(h)
			m, ok, err := c.NextWithin(procFrameWait)
			switch {
			case ok && m["type"] == "welcome":
				return c, m
			case ok && m["type"] == "error" && m["code"] == "unavailable":
				last = m
				c.Conn.CloseNow()
			case ok:
				pc.t.Fatalf("%s: hello answered %v", c.Name, m)
			default:
				last = fmt.Sprintf("no answer to hello (closed: %v)", err)
				c.Conn.CloseNow()
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	pc.t.Fatalf("%s@%s: no welcome within %v; last: %v", name, node, within, last)
	return nil, nil
}

// agent connects the owner's console to node.
func (pc *procCluster) agent(node string) (*testkit.WS, map[string]any) {
	pc.t.Helper()
	return pc.hello(node, "/ws/agent", "agent", map[string]any{"token": pc.token}, 20*time.Second)
}

// visitor connects a visitor of the demo site to node.
func (pc *procCluster) visitor(node string, hello map[string]any) (*testkit.WS, map[string]any) {
	pc.t.Helper()
	return pc.hello(node, "/ws/visitor?site="+pc.site, "visitor", hello, 20*time.Second)
}

// statusOf returns the status object of a welcome or status frame.
func statusOf(m map[string]any) map[string]any {
	s, _ := m["status"].(map[string]any)
	return s
}

// waitOnline makes sure the visitor sees the site online: from its welcome, or a
// status frame after it.
func waitOnline(v *testkit.WS, welcome map[string]any) {
	v.T.Helper()
	if statusOf(welcome)["online"] == true {
		return
	}
	v.WaitMatch(procFrameWait, "status online", func(m map[string]any) bool {
		return m["type"] == "status" && statusOf(m)["online"] == true
	})
}

// seqOf reads a JSON number as an int64.
func seqOf(v any) int64 {
	f, _ := v.(float64)
	return int64(f)
}
