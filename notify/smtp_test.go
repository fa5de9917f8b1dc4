package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestSMTPSendPlain(t *testing.T) {
	ts := &testServer{}
	ts.start(t, plainServer, false)
	s := newTestSMTP(t, ts, "smtp://127.0.0.1:PORT", SMTPOptions{})
	if err := s.Send(sendCtx(t), testEmail("team@example.com")); err != nil {
		t.Fatal(err)
	}
	msgs := ts.messages()
	if len(msgs) != 1 || msgs[0].tls || msgs[0].from != "desk@example.com" || strings.Join(msgs[0].to, ",") != "team@example.com" {
		t.Fatalf("server got %+v", msgs)
	}
}

func TestSMTPSendOpportunisticSTARTTLS(t *testing.T) {
	ts := &testServer{}
	ts.start(t, startTLSServer, false)
	s := newTestSMTP(t, ts, "smtp://127.0.0.1:PORT", SMTPOptions{TLSConfig: testTLSConfig()})
	if err := s.Send(sendCtx(t), testEmail("team@example.com")); err != nil {
		t.Fatal(err)
	}
	if msgs := ts.messages(); len(msgs) != 1 || !msgs[0].tls {
		t.Fatalf("want one message over TLS, server got %+v", msgs)
	}
}

// Once STARTTLS is offered, a certificate that does not verify fails the send:
// no silent fallback to plain text.
func TestSMTPSendOpportunisticBadCertificate(t *testing.T) {
	ts := &testServer{}
	ts.start(t, startTLSServer, false)
	_, pool := testCert()
	s := newTestSMTP(t, ts, "smtp://"+testHost+":PORT", SMTPOptions{TLSConfig: &tls.Config{RootCAs: pool, ServerName: "other.example.test"}})
	err := s.Send(sendCtx(t), testEmail("team@example.com"))
	var se *SMTPError
	if !errors.As(err, &se) || se.Step != "STARTTLS" || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("Send = %v, want a STARTTLS certificate error", err)
	}
	if mails, _ := ts.counts(); mails != 0 || len(ts.messages()) != 0 {
		t.Fatalf("server saw %d MAIL commands", mails)
	}
}

func TestSMTPSendRequiredSTARTTLS(t *testing.T) {
	t.Run("offered", func(t *testing.T) {
		ts := &testServer{}
		ts.start(t, startTLSServer, false)
		// The host name (not an IP) is checked against the certificate.
		s := newTestSMTP(t, ts, "smtp+starttls://"+testHost+":PORT", SMTPOptions{TLSConfig: testTLSConfig()})
		if err := s.Send(sendCtx(t), testEmail("team@example.com")); err != nil {
			t.Fatal(err)
		}
		if msgs := ts.messages(); len(msgs) != 1 || !msgs[0].tls {
			t.Fatalf("want one message over TLS, server got %+v", msgs)
		}
	})
	t.Run("not offered", func(t *testing.T) {
		ts := &testServer{}
		ts.start(t, plainServer, false)
		s := newTestSMTP(t, ts, "smtp+starttls://127.0.0.1:PORT", SMTPOptions{TLSConfig: testTLSConfig()})
		err := s.Send(sendCtx(t), testEmail("team@example.com"))
		var se *SMTPError
		if !errors.As(err, &se) || se.Step != "STARTTLS" || !strings.Contains(err.Error(), "does not offer STARTTLS") {
			t.Fatalf("Send = %v, want a STARTTLS error", err)
		}
		if mails, _ := ts.counts(); mails != 0 {
			t.Fatalf("server saw %d MAIL commands, want none", mails)
		}
	})
}

func TestSMTPSendImplicitTLS(t *testing.T) {
	ts := &testServer{}
	ts.start(t, implicitServer, false)
	s := newTestSMTP(t, ts, "smtps://127.0.0.1:PORT", SMTPOptions{TLSConfig: testTLSConfig()})
	if err := s.Send(sendCtx(t), testEmail("team@example.com")); err != nil {
		t.Fatal(err)
	}
	if msgs := ts.messages(); len(msgs) != 1 || !msgs[0].tls {
		t.Fatalf("want one message over TLS, server got %+v", msgs)
	}

	// Without the test root the handshake fails at connect.
	s = newTestSMTP(t, ts, "smtps://127.0.0.1:PORT", SMTPOptions{})
	err := s.Send(sendCtx(t), testEmail("team@example.com"))
	var se *SMTPError
	if !errors.As(err, &se) || se.Step != "connect" || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("Send = %v, want a certificate error at connect", err)
	}
}

func TestSMTPSendAuth(t *testing.T) {
	tests := []struct {
		name     string
		mode     serverMode
		insecure bool // server offers AUTH without TLS
		url      string
		wantErr  string // "" means delivered
		wantAuth int    // AUTH attempts the server must have seen
	}{
		{name: "STARTTLS, right password", mode: startTLSServer, url: "smtp+starttls://desk%40example.com:s%3Acret@" + testHost + ":PORT", wantAuth: 1},
		{name: "implicit TLS, right password", mode: implicitServer, url: "smtps://desk%40example.com:s%3Acret@" + testHost + ":PORT", wantAuth: 1},
		{name: "plain text to loopback", mode: plainServer, insecure: true, url: "smtp://desk%40example.com:s%3Acret@127.0.0.1:PORT", wantAuth: 1},
		{name: "wrong password", mode: startTLSServer, url: "smtp+starttls://desk%40example.com:wrong@" + testHost + ":PORT",
			wantErr: `AUTH: authentication as "desk@example.com" failed: 535`, wantAuth: 1},
		{name: "plain text to another host", mode: plainServer, insecure: true, url: "smtp://desk%40example.com:s%3Acret@" + testHost + ":PORT",
			wantErr: "AUTH: refusing to send the password", wantAuth: 0},
		{name: "server without AUTH", mode: plainServer, url: "smtp://desk%40example.com:s%3Acret@127.0.0.1:PORT",
			wantErr: "AUTH: server does not offer AUTH", wantAuth: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := &testServer{user: "desk@example.com", pass: "s:cret"}
			ts.start(t, tt.mode, tt.insecure)
			s := newTestSMTP(t, ts, tt.url, SMTPOptions{TLSConfig: testTLSConfig()})
			err := s.Send(sendCtx(t), testEmail("team@example.com"))
			if _, auths := ts.counts(); auths != tt.wantAuth {
				t.Errorf("server saw %d AUTH attempts, want %d", auths, tt.wantAuth)
			}
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if msgs := ts.messages(); len(msgs) != 1 || msgs[0].authUser != "desk@example.com" {
					t.Fatalf("server got %+v", msgs)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Send = %v, want an error containing %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "s:cret") || strings.Contains(err.Error(), "wrong") && tt.name == "wrong password" {
				t.Fatalf("error %q shows the password", err)
			}
			if len(ts.messages()) != 0 {
				t.Fatal("server got a message")
			}
		})
	}
}

func TestSMTPSendRecipientRejected(t *testing.T) {
	ts := &testServer{rejectRcpt: "nobody@example.com"}
	ts.start(t, plainServer, false)
	s := newTestSMTP(t, ts, "smtp://127.0.0.1:PORT", SMTPOptions{})
	err := s.Send(sendCtx(t), testEmail("team@example.com", "nobody@example.com", "boss@example.com"))
	var se *SMTPError
	if !errors.As(err, &se) || se.Step != "RCPT TO" || se.Recipient != "nobody@example.com" || se.Code != 550 || !se.Permanent() {
		t.Fatalf("Send = %#v", err)
	}
	want := fmt.Sprintf("smtp %s: RCPT TO <nobody@example.com>: 550 5.1.1 no such user here", ts.addr)
	if err.Error() != want {
		t.Fatalf("error = %q, want %q", err, want)
	}
	if len(ts.messages()) != 0 {
		t.Fatal("server got a message although a recipient was refused")
	}
}

func TestSMTPSendTimeouts(t *testing.T) {
	// silent accepts connections and never says a word.
	silent := func(t *testing.T) (addr string, accepted <-chan struct{}) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		acc := make(chan struct{}, 16)
		var mu sync.Mutex
		var conns []net.Conn
		done := make(chan struct{})
		go func() {
			defer close(done)
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				mu.Lock()
				conns = append(conns, c)
				mu.Unlock()
				acc <- struct{}{}
			}
		}()
		t.Cleanup(func() {
			ln.Close()
			<-done
			mu.Lock()
			defer mu.Unlock()
			for _, c := range conns {
				c.Close()
			}
		})
		return ln.Addr().String(), acc
	}
	send := func(t *testing.T, ctx context.Context, addr string, opt SMTPOptions) (error, time.Duration) {
		ts := &testServer{addr: addr}
		s := newTestSMTP(t, ts, "smtp://127.0.0.1:PORT", opt)
		start := time.Now()
		err := s.Send(ctx, testEmail("team@example.com"))
		return err, time.Since(start)
	}
	// step may be "connect|greeting": cancelling as the server accepts can end
	// either step.
	check := func(t *testing.T, err error, took time.Duration, step string, target error) {
		t.Helper()
		var se *SMTPError
		if !errors.As(err, &se) || !slices.Contains(strings.Split(step, "|"), se.Step) || !errors.Is(err, target) {
			t.Fatalf("Send = %v, want step %s and %v", err, step, target)
		}
		if took > 10*time.Second {
			t.Fatalf("Send took %v", took)
		}
	}

	t.Run("greeting never comes, Timeout", func(t *testing.T) {
		addr, _ := silent(t)
		err, took := send(t, sendCtx(t), addr, SMTPOptions{Timeout: 200 * time.Millisecond})
		check(t, err, took, "greeting", context.DeadlineExceeded)
		if !strings.Contains(err.Error(), "send limit 200ms") {
			t.Errorf("error %q does not name the limit", err)
		}
	})
	t.Run("greeting never comes, context deadline", func(t *testing.T) {
		addr, _ := silent(t)
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		err, took := send(t, ctx, addr, SMTPOptions{})
		check(t, err, took, "greeting", context.DeadlineExceeded)
	})
	t.Run("greeting never comes, cancelled", func(t *testing.T) {
		addr, accepted := silent(t)
		ctx, cancel := context.WithCancel(sendCtx(t))
		go func() {
			<-accepted
			cancel()
		}()
		err, took := send(t, ctx, addr, SMTPOptions{})
		check(t, err, took, "connect|greeting", context.Canceled)
	})
	t.Run("DATA never answered", func(t *testing.T) {
		ts := &testServer{blockData: true}
		ts.start(t, plainServer, false)
		err, took := send(t, sendCtx(t), ts.addr, SMTPOptions{Timeout: 300 * time.Millisecond})
		check(t, err, took, "DATA", context.DeadlineExceeded)
	})
	t.Run("context already over", func(t *testing.T) {
		addr, _ := silent(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err, took := send(t, ctx, addr, SMTPOptions{})
		check(t, err, took, "connect", context.Canceled)
	})
}

// The message as received parses back to what was sent, for every recipient.
func TestSMTPSendMessageRoundTrip(t *testing.T) {
	ts := &testServer{}
	ts.start(t, startTLSServer, false)
	s := newTestSMTP(t, ts, "smtp+starttls://localhost:PORT", SMTPOptions{TLSConfig: testTLSConfig(), HelloName: "gateway.example.com"})
	e := testEmail("a@example.com", "B <b@example.com>", "c@example.net")
	if err := s.Send(sendCtx(t), e); err != nil {
		t.Fatal(err)
	}
	msgs := ts.messages()
	if len(msgs) != 1 {
		t.Fatalf("server got %d messages", len(msgs))
	}
	got := msgs[0]
	if strings.Join(got.to, ",") != "a@example.com,b@example.com,c@example.net" {
		t.Errorf("envelope recipients = %q", got.to)
	}
	m, err := mail.ReadMessage(bytes.NewReader(got.data))
	if err != nil {
		t.Fatal(err)
	}
	var dec mime.WordDecoder
	subject, err := dec.DecodeHeader(m.Header.Get("Subject"))
	if err != nil || subject != e.Subject {
		t.Errorf("Subject = %q, %v; want %q", subject, err, e.Subject)
	}
	rt, err := m.Header.AddressList("Reply-To")
	if err != nil || len(rt) != 1 || rt[0].Name != "Zoë Ünal" || rt[0].Address != "zoe@example.org" {
		t.Errorf("Reply-To = %v, %v", rt, err)
	}
	to, err := m.Header.AddressList("To")
	if err != nil || len(to) != 3 || to[1].Address != "b@example.com" {
		t.Errorf("To = %v, %v", to, err)
	}
	from, err := m.Header.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Name != "Live Desk" || from[0].Address != "desk@example.com" {
		t.Errorf("From = %v, %v", from, err)
	}
	if id := m.Header.Get("Message-Id"); id != "<event-1@livedesk>" {
		t.Errorf("Message-ID = %q", id)
	}
	if d, err := m.Header.Date(); err != nil || !d.Equal(e.Date) {
		t.Errorf("Date = %v, %v", d, err)
	}
	if ct := m.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.ReplaceAll(e.Text, "\n", "\r\n") + "\r\n"; string(body) != want {
		t.Errorf("body = %q, want %q", body, want)
	}
}

func TestNewSMTP(t *testing.T) {
	cfg := SMTPConfig{Security: SMTPStartTLS, Host: "mail.example.com", Port: 587, Username: "desk", Password: "hunter2"}
	s, err := NewSMTP(cfg, "Desk <desk@example.com>", SMTPOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.String(), "smtp+starttls://desk@mail.example.com:587 from desk@example.com"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if s.timeout != DefaultSMTPTimeout || s.hello != "localhost" || s.tls.ServerName != "mail.example.com" || s.tls.RootCAs != nil {
		t.Errorf("defaults: timeout %v, hello %q, server name %q", s.timeout, s.hello, s.tls.ServerName)
	}
	if got := fmt.Sprintf("%v %+v %s", cfg, cfg, cfg); strings.Contains(got, "hunter2") {
		t.Errorf("formatting the config shows the password: %s", got)
	}

	own := &tls.Config{ServerName: "relay.example.com"}
	s, err = NewSMTP(cfg, "desk@example.com", SMTPOptions{TLSConfig: own})
	if err != nil || s.tls == own || s.tls.ServerName != "relay.example.com" {
		t.Errorf("TLSConfig not cloned or ServerName overridden: %v", err)
	}

	bad := []struct {
		name string
		cfg  SMTPConfig
		from string
		opt  SMTPOptions
		want string
	}{
		{"bad from", cfg, "not an address", SMTPOptions{}, "from address"},
		{"from with CRLF", cfg, "desk@example.com\r\nBcc: x@example.net", SMTPOptions{}, "line break"},
		{"two from addresses", cfg, "a@example.com, b@example.com", SMTPOptions{}, "from address"},
		{"hello with a space", cfg, "desk@example.com", SMTPOptions{HelloName: "my host"}, "hello name"},
		{"zero config", SMTPConfig{}, "desk@example.com", SMTPOptions{}, "unknown security mode"},
		{"no host", SMTPConfig{Security: SMTPImplicitTLS, Port: 465}, "desk@example.com", SMTPOptions{}, "missing host"},
		{"bad port", SMTPConfig{Security: SMTPImplicitTLS, Host: "h", Port: 70000}, "desk@example.com", SMTPOptions{}, "out of range"},
		{"password without user", SMTPConfig{Security: SMTPImplicitTLS, Host: "h", Port: 465, Password: "x"}, "desk@example.com", SMTPOptions{}, "password without a user"},
	}
	for _, tt := range bad {
		if _, err := NewSMTP(tt.cfg, tt.from, tt.opt); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: NewSMTP error = %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}

func TestSMTPSendBadMessage(t *testing.T) {
	s, err := NewSMTP(SMTPConfig{Security: SMTPOpportunistic, Host: "127.0.0.1", Port: 1}, "desk@example.com", SMTPOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s.dialContext = func(context.Context, string, string) (net.Conn, error) {
		t.Fatal("Send dialled although the message is invalid")
		return nil, nil
	}
	err = s.Send(sendCtx(t), &Email{Subject: "x"})
	var se *SMTPError
	if !errors.As(err, &se) || se.Step != "message" || !strings.Contains(err.Error(), "no recipients") {
		t.Fatalf("Send = %v", err)
	}
}
