// Command gateway runs the live-chat gateway. Every flag is also read from the
// environment as GATEWAY_ + its name in upper case with - as _ (a flag on the command
// line wins). `gateway reset-password` sets a lost password (reset_password.go);
// `gateway migrate` applies PostgreSQL's schema migrations (migrate.go).
// See docs/protocol.md and the README.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
	_ "time/tzdata" // schedules need every IANA zone, even on images without zoneinfo

	"github.com/livedesk/gateway/clock"
	"github.com/livedesk/gateway/gateway"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

// run is main without the exit, so tests can call it in-process.
func run(args []string) int {
	if len(args) > 0 && args[0] == "reset-password" {
		return runResetPassword(args[1:], os.LookupEnv, os.Stdin, os.Stdout, os.Stderr)
	}
	if len(args) > 0 && args[0] == "migrate" {
		return runMigrate(args[1:], os.LookupEnv, os.Stdout, os.Stderr)
	}
	cfg, err := parseFlags(args, os.LookupEnv, os.Stderr)
	if err != nil {
		if err == errHelp {
			return 0
		}
		fmt.Fprintf(os.Stderr, "gateway: %v\n", err)
		return 2
	}
	log, err := newLogger(cfg.LogLevel, cfg.LogFormat)
	if err != nil {
		fmt.Fprintf(os.Stderr, "gateway: %v\n", err)
		return 2
	}
	defer func() { _ = log.Sync() }()
	raiseFileLimit(log)

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	app, err := gateway.Start(ctx, cfg, clock.Real{}, log, os.Stdout)
	if err != nil {
		fmt.Fprintf(os.Stderr, "gateway: %v\n", err)
		return 1
	}
	log.Info("gateway started")
	if err := app.Serve(ctx, 10*time.Second); err != nil {
		log.Error("gateway stopped with an error")
		fmt.Fprintf(os.Stderr, "gateway: %v\n", err)
		return 1
	}
	log.Info("gateway stopped")
	return 0
}
