package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/livedesk/gateway/store/postgres"
)

// migrateUsage is `gateway migrate --help`.
const migrateUsage = `Usage: gateway migrate --database-url postgres://user:password@host:5432/db

Applies the PostgreSQL schema migrations this build holds and the database lacks,
each in a transaction of its own, under an advisory lock (so it is safe while nodes
start), and says which it applied and the version the schema is at. Nodes migrate
at start as well; run this to migrate ahead of a rollout. A schema newer than this
build is refused and left as it is. The URL is also read from GATEWAY_DATABASE_URL.

`

// parseMigrateFlags reads `gateway migrate`'s command line and environment.
func parseMigrateFlags(args []string, lookupEnv func(string) (string, bool), stderr io.Writer) (string, error) {
	var dbURL string
	fs := flag.NewFlagSet("gateway migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&dbURL, "database-url", "", "PostgreSQL database to migrate (required)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), migrateUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return "", errHelp
		}
		return "", err
	}
	if fs.NArg() > 0 {
		return "", fmt.Errorf("unexpected argument %q (flags start with --)", fs.Arg(0))
	}
	if err := fillFromEnv(fs, lookupEnv); err != nil {
		return "", err
	}
	if strings.TrimSpace(dbURL) == "" {
		return "", errors.New("--database-url is required (or GATEWAY_DATABASE_URL)")
	}
	if u, err := url.Parse(dbURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", errors.New("--database-url: want postgres://user:password@host:port/db (or postgresql://)")
	}
	return dbURL, nil
}

// runMigrate is `gateway migrate`; it returns the exit code.
func runMigrate(args []string, lookupEnv func(string) (string, bool), stdout, stderr io.Writer) int {
	dbURL, err := parseMigrateFlags(args, lookupEnv, stderr)
	if err != nil {
		if err == errHelp {
			return 0
		}
		fmt.Fprintf(stderr, "gateway migrate: %v\n", err)
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	applied, version, err := postgres.MigrateURL(ctx, dbURL)
	for _, m := range applied {
		fmt.Fprintf(stdout, "applied %s\n", m.Name)
	}
	if err != nil {
		fmt.Fprintf(stderr, "gateway migrate: %v\n", err)
		return 1
	}
	if len(applied) == 0 {
		fmt.Fprintf(stdout, "schema is at version %d, the newest this build knows: nothing to apply\n", version)
	} else {
		fmt.Fprintf(stdout, "schema is at version %d\n", version)
	}
	return 0
}
