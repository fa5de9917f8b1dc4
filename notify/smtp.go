package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"os"
	"slices"
	"strings"
	"time"
)

// DefaultSMTPTimeout bounds one Send, from dialling to the server's reply to DATA.
const DefaultSMTPTimeout = 30 * time.Second

// SMTPOptions tunes an SMTP sender; the zero value is ready to use.
type SMTPOptions struct {
	// TLSConfig is used for STARTTLS and implicit TLS. nil means the system roots;
	// an empty ServerName is set to the configured host. The config is cloned.
	TLSConfig *tls.Config
	// Timeout bounds each Send as a whole (DefaultSMTPTimeout when <= 0).
	Timeout time.Duration
	// HelloName is the name sent with EHLO ("localhost" when empty).
	HelloName string
}

// SMTP sends e-mail through one SMTP server, one connection per message. It is safe
// for concurrent use. Create it with NewSMTP.
type SMTP struct {
	cfg     SMTPConfig
	from    *mail.Address
	tls     *tls.Config
	timeout time.Duration
	hello   string
	// dialContext replaces net.Dialer.DialContext in tests.
	dialContext func(ctx context.Context, network, addr string) (net.Conn, error)
}

// NewSMTP returns a sender for cfg (see ParseSMTPURL) that sends as from, an RFC
// 5322 address such as "Desk <desk@example.com>" whose address is also the envelope
// sender. It fails on an invalid cfg, from or HelloName; it does not contact the
// server.
func NewSMTP(cfg SMTPConfig, from string, opt SMTPOptions) (*SMTP, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("smtp: %w", err)
	}
	if strings.ContainsAny(from, "\r\n") {
		return nil, errors.New("smtp: from address contains a line break")
	}
	addr, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("smtp: from address %q: %w", from, err)
	}
	hello := opt.HelloName
	if hello == "" {
		hello = "localhost"
	}
	if strings.ContainsFunc(hello, func(r rune) bool { return r <= ' ' || r > '~' }) {
		return nil, fmt.Errorf("smtp: hello name %q must be printable ASCII without spaces", hello)
	}
	timeout := opt.Timeout
	if timeout <= 0 {
		timeout = DefaultSMTPTimeout
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if opt.TLSConfig != nil {
		tc = opt.TLSConfig.Clone()
	}
	if tc.ServerName == "" {
		tc.ServerName = cfg.Host
	}
	return &SMTP{cfg: cfg, from: addr, tls: tc, timeout: timeout, hello: hello}, nil
}

// String describes where s sends, without the password, e.g.
// "smtps://desk@mail.example.com:465 from desk@example.com".
func (s *SMTP) String() string {
	return s.cfg.String() + " from " + s.from.Address
}

// SMTPError is the error of a failed Send: the step that failed and, when the
// server refused it, the server's reply.
type SMTPError struct {
	// Server is the server's host:port.
	Server string
	// Step is one of "message", "connect", "greeting", "EHLO", "STARTTLS", "AUTH",
	// "MAIL FROM", "RCPT TO", "DATA".
	Step string
	// Recipient is the refused address when Step is "RCPT TO".
	Recipient string
	// Code is the server's reply code (e.g. 550), 0 when the step failed otherwise
	// (network, TLS, timeout).
	Code int
	// Err is the cause. It matches (errors.As) a *textproto.Error when Code is set,
	// and (errors.Is) context.DeadlineExceeded or context.Canceled when the send ran
	// out of time or was cancelled.
	Err error
}

// Error says where the send stopped and why, with the server's reply when there is
// one, e.g. "smtp mail.example.com:587: RCPT TO <a@example.com>: 550 no such user".
func (e *SMTPError) Error() string {
	step := e.Step
	if e.Recipient != "" {
		step += " <" + e.Recipient + ">"
	}
	return fmt.Sprintf("smtp %s: %s: %v", e.Server, step, e.Err)
}

// Unwrap returns Err.
func (e *SMTPError) Unwrap() error { return e.Err }

// Permanent reports whether the server refused with a 5xx reply, which the same
// message will meet again on a retry.
func (e *SMTPError) Permanent() bool { return e.Code >= 500 && e.Code < 600 }

// Send delivers e to every address of e.To in one transaction: connect, EHLO,
// STARTTLS or implicit TLS per the configured mode, AUTH PLAIN when a user is
// configured, MAIL FROM, RCPT TO each recipient, DATA. It gives up when ctx ends or
// after the configured timeout, whichever comes first. Any refused recipient fails
// the whole send before DATA, so nobody gets the message twice on a retry. Once the
// server has accepted the message, Send returns nil even if QUIT then fails.
//
// AUTH is refused over a connection without TLS unless the host is localhost,
// 127.0.0.1 or ::1 (net/smtp's PlainAuth rule), so a password never crosses the
// network in clear. Errors are *SMTPError.
func (s *SMTP) Send(ctx context.Context, e *Email) error {
	msg, rcpts, err := buildMessage(s.from, e, time.Now())
	if err != nil {
		return s.fail(nil, "message", err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()

	conn, err := s.dial(ctx)
	if err != nil {
		return s.fail(ctx, "connect", err)
	}
	if d, ok := ctx.Deadline(); ok {
		conn.SetDeadline(d)
	}
	// Cancelling ctx unblocks whatever read or write is in progress.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	c, err := smtp.NewClient(conn, s.cfg.Host)
	if err != nil {
		conn.Close()
		return s.fail(ctx, "greeting", err)
	}
	defer c.Close()
	if err := c.Hello(s.hello); err != nil {
		return s.fail(ctx, "EHLO", err)
	}
	if err := s.startTLS(c); err != nil {
		return s.fail(ctx, "STARTTLS", err)
	}
	if err := s.auth(c); err != nil {
		return s.fail(ctx, "AUTH", err)
	}
	if err := c.Mail(s.from.Address); err != nil {
		return s.fail(ctx, "MAIL FROM", err)
	}
	for _, to := range rcpts {
		if err := c.Rcpt(to); err != nil {
			se := s.fail(ctx, "RCPT TO", err)
			se.Recipient = to
			return se
		}
	}
	w, err := c.Data()
	if err != nil {
		return s.fail(ctx, "DATA", err)
	}
	if _, err := w.Write(msg); err != nil {
		w.Close()
		return s.fail(ctx, "DATA", err)
	}
	if err := w.Close(); err != nil {
		return s.fail(ctx, "DATA", err)
	}
	_ = c.Quit() // the message is accepted; a failed QUIT changes nothing
	return nil
}

// dial connects to the server, completing the TLS handshake for implicit TLS.
func (s *SMTP) dial(ctx context.Context) (net.Conn, error) {
	dial := s.dialContext
	if dial == nil {
		var d net.Dialer
		dial = d.DialContext
	}
	conn, err := dial(ctx, "tcp", s.cfg.Addr())
	if err != nil {
		return nil, err
	}
	if s.cfg.Security != SMTPImplicitTLS {
		return conn, nil
	}
	tc := tls.Client(conn, s.tls)
	if err := tc.HandshakeContext(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	return tc, nil
}

// startTLS upgrades a plain connection as the mode asks: always for
// smtp+starttls (failing when not offered), when offered for smtp.
func (s *SMTP) startTLS(c *smtp.Client) error {
	if s.cfg.Security == SMTPImplicitTLS {
		return nil
	}
	if ok, _ := c.Extension("STARTTLS"); !ok {
		if s.cfg.Security == SMTPStartTLS {
			return errors.New("server does not offer STARTTLS, which smtp+starttls:// requires (use smtp:// to allow plain text)")
		}
		return nil
	}
	return c.StartTLS(s.tls)
}

// auth authenticates with AUTH PLAIN when a user is configured.
func (s *SMTP) auth(c *smtp.Client) error {
	if s.cfg.Username == "" {
		return nil
	}
	_, isTLS := c.TLSConnectionState()
	if !isTLS && !plainAuthHostOK(s.cfg.Host) {
		return fmt.Errorf("refusing to send the password for %q over an unencrypted connection (the server did not offer STARTTLS; use smtps:// or smtp+starttls://)", s.cfg.Username)
	}
	ok, mechs := c.Extension("AUTH")
	if !ok {
		return errors.New("server does not offer AUTH; remove the user from the URL or check the server")
	}
	if !slices.Contains(strings.Fields(strings.ToUpper(mechs)), "PLAIN") {
		return fmt.Errorf("server does not offer AUTH PLAIN (it offers %s)", mechs)
	}
	if err := c.Auth(smtp.PlainAuth("", s.cfg.Username, s.cfg.Password, s.cfg.Host)); err != nil {
		return fmt.Errorf("authentication as %q failed: %w", s.cfg.Username, readableReply(err))
	}
	return nil
}

// plainAuthHostOK mirrors net/smtp's PlainAuth rule: without TLS, only these
// host names may receive a password.
func plainAuthHostOK(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// fail wraps err from step. When ctx has ended (or the connection deadline, which
// is ctx's, passed), the error matches the context's error.
func (s *SMTP) fail(ctx context.Context, step string, err error) *SMTPError {
	err = readableReply(err)
	se := &SMTPError{Server: s.cfg.Addr(), Step: step, Err: err}
	var te *textproto.Error
	if errors.As(err, &te) {
		se.Code = te.Code
	}
	if ctx != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		cause := ctx.Err()
		if cause == nil && errors.Is(err, os.ErrDeadlineExceeded) {
			cause = context.DeadlineExceeded
		}
		switch {
		case errors.Is(cause, context.DeadlineExceeded):
			se.Err = fmt.Errorf("%w (send limit %v or the caller's deadline): %w", cause, s.timeout, err)
		case cause != nil:
			se.Err = fmt.Errorf("%w: %w", cause, err)
		}
	}
	return se
}

// serverReply shows a server's refusal as the server said it, "550 5.1.1 no such
// user", where *textproto.Error would quote the text.
type serverReply struct{ te *textproto.Error }

func (r serverReply) Error() string {
	return fmt.Sprintf("%03d %s", r.te.Code, cleanHeaderText(strings.Join(strings.Fields(r.te.Msg), " ")))
}

func (r serverReply) Unwrap() error { return r.te }

// readableReply wraps a bare *textproto.Error in serverReply.
func readableReply(err error) error {
	if te, ok := err.(*textproto.Error); ok {
		return serverReply{te}
	}
	return err
}
