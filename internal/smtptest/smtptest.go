// Package smtptest runs a real SMTP server (github.com/emersion/go-smtp) on a free
// loopback port for tests, and keeps every message it accepts.
package smtptest

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is one accepted message: its envelope and its raw data.
type Message struct {
	From string
	To   []string
	Data []byte
}

// Server is a running SMTP server. Fail, when set, refuses that many DATA commands
// (451, a temporary failure) before accepting.
//
// Lock rule: mu guards msgs and failNext.
type Server struct {
	Addr string
	srv  *smtp.Server

	mu       sync.Mutex
	msgs     []Message
	failNext int
	got      chan struct{}
}

// Start runs a server on 127.0.0.1:0 and stops it when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{got: make(chan struct{}, 1)}
	s.srv = smtp.NewServer(backend{s})
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = true
	s.srv.ReadTimeout, s.srv.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Addr = l.Addr().String()
	go func() { _ = s.srv.Serve(l) }()
	t.Cleanup(func() { _ = s.srv.Close() })
	return s
}

// URL is the smtp:// URL of the server.
func (s *Server) URL() string { return "smtp://" + s.Addr }

// FailNext makes the next n messages get a temporary failure at DATA.
func (s *Server) FailNext(n int) {
	s.mu.Lock()
	s.failNext = n
	s.mu.Unlock()
}

// Messages returns a copy of what was accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Wait returns once n messages were accepted, or fails the test after timeout.
func (s *Server) Wait(t testing.TB, n int, timeout time.Duration) []Message {
	t.Helper()
	deadline := time.After(timeout)
	for {
		if m := s.Messages(); len(m) >= n {
			return m
		}
		select {
		case <-s.got:
		case <-deadline:
			t.Fatalf("smtptest: %d messages within %s, want %d", len(s.Messages()), timeout, n)
		}
	}
}

type backend struct{ s *Server }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: b.s}, nil }

type session struct {
	s    *Server
	from string
	to   []string
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error { ss.from = from; return nil }

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s := ss.s
	s.mu.Lock()
	if s.failNext > 0 {
		s.failNext--
		s.mu.Unlock()
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	s.msgs = append(s.msgs, Message{From: ss.from, To: ss.to, Data: b})
	s.mu.Unlock()
	select {
	case s.got <- struct{}{}:
	default:
	}
	return nil
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }
