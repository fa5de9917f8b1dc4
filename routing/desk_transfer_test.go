package routing

import (
	"errors"
	"testing"
	"time"

	"github.com/livedesk/gateway/routing/schedule"
	"github.com/livedesk/gateway/store"
)

// transferRig: site s1 with departments sales (ann, bo) and help (cy); site s2
// served by dan only; v1's chat is open with ann in sales.
func transferRig(t *testing.T) (*rig, *store.Conversation) {
	r := newRig(t, utc(0, 10, 0, 0))
	r.addSite(newSite("s1", schedule.AlwaysOpen()))
	r.addSite(newSite("s2", schedule.AlwaysOpen()))
	r.addAgent(newAgent("ann", 2, "s1"))
	r.addAgent(newAgent("bo", 1, "s1"))
	r.addAgent(newAgent("cy", 2, "s1"))
	r.addAgent(newAgent("dan", 2, "s2"))
	r.addDept("s1", "sales", 0, nil, "ann", "bo")
	r.addDept("s1", "help", 1, nil, "cy")
	r.addDept("s1", "empty", 2, nil)
	r.addDept("s1", "annonly", 3, nil, "ann")
	r.load()
	r.connect("ann", "bo", "cy", "dan")
	res, err := r.startIn("s1", "sales", "v1")
	assertNoError(t, err)
	assertEqual(t, "v1's agent", res.Conversation.AgentID, "ann")
	r.rec.take()
	return r, res.Conversation
}

// Every transfer the target cannot take is a conflict (or not found), and changes
// nothing: the chat stays open with its agent and nobody is told anything.
func TestTransferRefusals(t *testing.T) {
	cases := []struct {
		name  string
		setup func(r *rig)
		req   TransferRequest
		want  error
	}{
		{"to itself", nil, TransferRequest{ToAgentID: "ann"}, ErrTransferConflict},
		{"to an agent not serving the site", nil, TransferRequest{ToAgentID: "dan"}, ErrTransferConflict},
		{"to an agent outside the department", nil, TransferRequest{ToAgentID: "cy"}, ErrTransferConflict},
		{"to an agent away", func(r *rig) {
			_, err := r.d.SetPresence(r.ctx, "bo", store.PresenceAway, PresenceReasonManual)
			assertNoError(r.t, err)
		}, TransferRequest{ToAgentID: "bo"}, ErrTransferConflict},
		{"to an agent at max_chats", func(r *rig) {
			res, err := r.startIn("s1", "sales", "v2")
			assertNoError(r.t, err)
			assertEqual(r.t, "v2 to bo", res.Conversation.AgentID, "bo")
		}, TransferRequest{ToAgentID: "bo"}, ErrTransferConflict},
		{"to an offline department", nil, TransferRequest{ToDepartmentID: "empty"}, ErrTransferConflict},
		{"to a department only the sender answers for", nil, TransferRequest{ToDepartmentID: "annonly"}, ErrTransferConflict},
		{"to an unknown agent", nil, TransferRequest{ToAgentID: "zed"}, ErrUnknownAgent},
		{"to an unknown department", nil, TransferRequest{ToDepartmentID: "zed"}, ErrUnknownDepartment},
		{"by an agent it is not open with", nil, TransferRequest{ByAgentID: "bo", ToAgentID: "cy"}, ErrNotInConversation},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, conv := transferRig(t)
			if c.setup != nil {
				c.setup(r)
			}
			r.rec.take()
			req := c.req
			req.ConversationID = conv.ID
			if req.ByAgentID == "" && c.want != ErrNotInConversation {
				req.ByAgentID = "ann"
			}
			_, err := r.d.Transfer(r.ctx, req)
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			if c := r.d.Conversation(conv.ID); c == nil || c.AgentID != "ann" || c.State != store.StateOpen {
				t.Fatalf("conversation after a refusal: %+v", c)
			}
			assertEqual(t, "stored agent", r.convOf("v1").AgentID, "ann")
			expectEvents(t, "nobody told", only(r.rec.take(), evTransferred, evAssigned, evQueueLength))
		})
	}
}

// A transfer to an agent: one step, the sender's slot freed, the visitor told with
// a system message, the new agent given the transcript and the note.
func TestTransferToAnAgent(t *testing.T) {
	r, conv := transferRig(t)
	r.appendLine("v1", store.FromVisitor, "still there?")
	res, err := r.d.Transfer(r.ctx, TransferRequest{ConversationID: conv.ID, ByAgentID: "ann", ToAgentID: "bo", Note: "VIP", Re: "t1"})
	assertNoError(t, err)
	assertEqual(t, "to", res.To, TransferTarget{AgentID: "bo", AgentName: "Agent bo"})
	assertEqual(t, "same conversation", res.Conversation.ID, conv.ID)
	expectEvents(t, "told", only(r.rec.take(), evTransferred, evAssigned),
		`2026-11-23T10:00:00Z Transferred v1 from=ann to=bo/ state=open system="Transferred to Agent bo."`,
		`2026-11-23T10:00:00Z Assigned v1 to=bo state=open queue=true msgs=hello from v1|still there?|Transferred to Agent bo. from=ann note="VIP"`)
	assertEqual(t, "ann's load", r.d.agents["ann"].open, 0)
	assertEqual(t, "bo's load", r.d.agents["bo"].open, 1)
	assertEqual(t, "stored agent", r.convOf("v1").AgentID, "bo")
	assertEqual(t, "stored department", r.convOf("v1").DepartmentID, "sales")
	if _, err := r.d.Transfer(r.ctx, TransferRequest{ConversationID: conv.ID, ByAgentID: "ann", ToAgentID: "bo"}); !errors.Is(err, ErrNotInConversation) {
		t.Fatalf("the sender's second try: %v", err)
	}
}

// A transfer to a department is routed there: assigned when someone can take it,
// else queued at the end of its queue and assigned with the note when one frees.
func TestTransferToADepartment(t *testing.T) {
	r, conv := transferRig(t)
	res, err := r.d.Transfer(r.ctx, TransferRequest{ConversationID: conv.ID, ByAgentID: "ann", ToDepartmentID: "help", Note: "billing"})
	assertNoError(t, err)
	assertEqual(t, "to", res.To, TransferTarget{AgentID: "cy", AgentName: "Agent cy", DepartmentID: "help"})
	assertEqual(t, "department", r.convOf("v1").DepartmentID, "help")

	// Fill cy (max 2), then transfer another chat to help: it waits there.
	r.startIn("s1", "help", "v2")
	res2, err := r.startIn("s1", "sales", "v3")
	assertNoError(t, err)
	r.rec.take()
	res, err = r.d.Transfer(r.ctx, TransferRequest{ConversationID: res2.Conversation.ID, ByAgentID: res2.Conversation.AgentID, ToDepartmentID: "help", Note: "later"})
	assertNoError(t, err)
	assertEqual(t, "queued: no agent", res.To, TransferTarget{DepartmentID: "help"})
	assertEqual(t, "stored state", r.convOf("v3").State, store.StateQueued)
	assertEqual(t, "queue", r.d.QueueLength("s1"), 1)
	r.rec.take()
	r.endByAgent("v2")
	expectEvents(t, "assigned with the note", only(r.rec.take(), evAssigned),
		`2026-11-23T10:00:00Z Assigned v3 to=cy state=open queue=true msgs=hello from v3|Transferred to Dept help. from=`+res2.Conversation.AgentID+` note="later"`)
}

// Hand-over at shift end (docs/protocol.md#handover): with shift_end handover the
// open chats of an agent whose shift ends go to the least-loaded available agent of
// their department, oldest first; one no one can take stays; with keep nothing moves.
func TestHandoverAtShiftEnd(t *testing.T) {
	for _, mode := range []string{store.ShiftEndHandover, store.ShiftEndKeep} {
		t.Run(mode, func(t *testing.T) {
			r := newRig(t, mon(16, 0, 0))
			s := newSite("s1", schedule.AlwaysOpen())
			s.ShiftEnd = mode
			r.addSite(s)
			ann := newAgent("ann", 3)
			sched := mondays("Europe/Paris", iv("09:00", "17:00"))
			ann.Schedule = &sched
			r.addAgent(ann)
			r.addAgent(newAgent("bo", 1))
			r.addAgent(newAgent("cy", 2))
			r.addDept("s1", "sales", 0, nil, "ann", "bo")
			r.addDept("s1", "help", 1, nil, "ann")
			r.load()
			r.connect("ann")
			for _, c := range []struct{ dept, v string }{{"sales", "v1"}, {"sales", "v2"}, {"help", "v3"}} {
				res, err := r.startIn("s1", c.dept, c.v)
				assertNoError(t, err)
				assertEqual(t, c.v+" to ann", res.Conversation.AgentID, "ann")
				r.clk.Advance(1)
			}
			r.connect("bo", "cy")
			r.rec.take()
			r.clk.Set(mon(17, 0, 0))
			want := map[string]string{"v1": "bo", "v2": "ann", "v3": "ann"} // bo takes one; help has no one else
			if mode == store.ShiftEndKeep {
				want["v1"] = "ann"
			}
			for v, agent := range want {
				assertEqual(t, v+"'s agent", r.convOf(v).AgentID, agent)
			}
		})
	}
}

// shift.ending lists the agent's open chats, oldest first.
func TestShiftEndingListsOpenChats(t *testing.T) {
	r := newRig(t, mon(16, 0, 0))
	r.addSite(newSite("s1", schedule.AlwaysOpen()))
	ann := newAgent("ann", 3)
	sched := mondays("Europe/Paris", iv("09:00", "17:00"))
	ann.Schedule, ann.ShiftWarningMinutes = &sched, 10
	r.addAgent(ann)
	r.load()
	r.connect("ann")
	r.startWant("s1", "v1", OutcomeAssigned, "ann")
	r.clk.Advance(1)
	r.startWant("s1", "v2", OutcomeAssigned, "ann")
	r.clk.Set(mon(16, 50, 0))
	r.rec.mu.Lock()
	got := r.rec.ending
	r.rec.mu.Unlock()
	if len(got) != 2 || got[0].VisitorID != "v1" || got[1].VisitorID != "v2" {
		t.Fatalf("shift.ending chats: %+v", got)
	}
}

// A chat a transfer queued keeps its sender and note in the store: a desk loaded
// after a restart (or a new leader) gives them to the agent who takes it.
func TestQueuedTransferSurvivesARestart(t *testing.T) {
	r, _ := transferRig(t)
	r.clk.Advance(10 * time.Minute)
	r.startIn("s1", "help", "v2")
	res3, err := r.startIn("s1", "sales", "v3")
	assertNoError(t, err)
	r.startIn("s1", "help", "v4") // cy (max 2) is full
	_, err = r.d.Transfer(r.ctx, TransferRequest{ConversationID: res3.Conversation.ID, ByAgentID: res3.Conversation.AgentID, ToDepartmentID: "help", Note: "kept"})
	assertNoError(t, err)
	assertEqual(t, "queued", r.convOf("v3").State, store.StateQueued)

	r.load() // a restart
	r.connect("ann", "bo", "cy")
	r.rec.take()
	r.endByAgent("v2")
	expectEvents(t, "assigned with the note after the restart", only(r.rec.take(), evAssigned),
		`2026-11-23T10:10:00Z Assigned v3 to=cy state=open queue=true msgs=hello from v3|Transferred to Dept help. from=`+res3.Conversation.AgentID+` note="kept"`)
	if h := r.convOf("v3").Handoff; h != nil {
		t.Fatalf("the handoff is kept after it was told: %+v", h)
	}
}
