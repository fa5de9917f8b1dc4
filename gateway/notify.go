package gateway

import (
	"net"
	"time"

	"github.com/livedesk/gateway/notify"
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
