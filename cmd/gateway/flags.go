package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/livedesk/gateway/gateway"
	"github.com/livedesk/gateway/gateway/setup"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

var errHelp = errors.New("help requested")

// envName is the environment variable that stands for a flag.
func envName(flagName string) string {
	return "GATEWAY_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// newFlagSet declares every flag of the gateway on cfg, with its default from cfg
// and the help text that `--help` prints and the README's flag table repeats word
// for word (flagtable_test.go keeps them equal). A flag whose empty value means
// something says what in its text, since --help prints no default for it.
func newFlagSet(cfg *gateway.Config, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("gateway", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "address to listen on")
	fs.StringVar(&cfg.DataDir, "data-dir", cfg.DataDir, "directory of the embedded store (one process at a time; unused with --redis-url or --database-url)")
	fs.StringVar(&cfg.RedisURL, "redis-url", "", "cluster mode when set: redis://host:6379/0 (or rediss://, unix://); Redis is the pub/sub between nodes, and the store unless --database-url is set. go-redis's URL options apply (?pool_size=128, dial_timeout=...); the store pools 64 connections unless pool_size says otherwise")
	fs.StringVar(&cfg.DatabaseURL, "database-url", "", "PostgreSQL as the store when set: postgres://user:password@host:5432/db (pgx's options apply: ?pool_max_conns=32, sslmode=...); the schema is migrated at start. With --redis-url the cluster keeps its data here and uses Redis only for pub/sub, presence and the leader lease (empty: --redis-url's Redis, or the embedded store)")
	fs.StringVar(&cfg.NodeID, "node-id", "", "this node's name in a cluster, unique among running nodes (empty: host name and a random part)")
	fs.DurationVar(&cfg.LeaseTTL, "lease-ttl", cfg.LeaseTTL, "cluster: how long the leader's lease lasts unrenewed (1s to 1m); a killed leader is replaced within about 1.2 x this")
	fs.DurationVar(&cfg.NodeTTL, "node-ttl", cfg.NodeTTL, "cluster: how long the leader waits for a node's heartbeat before its sockets stop counting (3s to 1m)")
	fs.DurationVar(&cfg.DisconnectGrace, "disconnect-grace", cfg.DisconnectGrace, "how long an agent whose last socket closed still counts as there (1s to 1h)")
	fs.StringVar(&cfg.OwnerEmail, "owner-email", setup.DefaultOwnerEmail, "e-mail of the owner created at first start, when no agent exists")
	fs.StringVar(&cfg.OwnerPassword, "owner-password", "", "the owner's password, at least 8 characters (empty: generated and printed once at first start)")
	fs.BoolVar(&cfg.Demo, "demo", false, "create a demo site and serve a demo page at /")
	fs.StringVar(&cfg.Secret, "secret", "", "token signing key, at least 16 characters (empty: generated and kept in the store)")
	fs.StringVar(&cfg.SMTPURL, "smtp-url", "", "e-mail notifications: smtp://[user:pass@]host[:25] (STARTTLS when offered), smtp+starttls://...:587 (STARTTLS required) or smtps://...:465 (TLS) (empty: no e-mail)")
	fs.StringVar(&cfg.SMTPFrom, "smtp-from", "", "sender address of e-mail notifications (required with --smtp-url)")
	fs.StringVar(&cfg.DebugAddr, "debug-addr", "", "serve Go's pprof profiles at http://ADDR/debug/pprof/ on a listener of its own; keep it on loopback (empty: off)")
	fs.StringVar(&cfg.LogLevel, "log-level", cfg.LogLevel, "debug, info, warn or error")
	fs.StringVar(&cfg.LogFormat, "log-format", cfg.LogFormat, "json or console")
	fs.StringVar(&cfg.MetricsAddr, "metrics-addr", "", "serve /metrics at http://ADDR/metrics on a listener of its own and answer 404 for it on --addr, so the metrics need not be public beside the widget (empty: on --addr)")
	fs.StringVar(&cfg.TrustedProxies, "trusted-proxies", "", "comma-separated CIDR ranges or addresses of reverse proxies (10.0.0.0/8,192.168.1.7) whose X-Forwarded-For names the client for the login limits and the socket cap (empty: the client is the TCP peer)")
	fs.IntVar(&cfg.MaxConnsPerAddr, "max-conns-per-addr", cfg.MaxConnsPerAddr, "TCP connections one peer address may hold open at once; more get 429 (0: no cap; trusted proxies are not capped)")
	fs.IntVar(&cfg.MaxSocketsPerAddr, "max-sockets-per-addr", cfg.MaxSocketsPerAddr, "WebSockets one client address may hold open at once; more get 429 at the upgrade (0: no cap)")
	fs.BoolVar(&cfg.WebhookAllowPrivate, "webhook-allow-private", false, "let webhook URLs point at loopback, link-local (169.254.x, fe80::) and private addresses (refused otherwise, when saved and when delivered)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gateway [flags]\n       gateway reset-password --email E   (a lost password; see gateway reset-password --help)\n       gateway migrate --database-url URL (apply PostgreSQL schema migrations; see gateway migrate --help)\n\nEvery flag can also be set in the environment as GATEWAY_<NAME> (e.g. --data-dir as GATEWAY_DATA_DIR).\n\n")
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags reads the command line, then the environment for every flag not given
// on it, and validates the result. Unknown flags and bad values are errors.
func parseFlags(args []string, lookupEnv func(string) (string, bool), stderr io.Writer) (gateway.Config, error) {
	cfg := gateway.DefaultConfig()
	fs := newFlagSet(&cfg, stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, errHelp
		}
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q (flags start with --)", fs.Arg(0))
	}
	if err := fillFromEnv(fs, lookupEnv); err != nil {
		return cfg, err
	}
	return cfg, cfg.Validate()
}

// fillFromEnv sets every flag of fs not given on the command line from its
// environment variable (envName), when that is set.
func fillFromEnv(fs *flag.FlagSet, lookupEnv func(string) (string, bool)) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || envErr != nil {
			return
		}
		if v, ok := lookupEnv(envName(f.Name)); ok {
			if err := fs.Set(f.Name, v); err != nil {
				envErr = fmt.Errorf("%s=%q: %v", envName(f.Name), v, err)
			}
		}
	})
	return envErr
}

// newLogger builds the zap logger for a level and a format.
func newLogger(level, format string) (*zap.Logger, error) {
	var lvl zapcore.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: %v", level, err)
	}
	var zc zap.Config
	if format == "json" {
		zc = zap.NewProductionConfig()
	} else {
		zc = zap.NewDevelopmentConfig()
		zc.DisableStacktrace = true
	}
	zc.Level = zap.NewAtomicLevelAt(lvl)
	zc.OutputPaths = []string{"stderr"}
	return zc.Build()
}
