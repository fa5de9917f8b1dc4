package main

import (
	"io"
	"strings"
	"testing"
)

func TestFlagsAndEnvironment(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr string
		check   func(t *testing.T, addr, dataDir string, demo bool)
	}{
		{name: "defaults", check: func(t *testing.T, addr, dataDir string, demo bool) {
			if addr != ":8080" || dataDir != "./data" || demo {
				t.Errorf("defaults: %s %s %v", addr, dataDir, demo)
			}
		}},
		{name: "env fills in", env: map[string]string{"GATEWAY_ADDR": "127.0.0.1:9000", "GATEWAY_DATA_DIR": "/tmp/x", "GATEWAY_DEMO": "true"},
			check: func(t *testing.T, addr, dataDir string, demo bool) {
				if addr != "127.0.0.1:9000" || dataDir != "/tmp/x" || !demo {
					t.Errorf("env: %s %s %v", addr, dataDir, demo)
				}
			}},
		{name: "flag beats env", args: []string{"--addr", ":7000"}, env: map[string]string{"GATEWAY_ADDR": ":9000"},
			check: func(t *testing.T, addr, _ string, _ bool) {
				if addr != ":7000" {
					t.Errorf("addr %s", addr)
				}
			}},
		{name: "unknown flag", args: []string{"--nope"}, wantErr: "flag provided but not defined: -nope"},
		{name: "stray argument", args: []string{"serve"}, wantErr: `unexpected argument "serve"`},
		{name: "bad addr", args: []string{"--addr", "8080"}, wantErr: "--addr"},
		{name: "bad port", args: []string{"--addr", ":99999"}, wantErr: "port must be"},
		{name: "bad env bool", env: map[string]string{"GATEWAY_DEMO": "maybe"}, wantErr: "GATEWAY_DEMO"},
		{name: "bad log level", args: []string{"--log-level", "loud"}, wantErr: "--log-level"},
		{name: "bad log format", env: map[string]string{"GATEWAY_LOG_FORMAT": "xml"}, wantErr: "--log-format"},
		{name: "bad owner e-mail", args: []string{"--owner-email", "boss"}, wantErr: "--owner-email"},
		{name: "short owner password", args: []string{"--owner-password", "short"}, wantErr: "--owner-password"},
		{name: "short secret", args: []string{"--secret", "tiny"}, wantErr: "--secret"},
		{name: "bad redis url", args: []string{"--redis-url", "http://x"}, wantErr: "--redis-url"},
		{name: "bad smtp url", args: []string{"--smtp-url", "mail.example.com", "--smtp-from", "a@b.example"}, wantErr: "--smtp-url"},
		{name: "smtp url scheme", args: []string{"--smtp-url", "http://mail.example.com", "--smtp-from", "a@b.example"}, wantErr: "--smtp-url"},
		{name: "smtp url port", args: []string{"--smtp-url", "smtps://mail.example.com:0", "--smtp-from", "a@b.example"}, wantErr: "port"},
		{name: "smtp url without host", args: []string{"--smtp-url", "smtp+starttls://:587", "--smtp-from", "a@b.example"}, wantErr: "host"},
		{name: "smtp from not an address", args: []string{"--smtp-url", "smtp://mail.example.com", "--smtp-from", "desk"}, wantErr: "--smtp-from"},
		{name: "smtp without from", args: []string{"--smtp-url", "smtp://mail.example.com:25"}, wantErr: "--smtp-from"},
		{name: "bad debug addr", args: []string{"--debug-addr", "6060"}, wantErr: "--debug-addr"},
		{name: "bad metrics addr", args: []string{"--metrics-addr", "9090"}, wantErr: "--metrics-addr"},
		{name: "empty data dir", args: []string{"--data-dir", ""}, wantErr: "--data-dir"},
		{name: "bad trusted proxy", args: []string{"--trusted-proxies", "10.0.0.0/8,proxy.lan"}, wantErr: `--trusted-proxies: "proxy.lan" is not an IP address`},
		{name: "bad trusted range", env: map[string]string{"GATEWAY_TRUSTED_PROXIES": "10.0.0.0/40"}, wantErr: "--trusted-proxies"},
		{name: "negative connection cap", args: []string{"--max-conns-per-addr", "-1"}, wantErr: "--max-conns-per-addr"},
		{name: "negative socket cap", env: map[string]string{"GATEWAY_MAX_SOCKETS_PER_ADDR": "-5"}, wantErr: "--max-sockets-per-addr"},
		{name: "socket cap not a number", args: []string{"--max-sockets-per-addr", "many"}, wantErr: "max-sockets-per-addr"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lookup := func(k string) (string, bool) { v, ok := c.env[k]; return v, ok }
			cfg, err := parseFlags(c.args, lookup, io.Discard)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c.check(t, cfg.Addr, cfg.DataDir, cfg.Demo)
		})
	}
}

func TestEveryFlagHasItsEnvironmentName(t *testing.T) {
	for flagName, env := range map[string]string{"data-dir": "GATEWAY_DATA_DIR", "redis-url": "GATEWAY_REDIS_URL", "addr": "GATEWAY_ADDR", "smtp-from": "GATEWAY_SMTP_FROM"} {
		if got := envName(flagName); got != env {
			t.Errorf("envName(%q) = %q, want %q", flagName, got, env)
		}
	}
}
