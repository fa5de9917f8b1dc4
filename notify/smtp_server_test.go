package notify

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
)

// testHost is a name that is not loopback as far as AUTH rules go; tests reach it
// by redirecting the dial to the local server.
const testHost = "mail.example.test"

// testCert is a self-signed CA certificate for localhost, 127.0.0.1 and testHost,
// with a pool that trusts it.
var testCert = sync.OnceValues(func() (tls.Certificate, *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "notify test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost", testHost},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		panic(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
})

func testTLSConfig() *tls.Config {
	_, pool := testCert()
	return &tls.Config{RootCAs: pool}
}

// received is one message as the test server got it.
type received struct {
	from     string
	to       []string
	data     []byte
	tls      bool
	authUser string
}

// testServer is a real SMTP server (go-smtp) on 127.0.0.1 that keeps what it gets.
type testServer struct {
	addr string

	// Set before start.
	user, pass string // when set, AUTH PLAIN is offered and required
	rejectRcpt string // RCPT TO of this address gets 550
	blockData  bool   // DATA never answers (until the test ends)

	release chan struct{}

	mu       sync.Mutex
	msgs     []received
	mails    int // MAIL FROM commands seen
	authSeen int // AUTH attempts seen
}

type serverMode int

const (
	plainServer    serverMode = iota // no STARTTLS
	startTLSServer                   // offers STARTTLS
	implicitServer                   // TLS from the first byte
)

// start serves on 127.0.0.1:0 until the test ends.
func (ts *testServer) start(t *testing.T, mode serverMode, allowInsecureAuth bool) {
	t.Helper()
	ts.release = make(chan struct{})
	cert, _ := testCert()
	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(c *gosmtp.Conn) (gosmtp.Session, error) {
		return &testSession{ts: ts, conn: c}, nil
	}))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.AllowInsecureAuth = allowInsecureAuth
	srv.ErrorLog = log.New(io.Discard, "", 0)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tlsCfg := &tls.Config{Certificates: []tls.Certificate{cert}}
	switch mode {
	case startTLSServer:
		srv.TLSConfig = tlsCfg
	case implicitServer:
		ln = tls.NewListener(ln, tlsCfg)
	}
	ts.addr = ln.Addr().String()
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(ln)
	}()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	t.Cleanup(func() { close(ts.release) }) // runs first: unblocks a blocked DATA
}

func (ts *testServer) messages() []received {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]received(nil), ts.msgs...)
}

func (ts *testServer) counts() (mails, auths int) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.mails, ts.authSeen
}

type testSession struct {
	ts   *testServer
	conn *gosmtp.Conn
	user string
	from string
	to   []string
}

func (s *testSession) AuthMechanisms() []string {
	if s.ts.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *testSession) Auth(mech string) (sasl.Server, error) {
	s.ts.mu.Lock()
	s.ts.authSeen++
	s.ts.mu.Unlock()
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != s.ts.user || password != s.ts.pass {
			return gosmtp.ErrAuthFailed
		}
		s.user = username
		return nil
	}), nil
}

func (s *testSession) Mail(from string, _ *gosmtp.MailOptions) error {
	s.ts.mu.Lock()
	s.ts.mails++
	s.ts.mu.Unlock()
	if s.ts.user != "" && s.user == "" {
		return gosmtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *testSession) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	if to == s.ts.rejectRcpt {
		return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "no such user here"}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *testSession) Data(r io.Reader) error {
	if s.ts.blockData {
		<-s.ts.release
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.ts.mu.Lock()
	s.ts.msgs = append(s.ts.msgs, received{from: s.from, to: s.to, data: data, tls: isTLS, authUser: s.user})
	s.ts.mu.Unlock()
	return nil
}

func (s *testSession) Reset()        { s.from, s.to = "", nil }
func (s *testSession) Logout() error { return nil }

// newTestSMTP returns a sender for rawURL whose host:port is "HOST:PORT" (replaced
// with the server's port); every dial goes to the test server.
func newTestSMTP(t *testing.T, ts *testServer, rawURL string, opt SMTPOptions) *SMTP {
	t.Helper()
	_, port, _ := net.SplitHostPort(ts.addr)
	cfg, err := ParseSMTPURL(strings.ReplaceAll(rawURL, "PORT", port))
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSMTP(cfg, "Live Desk <desk@example.com>", opt)
	if err != nil {
		t.Fatal(err)
	}
	s.dialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, ts.addr)
	}
	return s
}

func testEmail(to ...string) *Email {
	return &Email{
		To:          to,
		ReplyTo:     "zoe@example.org",
		ReplyToName: "Zoë Ünal",
		Subject:     "[Acme] Offline message from Zoë Ünal — 山田 \"quoted\"",
		Text:        "Grüße!\nLine two = ok\n.\nlast line ",
		MessageID:   "event-1@livedesk",
		Date:        time.Date(2026, 12, 2, 16, 59, 0, 0, time.UTC),
	}
}

// sendCtx bounds every send of these tests.
func sendCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}
