package gateway

import (
	"net"
	"time"

	"go.uber.org/zap"

	"github.com/livedesk/gateway/notify"
	"github.com/livedesk/gateway/routing"
	"github.com/livedesk/gateway/store"
)

// NotifyOptions configures outgoing notifications (docs/protocol.md#notifications-outbox).
type NotifyOptions struct {
	// Mailer sends e-mail; nil when no SMTP server is configured (no e-mail is
	// queued then, and the start-up log says so).
	Mailer notify.Mailer
	// WebhookTimeout bounds one webhook attempt (default 10 s).
	WebhookTimeout time.Duration
	// Backoff overrides the retry policy (zero fields take the defaults).
	Backoff notify.Backoff
	// Poll is how often a node looks for items it was not woken for (default 2 s).
	Poll time.Duration
	// WebhookAllowPrivate lets webhooks go to loopback, link-local, private and the
	// other non-public addresses (--webhook-allow-private); off, such URLs are
	// refused when a site is saved and every delivery is checked against the
	// address it connects to.
	WebhookAllowPrivate bool
	// Resolver resolves webhook hosts (nil: the system's).
	Resolver *net.Resolver
}

// newNotifications builds the outbox worker of a server; startNotifications runs it.
func (s *Server) newNotifications() {
	o := s.opts.Notify
	s.outbox = notify.Outbox{Mail: o.Mailer != nil}
	s.webhooks = notify.NewWebhooks(notify.WebhookOptions{Timeout: o.WebhookTimeout, UserAgent: "livedesk-gateway/1",
		AllowPrivate: o.WebhookAllowPrivate, Resolver: o.Resolver})
	wo := notify.WorkerOptions{Store: s.store, Clock: s.clock, Log: s.log.Named("outbox"),
		Webhooks: s.webhooks, Mailer: o.Mailer,
		Poll: o.Poll, Backoff: o.Backoff, Metrics: notify.NewMetrics(s.registry, s.store, s.clock)}
	if c := s.opts.Cluster; c != nil {
		wo.Claims = notify.NewRedisClaims(c.Client, c.Prefix, c.NodeID)
	}
	s.worker = notify.NewWorker(wo)
}

// deskAnnouncer connects a routing desk to the outbox: transcripts of ended
// conversations and presence alerts. One is made per desk (a new leader makes its
// own) and stopped with it.
type deskAnnouncer struct {
	outbox  notify.Outbox
	worker  *notify.Worker
	monitor *notify.PresenceMonitor
	log     *zap.Logger
}

var _ routing.Announcer = (*deskAnnouncer)(nil)

// newDeskAnnouncer returns the announcer of a desk; site reads the desk's copy of a
// site (it is called from the monitor's timers, outside the desk's lock).
func (s *Server) newDeskAnnouncer(site func(id string) *store.Site) *deskAnnouncer {
	a := &deskAnnouncer{outbox: s.outbox, worker: s.worker, log: s.log.Named("alerts")}
	a.monitor = notify.NewPresenceMonitor(notify.PresenceOptions{Store: s.store, Clock: s.clock, Log: a.log,
		Outbox: s.outbox, Site: site, Stored: s.worker.Wake})
	return a
}

func (a *deskAnnouncer) ConversationEnded(site *store.Site, c *store.Conversation) []*store.Notification {
	items, err := a.outbox.ConversationEnded(site, c)
	if err != nil {
		a.log.Error("transcript notification not made", zap.String("conversation", c.ID), zap.Error(err))
	}
	return items
}

func (a *deskAnnouncer) Stored() { a.worker.Wake() }

func (a *deskAnnouncer) SiteStatus(site *store.Site, st routing.Status, at time.Time) {
	a.monitor.Observe(site, notify.Status{Online: st.Online, Reason: st.Reason, OpensAt: st.OpensAt, ClosesAt: st.ClosesAt}, at)
}

func (a *deskAnnouncer) SiteDeleted(siteID string) { a.monitor.Forget(siteID) }

// stop cancels the presence checks armed by this desk.
func (a *deskAnnouncer) stop() { a.monitor.Stop() }
