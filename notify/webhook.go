package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// SignatureHeader carries the body's HMAC (docs/protocol.md#notifications-outbox).
const SignatureHeader = "X-Gateway-Signature"

// DefaultWebhookTimeout bounds one webhook attempt, connect to last byte.
const DefaultWebhookTimeout = 10 * time.Second

// WebhookBody is what every webhook POSTs: the event's stable id, its type, when it
// happened and its data.
type WebhookBody struct {
	ID        string          `json:"id"`
	Type      string          `json:"type"`
	CreatedAt time.Time       `json:"created_at"`
	Data      json.RawMessage `json:"data"`
}

// Sign returns the signature header value of body: "sha256=" and the hex HMAC-SHA256
// of body keyed with secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// VerifySignature reports whether header is the signature of body with secret,
// comparing in constant time.
func VerifySignature(secret string, body []byte, header string) bool {
	return hmac.Equal([]byte(Sign(secret, body)), []byte(header))
}

// Webhooks posts signed webhook bodies. The zero value is not usable; use
// NewWebhooks.
type Webhooks struct {
	client        *http.Client
	timeout       time.Duration
	userAgent     string
	allowPrivate  bool
	resolver      *net.Resolver
	lookupTimeout time.Duration
}

// WebhookOptions configures NewWebhooks.
type WebhookOptions struct {
	// Timeout bounds one attempt, connect to last byte (<= 0: DefaultWebhookTimeout).
	Timeout time.Duration
	// UserAgent is sent when set.
	UserAgent string
	// AllowPrivate lets webhooks reach loopback, link-local, private and the other
	// non-public addresses of NonPublicClass (--webhook-allow-private). Off, every
	// connection is checked against the address actually dialled.
	AllowPrivate bool
	// Resolver resolves webhook hosts, at save time and at delivery (nil:
	// net.DefaultResolver).
	Resolver *net.Resolver
}

// NewWebhooks returns a poster. It never follows redirects: a 3xx is a failed
// attempt, so a receiver that moved is noticed instead of silently losing the POST
// body, and a redirect cannot lead to an address the guard would refuse. It does not
// use HTTP_PROXY: the guard must see the receiver's own address.
func NewWebhooks(o WebhookOptions) *Webhooks {
	if o.Timeout <= 0 {
		o.Timeout = DefaultWebhookTimeout
	}
	if o.Resolver == nil {
		o.Resolver = net.DefaultResolver
	}
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Resolver: o.Resolver}
	if !o.AllowPrivate {
		d.Control = guardControl
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.DialContext = d.DialContext
	tr.MaxIdleConnsPerHost = 4
	return &Webhooks{
		client: &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}},
		timeout:       o.Timeout,
		userAgent:     o.UserAgent,
		allowPrivate:  o.AllowPrivate,
		resolver:      o.Resolver,
		lookupTimeout: 3 * time.Second,
	}
}

// Post sends body to url with its signature, the event id and type in headers. Any
// answer but 2xx, and any transport error or timeout, is an error that says which.
func (w *Webhooks) Post(ctx context.Context, url, secret string, b *WebhookBody) error {
	body, err := json.Marshal(b)
	if err != nil {
		return fmt.Errorf("encode webhook body: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, w.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(SignatureHeader, Sign(secret, body))
	req.Header.Set("X-Gateway-Event", b.Type)
	req.Header.Set("X-Gateway-Delivery", b.ID)
	if w.userAgent != "" {
		req.Header.Set("User-Agent", w.userAgent)
	}
	resp, err := w.client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("webhook: no answer within %s", w.timeout)
		}
		var blocked *BlockedAddrError
		if errors.As(err, &blocked) {
			return fmt.Errorf("webhook: not sent: %w", blocked)
		}
		return fmt.Errorf("webhook: %w", err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		msg := strings.TrimSpace(strings.ToValidUTF8(string(snippet), "?"))
		if msg != "" {
			return fmt.Errorf("webhook: answered %s: %s", resp.Status, msg)
		}
		return fmt.Errorf("webhook: answered %s", resp.Status)
	}
	return nil
}
