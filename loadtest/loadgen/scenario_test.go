package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

func TestIdleAgainstGateway(t *testing.T) {
	t.Parallel()
	site := newTestSite(t)
	cfg := testConfig(t, "-scenario", "idle", "-site", site, "-visitors", "50", "-connect-rate", "200", "-duration", "500ms", "-src", "127.3.0.0/24")
	s, err := runIdle(testCtx(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if s.Connected != 50 || s.Held != 50 || len(s.Failures) != 0 || len(s.VisitorCloses) != 0 {
		t.Fatalf("connected %d held %d failures %v closes %v", s.Connected, s.Held, s.Failures, s.VisitorCloses)
	}
	if s.ConnectTime.Count != 50 || s.HoldSeconds < 0.5 {
		t.Fatalf("connect time %+v, hold %.2fs", s.ConnectTime, s.HoldSeconds)
	}
	n := s.Nodes[0]
	// Other tests share the gateway: only this run's own sockets are certain.
	if n.Before == nil || n.After == nil || n.After.Sockets < 50 || n.After.RSSBytes == 0 || n.After.OpenFDs < 50 {
		t.Fatalf("node report %+v", n)
	}
}

// The flipping process flips the mode at its instant; a process told a later
// instant sees the frame before its instant: each such frame is early (an error).
func TestFanoutModeFlipAgainstGateway(t *testing.T) {
	t.Parallel()
	site := newTestSite(t)
	// Lead time for the flipper's setup (agent login, site, 50 sockets): a busy CI
	// machine has taken more than 3 s.
	flip := wallNow().Add(6 * time.Second)
	ms := func(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }
	flipper := testConfig(t, "-scenario", "fanout", "-flip", "mode", "-flipper", "-token", testGW.token, "-site", site,
		"-agents-email-prefix", testAgentPrefix, "-agents-password", testAgentPassword,
		"-visitors", "50", "-connect-rate", "0", "-src", "127.4.0.0/24", "-at", ms(flip), "-wait", "5s")
	late := testConfig(t, "-scenario", "fanout", "-flip", "mode", "-site", site,
		"-visitors", "20", "-src", "127.10.0.0/24", "-at", ms(flip.Add(time.Second)), "-wait", "300ms")
	var (
		wg   sync.WaitGroup
		outs [2]*FanoutSummary
		errs [2]error
	)
	for i, cfg := range []*config{flipper, late} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], errs[i] = runFanout(testCtx(t), cfg)
		}()
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatal(errs)
	}
	s := outs[0]
	if s.Measured != 50 || s.Received != 50 || s.Missing != 0 || s.Early.Count != 0 {
		t.Fatalf("measured %d received %d missing %d early %d", s.Measured, s.Received, s.Missing, s.Early.Count)
	}
	if s.Reasons["paused"] != 50 || s.Flippers != 1 || s.Agents != 1 {
		t.Fatalf("reasons %v flippers %d agents %d", s.Reasons, s.Flippers, s.Agents)
	}
	if s.Delay.Min < 0 || s.Delay.Max > 5000 || s.FlipSentLagMs > 50 {
		t.Fatalf("delay %+v, flip lag %.3f ms", s.Delay, s.FlipSentLagMs)
	}
	if l := outs[1]; l.Received != 0 || l.Missing != 20 || l.Early.Count != 20 || l.Early.Max >= 0 || l.Early.Min < -1500 {
		t.Fatalf("late process: received %d missing %d early %+v", l.Received, l.Missing, l.Early)
	}
}

// A flipping and a following process (here two runs at once) measure one boundary;
// their JSON merges into one summary. Not parallel: it moves the clock ahead to
// the next whole minute, and runs before the parallel tests start.
func TestFanoutBoundaryTwoProcessesMerge(t *testing.T) {
	site := newTestSite(t)
	boundary := aheadToBoundary(7 * time.Second)
	at := boundary.UTC().Format(time.RFC3339)
	flipper := testConfig(t, "-scenario", "fanout", "-flip", "boundary", "-flipper", "-token", testGW.token, "-site", site,
		"-agents-email-prefix", testAgentPrefix, "-agents-password", testAgentPassword,
		"-visitors", "30", "-src", "127.5.0.0/24", "-at", at, "-wait", "5s")
	follower := testConfig(t, "-scenario", "fanout", "-flip", "boundary", "-site", site,
		"-visitors", "20", "-src", "127.6.0.0/24", "-at", at, "-wait", "5s")
	var (
		wg   sync.WaitGroup
		outs [2]*FanoutSummary
		errs [2]error
	)
	for i, cfg := range []*config{flipper, follower} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], errs[i] = runFanout(testCtx(t), cfg)
		}()
	}
	wg.Wait()
	dir := t.TempDir()
	var paths []string
	for i := range outs {
		if errs[i] != nil {
			t.Fatalf("process %d: %v", i, errs[i])
		}
		p := filepath.Join(dir, []string{"flipper.json", "follower.json"}[i])
		b, _ := json.MarshalIndent(outs[i], "", "  ")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	m, err := runMerge(paths)
	if err != nil {
		t.Fatal(err)
	}
	s := m.(*FanoutSummary)
	if s.Processes != 2 || s.Flippers != 1 || s.Visitors != 50 || s.Measured != 50 || s.Received != 50 || s.Early.Count != 0 {
		t.Fatalf("merged: processes %d flippers %d visitors %d measured %d received %d early %d",
			s.Processes, s.Flippers, s.Visitors, s.Measured, s.Received, s.Early.Count)
	}
	if s.Reasons["outside_hours"] != 50 || !s.Instant.Equal(boundary) {
		t.Fatalf("reasons %v instant %s (want %s)", s.Reasons, s.Instant, boundary)
	}
	// The boundary fires on the gateway's timer: never before the instant.
	if s.Delay.Min < 0 || s.Delay.Count != 50 || s.Delay.Max != max(outs[0].Delay.Max, outs[1].Delay.Max) {
		t.Fatalf("merged delay %+v; per process %+v %+v", s.Delay, outs[0].Delay, outs[1].Delay)
	}
}

func TestStormAgainstGateway(t *testing.T) {
	t.Parallel()
	site := newTestSite(t)
	cfg := testConfig(t, "-scenario", "storm", "-site", site, "-visitors", "50", "-connect-rate", "500", "-src", "127.7.0.0/24", "-wait", "20s")
	s, err := runStorm(testCtx(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if s.Reconnecting != 50 || s.Back != 50 || s.NotBack != 0 || s.Resumed != 50 || s.NewIdentity != 0 {
		t.Fatalf("reconnecting %d back %d not back %d resumed %d new %d retries %v",
			s.Reconnecting, s.Back, s.NotBack, s.Resumed, s.NewIdentity, s.RetryReasons)
	}
	if s.Held != 50 || s.AllBackSeconds < 0 || math.Abs(s.AllBackSeconds*1e3-s.BackTime.Max) > 0.5 || len(s.VisitorCloses) != 0 {
		t.Fatalf("held %d all back %.3fs back time %+v closes %v", s.Held, s.AllBackSeconds, s.BackTime, s.VisitorCloses)
	}
}

// Five departments with their own hours on one node: every chat starts in its
// department, a quarter are transferred (to another department or agent) while
// messages flow, and no message is lost or delivered twice. Not parallel (nor the
// next): their load would upset the timing of the fan-out tests, which run after.
func TestDepartmentsAgainstGateway(t *testing.T) {
	site := newTestSite(t)
	cfg := testConfig(t, "-scenario", "departments", "-site", site, "-token", testGW.token, "-visitors", "40",
		"-max-chats", "10", "-rate", "200", "-msg-rate", "80", "-duration", "2s", "-transfer-share", "0.25")
	s, err := runDepartments(testCtx(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Departments) != 5 || s.Agents != 10 {
		t.Fatalf("departments %v agents %d", s.Departments, s.Agents)
	}
	st := s.Starts
	if st.Answered != 40 || st.Outcomes["chat.assigned"] != 40 || st.Latency.Count != 40 || st.StartsPerSec <= 0 {
		t.Fatalf("starts %+v", st)
	}
	for _, name := range s.Departments {
		if st.ByDepartment[name] < 8 { // 8 each, more for those that got transfers
			t.Fatalf("by department %v", st.ByDepartment)
		}
	}
	m := s.Messages
	if m.Sent < 100 || m.Acked != m.Sent || m.Lost != 0 || m.Duplicates != 0 || int64(m.Latency.Count) != m.Sent-int64(m.TranscriptOnly) {
		t.Fatalf("messages %+v", m)
	}
	tr := s.Transfers
	if tr.Planned != 10 || tr.Sent != 10 || tr.Assigned != 10 || tr.Outcomes["to a department"] != 5 || tr.Outcomes["to an agent"] != 5 || tr.Latency.Count != 10 ||
		tr.BackToSender != 0 || tr.VisitorNotice != 10 || tr.NewConvID != 0 {
		t.Fatalf("transfers %+v", tr)
	}
	if tr.SameNode.Count != 10 || tr.CrossNode.Count != 0 {
		t.Fatalf("one node: every transfer is on it: %+v", tr)
	}
	if len(s.VisitorErrors) != 0 || len(s.AgentErrors) != 0 || len(s.VisitorCloses) != 0 || len(s.AgentCloses) != 0 {
		t.Fatalf("failures: visitor %v %v agent %v %v", s.VisitorErrors, s.VisitorCloses, s.AgentErrors, s.AgentCloses)
	}
}

// The same scenario on a site without departments (the baseline beside the
// departments figures): chats start without department_id, every transfer goes to
// an agent.
func TestDepartmentsScenarioWithoutDepartments(t *testing.T) {
	site := newTestSite(t)
	cfg := testConfig(t, "-scenario", "departments", "-departments", "0", "-site", site, "-token", testGW.token, "-visitors", "20",
		"-max-chats", "10", "-rate", "0", "-msg-rate", "40", "-duration", "1s", "-transfer-share", "0.25")
	s, err := runDepartments(testCtx(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Departments) != 0 || s.Agents != 3 || s.Starts.Outcomes["chat.assigned"] != 20 || s.Starts.ByDepartment["(none)"] != 20 {
		t.Fatalf("departments %v agents %d starts %+v", s.Departments, s.Agents, s.Starts)
	}
	if m := s.Messages; m.Sent < 20 || m.Lost != 0 || m.Duplicates != 0 {
		t.Fatalf("messages %+v", m)
	}
	if tr := s.Transfers; tr.Planned != 5 || tr.Assigned != 5 || tr.Outcomes["to an agent"] != 5 || tr.VisitorNotice != 5 {
		t.Fatalf("transfers %+v", tr)
	}
}
