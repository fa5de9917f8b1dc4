package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/livedesk/gateway/gateway"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

var errHelp = errors.New("help requested")

// envName is the environment variable that stands for a flag.
func envName(flagName string) string {
	return "GATEWAY_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parseFlags reads the command line, then the environment for every flag not given
// on it, and validates the result. Unknown flags and bad values are errors.
func parseFlags(args []string, lookupEnv func(string) (string, bool), stderr io.Writer) (gateway.Config, error) {
	cfg := gateway.DefaultConfig()
	fs := flag.NewFlagSet("gateway", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "address to listen on")
	fs.StringVar(&cfg.DataDir, "data-dir", cfg.DataDir, "directory of the embedded store")
	fs.StringVar(&cfg.RedisURL, "redis-url", "", "Redis URL: cluster mode, Redis is store and broker")
	fs.StringVar(&cfg.OwnerEmail, "owner-email", "", "e-mail of the owner created at first start")
	fs.StringVar(&cfg.OwnerPassword, "owner-password", "", "password of the owner created at first start (generated and printed once when unset)")
	fs.BoolVar(&cfg.Demo, "demo", false, "create a demo site and serve a demo page at /")
	fs.StringVar(&cfg.Secret, "secret", "", "token signing key (generated and kept in the store when unset)")
	fs.StringVar(&cfg.SMTPURL, "smtp-url", "", "SMTP server for e-mail notifications, smtp://user:pass@host:port or smtps://")
	fs.StringVar(&cfg.SMTPFrom, "smtp-from", "", "sender address of e-mail notifications")
	fs.StringVar(&cfg.LogLevel, "log-level", cfg.LogLevel, "debug, info, warn or error")
	fs.StringVar(&cfg.LogFormat, "log-format", cfg.LogFormat, "json or console")
	fs.StringVar(&cfg.NodeID, "node-id", "", "name of this node in a cluster (default: host name and a random part)")
	fs.StringVar(&cfg.DebugAddr, "debug-addr", "", "serve Go's pprof profiles at http://ADDR/debug/pprof/ (keep it on loopback; off when empty)")
	fs.DurationVar(&cfg.DisconnectGrace, "disconnect-grace", cfg.DisconnectGrace, "how long an agent whose last socket closed still counts as there")
	fs.DurationVar(&cfg.LeaseTTL, "lease-ttl", cfg.LeaseTTL, "cluster: how long the leader's lease lasts unrenewed (a killed leader is replaced within it)")
	fs.DurationVar(&cfg.NodeTTL, "node-ttl", cfg.NodeTTL, "cluster: how long a node may miss heartbeats before its sockets stop counting")
	fs.BoolVar(&cfg.WebhookAllowPrivate, "webhook-allow-private", false, "let webhook URLs point at loopback, link-local (169.254.x, fe80::) and private addresses (refused otherwise, when saved and when delivered)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gateway [flags]\n       gateway reset-password --email E   (a lost password; see gateway reset-password --help)\n\nEvery flag can also be set in the environment as GATEWAY_<NAME> (e.g. --data-dir as GATEWAY_DATA_DIR).\n\n")
		fs.PrintDefaults()
	}
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
