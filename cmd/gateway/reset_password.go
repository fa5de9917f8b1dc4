package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/livedesk/gateway/gateway"
	"github.com/livedesk/gateway/gateway/setup"
)

// resetUsage is `gateway reset-password --help`.
const resetUsage = `Usage: gateway reset-password --email E [--password-stdin] [--data-dir DIR | --redis-url URL | --database-url URL]

Sets a new password for the agent with that e-mail and revokes its tokens, as
logout does (its sessions must log in again). Without --password-stdin a password
is generated and printed once; with it, the first line of stdin is the password
(at least 8 characters, at most 72 bytes, as the API requires).

It opens the same store as the gateway, from the same flags or environment
(GATEWAY_DATA_DIR, GATEWAY_REDIS_URL, GATEWAY_DATABASE_URL). The embedded store
belongs to one process: stop the gateway first (a running one makes this fail
within seconds, changing nothing). With --redis-url (and --database-url) the
cluster may keep running: its nodes are told to close the agent's sockets.

`

// resetArgs is what reset-password reads from its command line and environment.
type resetArgs struct {
	cfg           gateway.Config
	email         string
	passwordStdin bool
}

func parseResetFlags(args []string, lookupEnv func(string) (string, bool), stderr io.Writer) (resetArgs, error) {
	r := resetArgs{cfg: gateway.DefaultConfig()}
	fs := flag.NewFlagSet("gateway reset-password", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&r.email, "email", "", "e-mail of the agent whose password is reset (required)")
	fs.BoolVar(&r.passwordStdin, "password-stdin", false, "read the new password from the first line of stdin instead of generating one")
	fs.StringVar(&r.cfg.DataDir, "data-dir", r.cfg.DataDir, "directory of the embedded store")
	fs.StringVar(&r.cfg.RedisURL, "redis-url", "", "Redis URL of a cluster (its store, unless --database-url is set)")
	fs.StringVar(&r.cfg.DatabaseURL, "database-url", "", "PostgreSQL URL of the store, when the gateway runs with one")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), resetUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return r, errHelp
		}
		return r, err
	}
	if fs.NArg() > 0 {
		return r, fmt.Errorf("unexpected argument %q (flags start with --)", fs.Arg(0))
	}
	if err := fillFromEnv(fs, lookupEnv); err != nil {
		return r, err
	}
	if strings.TrimSpace(r.email) == "" {
		return r, errors.New("--email is required")
	}
	return r, r.cfg.Validate()
}

// readPasswordLine reads the password: stdin's first line, without its line end.
func readPasswordLine(in io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(in, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading the password from stdin: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("--password-stdin: stdin holds no password")
	}
	return line, nil
}

// runResetPassword is `gateway reset-password`; it returns the exit code.
func runResetPassword(args []string, lookupEnv func(string) (string, bool), stdin io.Reader, stdout, stderr io.Writer) int {
	r, err := parseResetFlags(args, lookupEnv, stderr)
	if err != nil {
		if err == errHelp {
			return 0
		}
		fmt.Fprintf(stderr, "gateway reset-password: %v\n", err)
		return 2
	}
	password := ""
	if r.passwordStdin {
		if password, err = readPasswordLine(stdin); err != nil {
			fmt.Fprintf(stderr, "gateway reset-password: %v\n", err)
			return 1
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := gateway.OpenStore(ctx, r.cfg, true)
	if err != nil {
		fmt.Fprintf(stderr, "gateway reset-password: %v\n", err)
		return 1
	}
	defer st.Close()
	bus, closeBus, err := gateway.OpenClusterClient(ctx, r.cfg, st)
	if err != nil {
		fmt.Fprintf(stderr, "gateway reset-password: %v\n", err)
		return 1
	}
	defer closeBus()
	generated, err := setup.ResetPassword(ctx, st, bus, r.email, password, time.Now())
	if err != nil {
		fmt.Fprintf(stderr, "gateway reset-password: %v\n", err)
		return 1
	}
	if generated != "" {
		fmt.Fprintf(stdout, "Password of %s reset: %s  (printed only this once; its tokens are revoked)\n", r.email, generated)
	} else {
		fmt.Fprintf(stdout, "Password of %s reset (from stdin); its tokens are revoked\n", r.email)
	}
	return 0
}
