package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"net/mail"
	"testing"
	"time"

	"github.com/livedesk/gateway/internal/smtptest"
	"github.com/livedesk/gateway/internal/webhooktest"
	"github.com/livedesk/gateway/notify"
	"github.com/livedesk/gateway/store"
)

// hookSecret signs the test webhooks.
const hookSecret = "whsec-test-0123456789"

// notifyRig is a gateway with a real SMTP server and a real webhook receiver, and a
// retry policy without jitter (10 s, 20 s, 40 s, ...). Webhooks may go to private
// addresses (--webhook-allow-private): the receiver is on loopback.
type notifyRig struct {
	*fixture
	smtp *smtptest.Server
	hook *webhooktest.Receiver
}

// newNotifyRig starts the rig; window, when given, shortens the retry window.
func newNotifyRig(t *testing.T, window ...time.Duration) *notifyRig {
	t.Helper()
	mail := smtptest.Start(t)
	hook := webhooktest.Start(t)
	cfg, err := notify.ParseSMTPURL(mail.URL())
	if err != nil {
		t.Fatal(err)
	}
	m, err := notify.NewSMTP(cfg, "Support desk <desk@example.com>", notify.SMTPOptions{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, func(o *Options) {
		o.Notify.Mailer, o.Notify.Backoff = m, notify.Backoff{Jitter: func() float64 { return 0.5 }}
		o.Notify.WebhookAllowPrivate = true // the receiver is on loopback
		if len(window) > 0 {
			o.Notify.Backoff.Window = window[0]
		}
	})
	return &notifyRig{fixture: f, smtp: mail, hook: hook}
}

// notifySiteA sends site A's notifications and alerts to the rig's receivers.
func (r *notifyRig) notifySiteA(afterSeconds int) {
	r.t.Helper()
	r.mustDo("PATCH", "/api/v1/sites/"+r.siteA.ID, r.tokens["admin"], map[string]any{
		"notify":          map[string]any{"emails": []string{"desk@shop.example", "boss@shop.example"}, "webhook_url": r.hook.URL, "webhook_secret": hookSecret},
		"presence_alerts": map[string]any{"emails": []string{"oncall@shop.example"}, "webhook_url": r.hook.URL, "after_seconds": afterSeconds},
	}, 200)
}

// notifications lists the outbox through the API.
func (r *notifyRig) notifications(query string) []map[string]any {
	r.t.Helper()
	body := r.mustDo("GET", "/api/v1/notifications"+query, r.tokens["admin"], nil, 200).json(r.t)
	var out []map[string]any
	for _, n := range body["notifications"].([]any) {
		out = append(out, n.(map[string]any))
	}
	return out
}

// advanceUntil moves the fake clock forward step by step until cond holds: the
// worker runs in real time, so each step waits briefly for it to catch up. It fails
// the test after max steps.
func (r *notifyRig) advanceUntil(step time.Duration, max int, what string, cond func() bool) {
	r.t.Helper()
	for i := 0; i < max; i++ {
		deadline := time.Now().Add(500 * time.Millisecond)
		for time.Now().Before(deadline) {
			if cond() {
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
		r.clock.Advance(step)
	}
	if !cond() {
		r.t.Fatalf("%s: not after %d steps of %s", what, max, step)
	}
}

// stored returns the outbox items of a type, oldest first, straight from the store.
func (r *notifyRig) stored(typ string) []*store.Notification {
	r.t.Helper()
	list, err := r.store.ListNotifications(context.Background(), store.NotificationFilter{Limit: 500})
	if err != nil {
		r.t.Fatal(err)
	}
	var out []*store.Notification
	for i := len(list) - 1; i >= 0; i-- {
		if list[i].Type == typ {
			out = append(out, list[i])
		}
	}
	return out
}

// hookBody decodes a webhook request after checking its signature.
func hookBody(t *testing.T, req webhooktest.Request) notify.WebhookBody {
	t.Helper()
	if sig := req.Header.Get(notify.SignatureHeader); !notify.VerifySignature(hookSecret, req.Body, sig) {
		t.Fatalf("bad signature %q on %s", sig, req.Body)
	}
	var b notify.WebhookBody
	if err := json.Unmarshal(req.Body, &b); err != nil {
		t.Fatal(err)
	}
	return b
}

// parseMail parses a received message.
func parseMail(t *testing.T, m smtptest.Message) *mail.Message {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		t.Fatalf("received mail does not parse: %v\n%s", err, m.Data)
	}
	return msg
}
