package main

import (
	"encoding/json"
	"strconv"
	"sync"
	"time"

	"github.com/livedesk/gateway/protocol"
)

// TransferFigures is what the departments scenario measured of its transfers
// (docs/protocol.md#transfers). Latency runs from sending chat.transfer to the new
// agent's chat.assigned with its transfer; CrossNode and SameNode split it by
// whether the new agent's socket is on another node than the sender's.
type TransferFigures struct {
	Planned       int            `json:"planned"`
	Sent          int            `json:"sent"`
	Assigned      int            `json:"assigned"`
	Outcomes      map[string]int `json:"outcomes"`
	Latency       Percentiles    `json:"latency"`
	CrossNode     Percentiles    `json:"latency_cross_node"`
	SameNode      Percentiles    `json:"latency_same_node"`
	AckLatency    Percentiles    `json:"ack_latency"`
	BackToSender  int64          `json:"back_to_sender"`
	VisitorNotice int64          `json:"visitor_system_messages"`
	NewConvID     int64          `json:"visitor_conversation_id_changed"`
}

// pendingTransfer is a chat.transfer on its way.
type pendingTransfer struct {
	frameID  string
	from     int
	toDept   int // -1: to an agent
	sentAt   time.Duration
	acked    bool
	assigned bool
}

// deskView is the load generator's view of who holds which conversation, kept from
// the agents' frames, and the transfers it sent. Safe for concurrent use.
type deskView struct {
	node     []int    // agent -> index of its node
	agentID  []string // agent -> its id
	members  [][]int  // department -> its agents
	deptID   []string // department -> its id
	deptIdx  map[string]int
	msgs     *deliveries
	mu       sync.Mutex
	holder   map[string]int // conversation -> agent whose chat it is
	convDept map[string]int // conversation -> department (-1: none)
	load     []int          // agent -> open chats seen
	pending  map[string]*pendingTransfer
	byFrame  map[string]string // transfer frame id -> conversation
	outcomes counters
	lat      samples
	cross    samples
	same     samples
	ack      samples
	back     int64
	sent     int
	assigned int
}

func newDeskView(creds []*agentCred, plans []*deptPlan, msgs *deliveries) *deskView {
	v := &deskView{node: make([]int, len(creds)), agentID: make([]string, len(creds)), deptIdx: map[string]int{}, msgs: msgs, holder: map[string]int{},
		convDept: map[string]int{}, load: make([]int, len(creds)), pending: map[string]*pendingTransfer{}, byFrame: map[string]string{}}
	nodes := map[string]int{}
	for i, c := range creds {
		k, ok := nodes[c.base.String()]
		if !ok {
			k = len(nodes)
			nodes[c.base.String()] = k
		}
		v.node[i], v.agentID[i] = k, c.id
	}
	for d, p := range plans {
		v.deptIdx[p.id] = d
		v.deptID = append(v.deptID, p.id)
		v.members = append(v.members, p.agents)
	}
	return v
}

// onFrame is the agent pool's hook: it follows chat.assigned (a start, a queue or
// a transfer), chat.transferred, the errors answering transfers, and the visitor
// messages pushed to agents.
func (v *deskView) onFrame(i int, typ string, raw []byte, now time.Duration) {
	switch typ {
	case "chat.assigned":
		var f protocol.ChatAssigned
		if json.Unmarshal(raw, &f) != nil {
			return
		}
		v.assignedTo(i, &f, now)
		v.msgs.transcript(i, f.Conversation.Messages)
	case "chat.transferred":
		var f protocol.ChatTransferred
		if json.Unmarshal(raw, &f) == nil && f.Re != "" {
			v.transferred(i, &f, now)
		}
	case "error":
		var f protocol.ErrorFrame
		if json.Unmarshal(raw, &f) == nil && f.Re != "" {
			v.refused(&f)
		}
	case "message":
		var f protocol.MessageFrame
		if json.Unmarshal(raw, &f) != nil || f.From != "visitor" {
			return
		}
		if vi, n, t, ok := parseStamp(f.Text); ok {
			v.msgs.push(i, vi, n, time.Duration(t), now)
		}
	}
}

func (v *deskView) assignedTo(i int, f *protocol.ChatAssigned, now time.Duration) {
	id := f.Conversation.ID
	v.mu.Lock()
	defer v.mu.Unlock()
	v.holder[id] = i
	v.load[i]++
	p := v.pending[id]
	if d, ok := v.deptIdx[f.Conversation.DepartmentID]; ok {
		v.convDept[id] = d
	} else if p != nil && p.toDept >= 0 {
		v.convDept[id] = p.toDept
	}
	if f.Transfer == nil || p == nil || p.assigned {
		return
	}
	p.assigned = true
	v.assigned++
	lat := now - p.sentAt
	v.lat.add(lat)
	if i == p.from {
		v.back++
	}
	if v.node[i] != v.node[p.from] {
		v.cross.add(lat)
	} else {
		v.same.add(lat)
	}
}

func (v *deskView) transferred(i int, f *protocol.ChatTransferred, now time.Duration) {
	v.mu.Lock()
	defer v.mu.Unlock()
	p := v.pending[v.byFrame[f.Re]]
	if p == nil || p.acked {
		return
	}
	p.acked = true
	v.ack.add(now - p.sentAt)
	v.load[i]--
	switch {
	case p.toDept < 0:
		v.outcomes.add("to an agent")
	case f.To.AgentID == "":
		v.outcomes.add("to a department, queued there")
	default:
		v.outcomes.add("to a department")
	}
}

func (v *deskView) refused(f *protocol.ErrorFrame) {
	v.mu.Lock()
	defer v.mu.Unlock()
	conv, ok := v.byFrame[f.Re]
	if !ok {
		return
	}
	v.outcomes.add("error " + f.Code + ": " + f.Message)
	delete(v.pending, conv)
	delete(v.byFrame, f.Re)
}

// startedIn records the department conversation conv was started in (-1: none),
// unless its department is known already: the agent's chat.assigned may name it,
// and may come first.
func (v *deskView) startedIn(conv string, d int) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if _, ok := v.convDept[conv]; !ok {
		v.convDept[conv] = d
	}
}

// conversations lists the conversations held, each once.
func (v *deskView) conversations() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := make([]string, 0, len(v.holder))
	for id := range v.holder {
		out = append(out, id)
	}
	return out
}

// begin plans the k-th transfer, of conversation conv: who sends it and the frame
// (transferTarget chooses the target), recorded as pending from now. ok is false
// when there is no holder or no target.
func (v *deskView) begin(k int, conv string, now time.Duration) (from int, f *protocol.ChatTransfer, ok bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	from, held := v.holder[conv]
	if !held {
		v.outcomes.add("not held")
		return 0, nil, false
	}
	d, known := v.convDept[conv]
	if !known {
		d = -1
	}
	agent, dept := transferTarget(k, from, d, v.members, v.node, v.load)
	f = &protocol.ChatTransfer{ID: "t" + strconv.Itoa(k), ConversationID: conv, Note: "load test transfer " + strconv.Itoa(k)}
	switch {
	case dept >= 0:
		f.ToDepartmentID = v.deptID[dept]
	case agent >= 0:
		f.ToAgentID = v.agentID[agent]
	default:
		v.outcomes.add("no target")
		return 0, nil, false
	}
	v.pending[conv] = &pendingTransfer{frameID: f.ID, from: from, toDept: dept, sentAt: now}
	v.byFrame[f.ID] = conv
	v.sent++
	return from, f, true
}

// settled says whether every transfer sent has been answered (refused, or
// transferred and assigned).
func (v *deskView) settled() bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, p := range v.pending {
		if !p.acked || !p.assigned {
			return false
		}
	}
	return true
}

func (v *deskView) figures(planned int) TransferFigures {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := TransferFigures{Planned: planned, Sent: v.sent, Assigned: v.assigned, Outcomes: v.outcomes.snapshot(),
		Latency: v.lat.summary(), CrossNode: v.cross.summary(), SameNode: v.same.summary(), AckLatency: v.ack.summary(), BackToSender: v.back}
	for _, p := range v.pending {
		switch {
		case !p.acked:
			out.Outcomes["unanswered"]++
		case !p.assigned:
			out.Outcomes["transferred, never assigned"]++
		}
	}
	return out
}

// transferTarget chooses where the k-th transfer of a conversation of department
// d (-1: none) held by agent from goes, among the departments' members (none: a
// site without departments, where every agent may take it), given each agent's
// node and load. With two departments or more, even transfers go to another
// department, in turn (dept >= 0, agent -1); the others go to an agent who answers
// for d, not from, on another node than from's when one is, with the fewest chats
// (then the lowest index): agent >= 0, dept -1. Both -1: no one to send it to.
func transferTarget(k, from, d int, members [][]int, node, load []int) (agent, dept int) {
	n := len(members)
	if n >= 2 && k%2 == 0 && d >= 0 {
		j := (k / 2) % (n - 1)
		if j >= d {
			j++
		}
		return -1, j
	}
	var cands []int
	switch {
	case n == 0:
		for i := range node {
			cands = append(cands, i)
		}
	case d >= 0 && d < n:
		cands = members[d]
	}
	best := -1
	better := func(i int) bool {
		if best < 0 {
			return true
		}
		if away, bestAway := node[i] != node[from], node[best] != node[from]; away != bestAway {
			return away
		}
		if load[i] != load[best] {
			return load[i] < load[best]
		}
		return i < best
	}
	for _, i := range cands {
		if i != from && better(i) {
			best = i
		}
	}
	return best, -1
}
