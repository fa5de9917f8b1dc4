package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/livedesk/gateway/protocol"
)

// DepartmentsSummary is the result of the departments scenario
// (docs/protocol.md#departments): chats started in departments with their own
// hours, messages while a share of the chats is transferred, and the transfers.
type DepartmentsSummary struct {
	RunInfo
	Departments  []string        `json:"departments"`
	Visitors     int             `json:"visitors"`
	SetupSeconds float64         `json:"setup_s"`
	Starts       StartFigures    `json:"starts"`
	Messages     MessageFigures  `json:"messages"`
	Transfers    TransferFigures `json:"transfers"`
}

// StartFigures is the chat.start part: sent -> chat.assigned / chat.queued /
// chat.offline, and the rate from the first send to the last answer.
type StartFigures struct {
	Sent           int            `json:"sent"`
	SendSeconds    float64        `json:"send_s"`
	Answered       int            `json:"answered"`
	ElapsedSeconds float64        `json:"elapsed_s"`
	StartsPerSec   float64        `json:"starts_per_s"`
	Latency        Percentiles    `json:"latency"`
	Outcomes       map[string]int `json:"outcomes"`
	ByDepartment   map[string]int `json:"assigned_by_department"`
}

// MessageFigures is the message part: visitor -> agent latency (first push), and
// every message's fate (deliveries): lost is sent and seen by no agent.
type MessageFigures struct {
	DurationSeconds float64     `json:"duration_s"`
	Sent            int64       `json:"sent"`
	SendRate        float64     `json:"send_rate"`
	Acked           int64       `json:"acked"`
	Seen            int         `json:"seen_by_agents"`
	TranscriptOnly  int         `json:"seen_in_transcript_only"`
	Duplicates      int         `json:"duplicates"`
	Lost            int64       `json:"lost"`
	Latency         Percentiles `json:"latency_visitor_to_agent"`
	AckLatency      Percentiles `json:"ack_latency"`
}

// deptVisitor is a visitor of the scenario: a chatVisitor (for the message phase)
// with its start's timing.
type deptVisitor struct {
	*chatVisitor
	dept     int          // the department it starts its chat in (-1: none)
	startAt  atomic.Int64 // nanos since base of its chat.start
	answered atomic.Bool
}

// visitorSide counts what the visitors read.
type visitorSide struct {
	startLat, ackLat samples
	outcomes         counters
	errors, closes   counters
	nAnswered        atomic.Int64
	lastAnswer       atomic.Int64
	acked            atomic.Int64
	notices          atomic.Int64 // system messages (a transfer)
	newConvID        atomic.Int64 // a chat.assigned naming another conversation
}

func runDepartments(ctx context.Context, cfg *config) (*DepartmentsSummary, error) {
	base := time.Now()
	creds, err := prepareAgents(ctx, cfg)
	if err != nil {
		return nil, err
	}
	api := &http.Client{Timeout: 30 * time.Second}
	plans, err := planDepartments(cfg.departments, len(creds), wallNow())
	if err != nil {
		return nil, err
	}
	if err := createDepartments(ctx, cfg, api, plans, creds); err != nil {
		return nil, err
	}
	msgs := &deliveries{}
	desk := newDeskView(creds, plans, msgs)
	pool, err := connectAgentPool(ctx, creds, base, nil, desk.onFrame)
	if err != nil {
		return nil, err
	}
	defer pool.close()
	if err := awaitDepartmentsOpen(ctx, cfg, api, plans); err != nil {
		return nil, err
	}
	names := make([]string, len(plans))
	for k, p := range plans {
		names[k] = p.name
	}
	fmt.Printf("departments: %d agents (max_chats %d) online in %d departments after %.1fs: %s\n", len(creds), cfg.maxChats, len(plans),
		time.Since(base).Seconds(), strings.Join(names, ", "))

	vs := make([]*deptVisitor, cfg.visitors)
	err = parallel(ctx, len(vs), 64, func(i int) error {
		c, err := dial(ctx, visitorURL(cfg.visitorURLs[i%len(cfg.visitorURLs)], cfg.site), json.RawMessage(protocol.Encode(&protocol.VisitorHello{Lang: "en"})))
		if err != nil {
			return fmt.Errorf("visitor %d: %w", i, err)
		}
		vs[i] = &deptVisitor{chatVisitor: &chatVisitor{i: i, c: c, sentAt: map[string]time.Duration{}}, dept: -1}
		if len(plans) > 0 {
			vs[i].dept = i % len(plans)
		}
		return nil
	})
	defer func() {
		for _, v := range vs {
			if v != nil {
				v.c.Close(websocket.StatusNormalClosure, "")
			}
		}
	}()
	if err != nil {
		return nil, err
	}
	setup := time.Since(base)
	rctx, stopReaders := context.WithCancel(ctx)
	defer stopReaders()
	side := &visitorSide{}
	for _, v := range vs {
		go side.read(rctx, base, v, desk)
	}

	// Starts: visitor i in department i mod n (none on a site without departments).
	fmt.Printf("departments: %d visitors connected after %.1fs; starting chats at %s\n", len(vs), setup.Seconds(), rateText(cfg.rate))
	firstSend := time.Since(base)
	sendDur := fire(len(vs), cfg.rate, func(k int) {
		f := &protocol.ChatStart{ID: "start", Text: "load test " + strconv.Itoa(k)}
		if d := vs[k].dept; d >= 0 {
			f.DepartmentID = plans[d].id
		}
		vs[k].startAt.Store(int64(time.Since(base)))
		if err := writeFrame(ctx, vs[k].c, f); err != nil {
			side.errors.add("write failed")
		}
	})
	waitFor(ctx, cfg.timeout, func() bool { return side.nAnswered.Load() >= int64(len(vs)) })
	waitFor(ctx, 10*time.Second, func() bool { return pool.nAssigned.Load() >= int64(side.outcomes.snapshot()["chat.assigned"]) })
	starts := side.startFigures(len(vs), sendDur, firstSend)
	starts.ByDepartment = desk.byDepartment(names)

	// Messages at -msg-rate for -duration, and the transfers spread over it.
	convs := desk.conversations()
	planned := int(math.Round(cfg.transferShare * float64(len(convs))))
	fmt.Printf("departments: %d chats with agents after %.1fs; %.0f msg/s for %s with %d transfers\n", len(convs), time.Since(base).Seconds(),
		cfg.msgRate, cfg.duration, planned)
	var sent atomic.Int64
	transfersDone := make(chan struct{})
	go func() {
		defer close(transfersDone)
		runTransfers(ctx, base, cfg.duration, convs, planned, desk, pool)
	}()
	chatVs := make([]*chatVisitor, len(vs))
	for i, v := range vs {
		chatVs[i] = v.chatVisitor
	}
	msgDur := sendStamped(ctx, base, chatVs, cfg.msgRate, cfg.duration, &sent, &side.errors)
	<-transfersDone
	waitFor(ctx, 10*time.Second, func() bool {
		seen, _, _ := msgs.counts()
		return side.acked.Load() >= sent.Load() && int64(seen) >= sent.Load() && desk.settled()
	})

	seen, dups, tonly := msgs.counts()
	s := &DepartmentsSummary{RunInfo: newRunInfo("departments", cfg, len(creds), &side.errors, &side.closes, pool),
		Departments: names, Visitors: len(vs), SetupSeconds: setup.Seconds(), Starts: starts,
		Messages: MessageFigures{DurationSeconds: msgDur.Seconds(), Sent: sent.Load(), SendRate: float64(sent.Load()) / msgDur.Seconds(),
			Acked: side.acked.Load(), Seen: seen, TranscriptOnly: tonly, Duplicates: dups, Lost: sent.Load() - int64(seen),
			Latency: msgs.lat.summary(), AckLatency: side.ackLat.summary()},
		Transfers: desk.figures(planned)}
	s.Transfers.VisitorNotice, s.Transfers.NewConvID = side.notices.Load(), side.newConvID.Load()
	s.print()
	fmt.Printf("departments: done after %.1fs\n", time.Since(base).Seconds())
	return s, nil
}

// read follows one visitor's socket: the answer to its chat.start (its
// conversation's department goes to desk), acks, the system message and
// chat.assigned of a transfer.
func (side *visitorSide) read(ctx context.Context, base time.Time, v *deptVisitor, desk *deskView) {
	for {
		_, b, err := v.c.Read(ctx)
		now := time.Since(base)
		if err != nil {
			if ctx.Err() == nil {
				side.closes.add(closeReason(err))
			}
			return
		}
		var env struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(b, &env) != nil {
			continue
		}
		switch env.Type {
		case "chat.assigned", "chat.queued", "chat.offline":
			re, conv, ok := chatAnswer(env.Type, b)
			if !ok {
				continue
			}
			if conv != "" {
				if old, ok := v.convID.Load().(string); ok && old != conv {
					side.newConvID.Add(1)
				}
				v.convID.Store(conv)
				if re == "start" {
					desk.startedIn(conv, v.dept)
				}
			}
			if re == "start" && v.answered.CompareAndSwap(false, true) {
				side.outcomes.add(env.Type)
				side.startLat.add(now - time.Duration(v.startAt.Load()))
				side.nAnswered.Add(1)
				storeMax(&side.lastAnswer, int64(now))
			}
		case "message.ack":
			var f protocol.MessageAck
			if json.Unmarshal(b, &f) != nil {
				continue
			}
			v.mu.Lock()
			t, ok := v.sentAt[f.Re]
			delete(v.sentAt, f.Re)
			v.mu.Unlock()
			if ok {
				side.acked.Add(1)
				side.ackLat.add(now - t)
			}
		case "message":
			var f protocol.MessageFrame
			if json.Unmarshal(b, &f) == nil && f.From == "system" {
				side.notices.Add(1)
			}
		case "error":
			var f protocol.ErrorFrame
			if json.Unmarshal(b, &f) == nil {
				side.errors.add(f.Code)
				if f.Re == "start" && v.answered.CompareAndSwap(false, true) {
					side.outcomes.add("error " + f.Code)
					side.nAnswered.Add(1)
				}
			}
		}
	}
}

// chatAnswer reads a visitor's chat.assigned, chat.queued or chat.offline: the
// frame it answers (re, "" for a push) and its conversation ("" for none).
func chatAnswer(typ string, b []byte) (re, conv string, ok bool) {
	switch typ {
	case "chat.assigned":
		var f protocol.ChatAssigned
		ok = json.Unmarshal(b, &f) == nil
		return f.Re, f.Conversation.ID, ok
	case "chat.queued":
		var f protocol.ChatQueued
		ok = json.Unmarshal(b, &f) == nil
		return f.Re, f.Conversation.ID, ok
	default:
		var f protocol.ChatOffline
		ok = json.Unmarshal(b, &f) == nil
		return f.Re, f.ConversationID, ok
	}
}

func (side *visitorSide) startFigures(sent int, sendDur, firstSend time.Duration) StartFigures {
	answered := int(side.nAnswered.Load())
	elapsed := time.Duration(side.lastAnswer.Load()) - firstSend
	f := StartFigures{Sent: sent, SendSeconds: sendDur.Seconds(), Answered: answered, ElapsedSeconds: elapsed.Seconds(),
		Latency: side.startLat.summary(), Outcomes: side.outcomes.snapshot()}
	if elapsed > 0 {
		f.StartsPerSec = float64(answered) / elapsed.Seconds()
	}
	return f
}

// runTransfers sends planned transfers of conversations picked evenly from convs,
// spread evenly over the middle 80% of duration, each from the agent holding it.
func runTransfers(ctx context.Context, base time.Time, duration time.Duration, convs []string, planned int, desk *deskView, pool *agentPool) {
	start := time.Now()
	for k := 0; k < planned; k++ {
		at := start.Add(time.Duration(float64(duration) * (0.1 + 0.8*(float64(k)+0.5)/float64(planned))))
		if err := sleepUntilLocal(ctx, at); err != nil {
			return
		}
		conv := convs[k*len(convs)/planned]
		from, f, ok := desk.begin(k, conv, time.Since(base))
		if !ok {
			continue
		}
		if err := writeFrame(ctx, pool.conns[from], f); err != nil {
			desk.refused(&protocol.ErrorFrame{Re: f.ID, Code: "write failed"})
		}
	}
}

// sleepUntilLocal waits until t on the local monotonic clock, or ctx ends.
func sleepUntilLocal(ctx context.Context, t time.Time) error {
	select {
	case <-time.After(time.Until(t)):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// byDepartment counts the conversations each department's agents hold, by name
// ("(none)" for conversations without a department).
func (v *deskView) byDepartment(names []string) map[string]int {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := map[string]int{}
	for _, d := range v.convDept {
		if d >= 0 && d < len(names) {
			out[names[d]]++
		} else {
			out["(none)"]++
		}
	}
	return out
}

func (s *DepartmentsSummary) print() {
	fmt.Printf("\n== departments: %d departments, %d visitors on %s, %d agents on %s ==\n", len(s.Departments), s.Visitors,
		strings.Join(s.VisitorURLs, ","), s.Agents, strings.Join(s.AgentURLs, ","))
	st := s.Starts
	fmt.Printf("starts      %d answered of %d in %.2fs: %.0f starts/s; %s\n", st.Answered, st.Sent, st.ElapsedSeconds, st.StartsPerSec, st.Latency)
	fmt.Printf("            outcomes %v; by department %v\n", st.Outcomes, st.ByDepartment)
	m := s.Messages
	fmt.Printf("messages    %d sent in %.1fs (%.0f/s), %d acked, %d seen (%d in a transcript only), %d duplicates, LOST %d\n",
		m.Sent, m.DurationSeconds, m.SendRate, m.Acked, m.Seen, m.TranscriptOnly, m.Duplicates, m.Lost)
	fmt.Printf("            visitor->agent %s\n            send->ack      %s\n", m.Latency, m.AckLatency)
	t := s.Transfers
	fmt.Printf("transfers   %d planned, %d sent, %d assigned; %v; back to sender %d; visitor system messages %d, conversation id changed %d\n",
		t.Planned, t.Sent, t.Assigned, t.Outcomes, t.BackToSender, t.VisitorNotice, t.NewConvID)
	fmt.Printf("            send->new agent's chat.assigned %s\n            across nodes %s\n            same node    %s\n            send->chat.transferred %s\n",
		t.Latency, t.CrossNode, t.SameNode, t.AckLatency)
	s.printFailures()
}
