package routing

import (
	"errors"
	"testing"
	"time"

	"github.com/livedesk/gateway/routing/schedule"
	"github.com/livedesk/gateway/store"
)

// TestDrainAcrossSites: an agent serving several sites takes the chat that has
// waited longest, whichever site it is on.
func TestDrainAcrossSites(t *testing.T) {
	r := newRig(t, utc(0, 10, 0, 0))
	r.addSite(newSite("s1", schedule.AlwaysOpen()))
	r.addSite(newSite("s2", schedule.AlwaysOpen()))
	r.addAgent(newAgent("a1", 1, "s1", "s2"))
	r.load()
	r.connect("a1")
	r.startWant("s1", "v1", OutcomeAssigned, "a1")
	r.startWant("s2", "v2", OutcomeQueued, "") // waits longest
	r.clk.Advance(time.Second)
	r.startWant("s1", "v3", OutcomeQueued, "")
	r.rec.take()
	r.endByAgent("v1")
	expectEvents(t, "drain", only(r.rec.take(), evAssigned),
		"2026-11-23T10:00:01Z Assigned v2 to=a1 state=open queue=true msgs=hello from v2")
	r.clk.Advance(time.Second)
	r.endByAgent("v2")
	expectEvents(t, "drain", only(r.rec.take(), evAssigned),
		"2026-11-23T10:00:02Z Assigned v3 to=a1 state=open queue=true msgs=hello from v3")
}

// TestDeletions: a deleted agent's open chat stays open and can still be ended; a
// deleted site's queued chats are missed.
func TestDeletions(t *testing.T) {
	r := newRig(t, utc(0, 10, 0, 0))
	r.addSite(newSite("s1", schedule.AlwaysOpen()))
	r.addAgent(newAgent("a1", 1))
	r.addAgent(newAgent("a2", 1))
	r.load()
	r.connect("a1", "a2")
	r.startWant("s1", "v1", OutcomeAssigned, "a1")
	r.startWant("s1", "v2", OutcomeAssigned, "a2")
	r.startWant("s1", "v3", OutcomeQueued, "")
	r.rec.take()

	r.d.AgentDeleted("a1")
	expectEvents(t, "agent deleted", r.rec.take())
	if r.d.Agent("a1") != nil {
		t.Fatal("deleted agent still known")
	}
	assertEqual(t, "v1 stays open", r.convOf("v1").State, store.StateOpen)
	if _, err := r.d.AgentConnected("a1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("AgentConnected of a deleted agent: %v", err)
	}
	r.endByAgent("v1") // nobody new takes the freed place of a deleted agent
	expectEvents(t, "v1 ended", r.rec.take(), "2026-11-23T10:00:00Z Ended v1 state=ended by=agent")
	assertEqual(t, "queue", r.d.QueueLength("s1"), 1)

	r.d.SiteDeleted("s1")
	expectEvents(t, "site deleted", r.rec.take(),
		`2026-11-23T10:00:00Z Missed v3 state=missed reason=paused text="hello from v3" name=Name v3 email=v3@visitor.test`,
		"2026-11-23T10:00:00Z QueueLength s1 0")
	if _, err := r.d.StartChat(r.ctx, StartRequest{SiteID: "s1", VisitorID: "v9", Text: "x"}); !errors.Is(err, ErrUnknownSite) {
		t.Fatalf("StartChat on a deleted site: %v", err)
	}
	r.clk.Advance(time.Hour)
	expectEvents(t, "no timers of the deleted site", r.rec.take())
}
