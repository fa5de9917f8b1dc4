package gateway

import (
	"fmt"
	"github.com/livedesk/gateway/internal/clientaddr"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/livedesk/gateway/gateway/api"
	"github.com/livedesk/gateway/notify"
	"github.com/livedesk/gateway/protocol"
	"github.com/livedesk/gateway/routing"
)

// Config is what the command line gives the gateway (docs/protocol.md#command-line).
type Config struct {
	Addr     string
	DataDir  string
	RedisURL string
	// DatabaseURL (--database-url), when set, makes PostgreSQL the store: the
	// durable data lives there, and Redis (RedisURL) carries only the cluster's
	// pub/sub, presence and leader lease.
	DatabaseURL   string
	OwnerEmail    string
	OwnerPassword string
	Demo          bool
	Secret        string
	SMTPURL       string
	SMTPFrom      string
	LogLevel      string
	LogFormat     string
	// NodeID names this node in a cluster (default: host name and a random part).
	NodeID string
	// DebugAddr, when set, serves net/http/pprof there (a separate listener, meant
	// for loopback).
	DebugAddr string
	// MetricsAddr, when set, serves /metrics there (a listener of its own) and not
	// on Addr.
	MetricsAddr string
	// DisconnectGrace is how long an agent without sockets still counts as there.
	DisconnectGrace time.Duration
	// LeaseTTL and NodeTTL tune failure detection in a cluster (cluster.Options).
	LeaseTTL time.Duration
	NodeTTL  time.Duration
	// TrustedProxies (--trusted-proxies) is a comma-separated list of CIDR ranges
	// and addresses whose X-Forwarded-For names the client (ParseTrustedProxies).
	TrustedProxies string
	// MaxConnsPerAddr and MaxSocketsPerAddr cap what one client address holds open
	// at once (docs/operations.md#address-caps); 0: no cap.
	MaxConnsPerAddr   int
	MaxSocketsPerAddr int
	// WebhookAllowPrivate lets site webhooks go to loopback, link-local and private
	// addresses (NotifyOptions.WebhookAllowPrivate).
	WebhookAllowPrivate bool
}

// DefaultConfig returns the defaults of docs/protocol.md#command-line.
func DefaultConfig() Config {
	return Config{Addr: ":8080", DataDir: "./data", LogLevel: "info", LogFormat: "console",
		DisconnectGrace: routing.DefaultDisconnectGrace, LeaseTTL: 5 * time.Second, NodeTTL: 10 * time.Second,
		MaxConnsPerAddr: DefaultMaxConnsPerAddr, MaxSocketsPerAddr: DefaultMaxSocketsPerAddr}
}

// Validate checks every value and names the flag at fault.
func (c Config) Validate() error {
	if _, port, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("--addr %q: want host:port or :port (%v)", c.Addr, err)
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("--addr %q: port must be a number from 0 to 65535", c.Addr)
	}
	if c.DatabaseURL != "" {
		u, err := url.Parse(c.DatabaseURL)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			return fmt.Errorf("--database-url: want postgres://user:password@host:port/db (or postgresql://)")
		}
	}
	if c.RedisURL == "" && c.DatabaseURL == "" && strings.TrimSpace(c.DataDir) == "" {
		return fmt.Errorf("--data-dir must not be empty")
	}
	if c.RedisURL != "" {
		u, err := url.Parse(c.RedisURL)
		if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss" && u.Scheme != "unix") {
			return fmt.Errorf("--redis-url %q: want redis://host:port/db, rediss:// or unix://", c.RedisURL)
		}
	}
	if c.OwnerEmail != "" && !protocol.ValidEmail(c.OwnerEmail) {
		return fmt.Errorf("--owner-email %q is not a valid e-mail address", c.OwnerEmail)
	}
	if c.OwnerPassword != "" {
		if err := api.CheckPassword(c.OwnerPassword); err != nil {
			return fmt.Errorf("--owner-password: %s", err.(*api.APIError).Message)
		}
	}
	if c.Secret != "" && len(c.Secret) < 16 {
		return fmt.Errorf("--secret must be at least 16 characters")
	}
	if c.SMTPURL != "" {
		if _, err := notify.ParseSMTPURL(c.SMTPURL); err != nil {
			return fmt.Errorf("--smtp-url: %v (want smtp://[user:pass@]host[:port], smtp+starttls:// or smtps://)", err)
		}
		if c.SMTPFrom == "" {
			return fmt.Errorf("--smtp-from is required with --smtp-url")
		}
	}
	if c.SMTPFrom != "" {
		if _, err := mail.ParseAddress(c.SMTPFrom); err != nil {
			return fmt.Errorf("--smtp-from %q: %v", c.SMTPFrom, err)
		}
	}
	if c.DisconnectGrace < time.Second || c.DisconnectGrace > time.Hour {
		return fmt.Errorf("--disconnect-grace %s: want 1s to 1h", c.DisconnectGrace)
	}
	if c.LeaseTTL < time.Second || c.LeaseTTL > time.Minute {
		return fmt.Errorf("--lease-ttl %s: want 1s to 1m", c.LeaseTTL)
	}
	if c.NodeTTL < 3*time.Second || c.NodeTTL > time.Minute {
		return fmt.Errorf("--node-ttl %s: want 3s to 1m (heartbeats go every second)", c.NodeTTL)
	}
	if c.DebugAddr != "" {
		if _, _, err := net.SplitHostPort(c.DebugAddr); err != nil {
			return fmt.Errorf("--debug-addr %q: want host:port (%v)", c.DebugAddr, err)
		}
	}
	if _, err := clientaddr.ParseTrustedProxies(c.TrustedProxies); err != nil {
		return fmt.Errorf("--trusted-proxies: %v", err)
	}
	if c.MaxConnsPerAddr < 0 {
		return fmt.Errorf("--max-conns-per-addr %d: want 0 (no cap) or more", c.MaxConnsPerAddr)
	}
	if c.MaxSocketsPerAddr < 0 {
		return fmt.Errorf("--max-sockets-per-addr %d: want 0 (no cap) or more", c.MaxSocketsPerAddr)
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			return fmt.Errorf("--metrics-addr %q: want host:port (%v)", c.MetricsAddr, err)
		}
	}
	if len(c.NodeID) > 128 || strings.ContainsAny(c.NodeID, " \t\r\n") {
		return fmt.Errorf("--node-id %q: at most 128 characters, no spaces", c.NodeID)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("--log-level %q: want debug, info, warn or error", c.LogLevel)
	}
	switch c.LogFormat {
	case "json", "console":
	default:
		return fmt.Errorf("--log-format %q: want json or console", c.LogFormat)
	}
	return nil
}
