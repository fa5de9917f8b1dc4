package ws

import (
	"time"

	"go.uber.org/zap"

	"github.com/livedesk/gateway/notify"
	"github.com/livedesk/gateway/routing"
	"github.com/livedesk/gateway/store"
)

// deskAnnouncer connects a routing desk to the outbox: transcripts of ended
// conversations and presence alerts. One is made per desk (a new leader makes its
// own) and stopped with it.
type deskAnnouncer struct {
	outbox  notify.Outbox
	wake    func() // the outbox worker's Wake
	monitor *notify.PresenceMonitor
	log     *zap.Logger
}

var _ routing.Announcer = (*deskAnnouncer)(nil)

// newDeskAnnouncer returns the announcer of a desk; site reads the desk's copy of a
// site (it is called from the monitor's timers, outside the desk's lock).
func (rt *Realtime) newDeskAnnouncer(site func(id string) *store.Site) *deskAnnouncer {
	a := &deskAnnouncer{outbox: rt.opts.Outbox, wake: rt.opts.Wake, log: rt.log.Named("alerts")}
	a.monitor = notify.NewPresenceMonitor(notify.PresenceOptions{Store: rt.store, Clock: rt.clock, Log: a.log,
		Outbox: rt.opts.Outbox, Site: site, Stored: rt.opts.Wake})
	return a
}

func (a *deskAnnouncer) ConversationEnded(site *store.Site, c *store.Conversation) []*store.Notification {
	items, err := a.outbox.ConversationEnded(site, c)
	if err != nil {
		a.log.Error("transcript notification not made", zap.String("conversation", c.ID), zap.Error(err))
	}
	return items
}

func (a *deskAnnouncer) Stored() { a.wake() }

func (a *deskAnnouncer) SiteStatus(site *store.Site, st routing.Status, at time.Time) {
	a.monitor.Observe(site, notify.Status{Online: st.Online, Reason: st.Reason, OpensAt: st.OpensAt, ClosesAt: st.ClosesAt}, at)
}

func (a *deskAnnouncer) SiteDeleted(siteID string) { a.monitor.Forget(siteID) }

// stop cancels the presence checks armed by this desk.
func (a *deskAnnouncer) stop() { a.monitor.Stop() }
