package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/livedesk/gateway/store"
	"github.com/livedesk/gateway/store/bolt"
	"github.com/livedesk/gateway/store/copier"
	"github.com/livedesk/gateway/store/postgres"
	redisstore "github.com/livedesk/gateway/store/redis"
)

// migrateDataUsage is `gateway migrate-data --help`.
const migrateDataUsage = `Usage: gateway migrate-data --from SOURCE --to postgres://USER:PASSWORD@HOST:PORT/DB [--batch N]

Copies every site, department, agent, setting (the gateway's secret among them),
visitor number, conversation, message, offline message and outbox notification
of a store into PostgreSQL, as they are (ids, sequence numbers, states, times),
after applying the schema migrations there. SOURCE is a Redis URL (redis://,
rediss:// or unix://, as --redis-url takes) or the embedded store's data
directory (bolt:DIR, or just DIR). The target must be empty, or hold a copy
from the same source.

Run it with the gateways stopped (the embedded store refuses while a gateway
holds it). A run that stops (killed, failed, interrupted) resumes when run
again. A run after a finished copy copies what was created since and reports
what changed since (it is not written over). At the end it prints, per table,
the source's count, what was copied and the target's count, and exits 1 unless
the target holds every source record as the source holds it.

`

// migrateDataArgs is what migrate-data reads from its command line.
type migrateDataArgs struct {
	from, to string
	batch    int
}

func parseMigrateDataFlags(args []string, stderr io.Writer) (migrateDataArgs, error) {
	var a migrateDataArgs
	fs := flag.NewFlagSet("gateway migrate-data", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&a.from, "from", "", "the store to copy: a Redis URL, or bolt:DIR (the embedded store's data dir)")
	fs.StringVar(&a.to, "to", "", "the PostgreSQL database to copy into: postgres://…")
	fs.IntVar(&a.batch, "batch", copier.DefaultBatch, "records per batch")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), migrateDataUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return a, errHelp
		}
		return a, err
	}
	switch {
	case fs.NArg() > 0:
		return a, fmt.Errorf("unexpected argument %q (flags start with --)", fs.Arg(0))
	case a.from == "":
		return a, errors.New("--from is required (a Redis URL, or bolt:DIR)")
	case !strings.HasPrefix(a.to, "postgres://") && !strings.HasPrefix(a.to, "postgresql://"):
		return a, fmt.Errorf("--to %q: want a PostgreSQL URL, postgres://user:password@host:port/db", redactURL(a.to))
	case a.batch <= 0 || a.batch > 50000:
		return a, fmt.Errorf("--batch %d: want 1 to 50000", a.batch)
	}
	return a, nil
}

// openSource opens the exporter --from names and says what it is (without a
// password), and returns what closes it.
func openSource(ctx context.Context, from string) (store.Exporter, string, func(), error) {
	if u, err := url.Parse(from); err == nil && (u.Scheme == "redis" || u.Scheme == "rediss" || u.Scheme == "unix") {
		rs, err := redisstore.Open(ctx, from)
		if err != nil {
			return nil, "", nil, fmt.Errorf("--from: %w", err)
		}
		return rs.Exporter(), u.Redacted(), func() { _ = rs.Close() }, nil
	} else if err == nil && len(u.Scheme) > 1 && u.Scheme != "bolt" {
		return nil, "", nil, fmt.Errorf("--from %q: want redis://, rediss://, unix:// or bolt:DIR", redactURL(from))
	}
	dir, err := filepath.Abs(strings.TrimPrefix(from, "bolt:"))
	if err != nil {
		return nil, "", nil, fmt.Errorf("--from: %w", err)
	}
	exp, err := bolt.OpenExporter(dir)
	if err != nil {
		return nil, "", nil, fmt.Errorf("--from: %w (give the --data-dir the gateway runs with)", err)
	}
	return exp, "bolt:" + dir, func() { _ = exp.Close() }, nil
}

// redactURL is raw without its password, when it parses as a URL.
func redactURL(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Redacted()
	}
	return "(unparsable URL)"
}

// runMigrateData is `gateway migrate-data`; it returns the exit code.
func runMigrateData(args []string, stdout, stderr io.Writer) int {
	a, err := parseMigrateDataFlags(args, stderr)
	if err != nil {
		if err == errHelp {
			return 0
		}
		fmt.Fprintf(stderr, "gateway migrate-data: %v\n", err)
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "gateway migrate-data: %v\n", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	openCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	src, source, closeSrc, err := openSource(openCtx, a.from)
	if err != nil {
		return fail(err)
	}
	defer closeSrc()
	dst, err := postgres.Open(openCtx, a.to)
	if err != nil {
		return fail(fmt.Errorf("--to: %w", err))
	}
	defer dst.Close()
	bar := copier.NewBar(stderr, isTerminal(stderr), time.Now)
	rep, err := copier.Run(ctx, src, dst, copier.Options{Source: source, Batch: a.batch, Progress: bar.Update,
		Notice: func(s string) { fmt.Fprintf(stderr, "gateway migrate-data: %s\n", s) }})
	if rep != nil {
		_ = rep.Write(stdout)
	}
	switch {
	case errors.Is(err, context.Canceled):
		return fail(errors.New("stopped; run it again to resume where it stopped"))
	case err != nil:
		return fail(err)
	}
	fmt.Fprintf(stdout, "Copied %s into PostgreSQL; every table verified.\n", source)
	return 0
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
