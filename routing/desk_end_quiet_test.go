package routing

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/livedesk/gateway/routing/schedule"
	"github.com/livedesk/gateway/store"
)

// endAnnouncer announces every end with one notification and counts what it was
// asked.
type endAnnouncer struct{ asked, stored atomic.Int32 }

func (a *endAnnouncer) ConversationEnded(site *store.Site, c *store.Conversation) []*store.Notification {
	a.asked.Add(1)
	return []*store.Notification{{ID: "end-" + c.ID, Type: "conversation.ended", SiteID: site.ID,
		Channel: store.ChannelWebhook, URL: "https://hooks.example/end", State: store.NotificationPending}}
}
func (a *endAnnouncer) Stored()                                   { a.stored.Add(1) }
func (a *endAnnouncer) SiteStatus(*store.Site, Status, time.Time) {}
func (a *endAnnouncer) SiteDeleted(string)                        {}

// A quiet end (a visitor's erasure) ends the chat for both sides as any end does,
// but makes no notification; any other end makes its notification.
func TestQuietEndMakesNoNotification(t *testing.T) {
	for _, tc := range []struct {
		name      string
		quiet     bool
		queued    bool
		wantNotes int
	}{
		{"open, announced", false, false, 1},
		{"open, quiet", true, false, 0},
		{"queued, announced", false, true, 1},
		{"queued, quiet", true, true, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, utc(0, 10, 0, 0))
			r.addSite(newSite("s1", schedule.AlwaysOpen()))
			r.addAgent(newAgent("a1", 1))
			ann := &endAnnouncer{}
			d := New(Options{Store: r.st, Clock: r.clk, Notify: r.rec, Announce: ann})
			assertNoError(t, d.Load(r.ctx))
			t.Cleanup(d.Close)
			r.d = d
			r.connect("a1")
			if tc.queued { // a1 takes one chat: v0's fills it, v1's waits
				r.startWant("s1", "v0", OutcomeAssigned, "a1")
				r.startWant("s1", "v1", OutcomeQueued, "")
			} else {
				r.startWant("s1", "v1", OutcomeAssigned, "a1")
			}
			r.rec.take()

			c, err := d.EndChat(r.ctx, EndRequest{ConversationID: r.convOf("v1").ID, By: store.FromSystem, Quiet: tc.quiet})
			assertNoError(t, err)
			assertEqual(t, "state", c.State, store.StateEnded)
			assertEqual(t, "ended by", c.EndedBy, store.FromSystem)
			ended := 0
			for _, e := range r.rec.take() {
				if e.Kind == evEnded {
					ended++
				}
			}
			assertEqual(t, "Ended told", ended, 1)
			notes, err := r.st.ListNotifications(r.ctx, store.NotificationFilter{})
			assertNoError(t, err)
			assertEqual(t, "notifications stored", len(notes), tc.wantNotes)
			assertEqual(t, "announcer asked", int(ann.asked.Load()), tc.wantNotes)
			assertEqual(t, "announcer told stored", int(ann.stored.Load()), tc.wantNotes)
			assertEqual(t, "conversation in flight", d.VisitorConversation("v1") == nil, true)
		})
	}
}
