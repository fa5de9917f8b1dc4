// Command seed fills a store with a realistic live-chat history, fast, for measuring
// the console's queries and the store's size at scale (docs/performance.md#postgresql):
//
//	go run ./loadtest/seed -url postgres://postgres@127.0.0.1:5432/bench -messages 10000000
//	go run ./loadtest/seed -url redis://127.0.0.1:6379/0 -messages 1000000 -workers 16
//
// On PostgreSQL it migrates the database (store/postgres.Open). It creates the
// owner (-owner-email, -owner-password), then -sites sites (one Zipf
// share each: the first is the biggest), -departments departments and -agents agents
// on each through the store, then writes conversations with -min..-max messages each
// (missed ones 1..3, visitor only) spread over the last -days days in time order, the
// newest -live of them queued or open and the rest ended (or missed, -missed of
// them), 80% in a department, 30% from returning visitors; every visitor gets its
// number; then -offline offline messages (new, read, done), in batches of -batch
// conversations on -workers connections. PostgreSQL gets the rows store/postgres
// writes, with COPY (its Seed functions), then ANALYZE; Redis gets one
// CreateConversation (with every message), AddOfflineMessage (and SetOfflineState)
// and VisitorNumber call per record. It prints the counts and the rate. Seed an
// empty store: ids are new, so seeding twice adds a second history beside the first
// (and the visitor numbers refuse it).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"
)

// config is what the flags ask for.
type config struct {
	url                        string
	ownerEmail, ownerPassword  string
	messages, offline          int
	sites, departments, agents int
	minMsgs, maxMsgs           int
	live                       int
	missed                     float64
	days                       int
	batch, workers             int
	seed                       int64
}

func main() {
	var c config
	flag.StringVar(&c.url, "url", os.Getenv("GATEWAY_DATABASE_URL"), "database URL (postgres://...; default $GATEWAY_DATABASE_URL)")
	flag.StringVar(&c.ownerEmail, "owner-email", "owner@example.com", "the owner made on an empty store (the gateway makes none once there are agents)")
	flag.StringVar(&c.ownerPassword, "owner-password", os.Getenv("OWNER_PASSWORD"), "its password (default $OWNER_PASSWORD; empty: made up and printed)")
	flag.IntVar(&c.messages, "messages", 1_000_000, "conversation messages to write (about)")
	flag.IntVar(&c.offline, "offline", 100_000, "offline messages to write")
	flag.IntVar(&c.sites, "sites", 20, "sites")
	flag.IntVar(&c.departments, "departments", 5, "departments per site")
	flag.IntVar(&c.agents, "agents", 10, "agents per site")
	flag.IntVar(&c.minMsgs, "min", 10, "fewest messages of a conversation that was answered")
	flag.IntVar(&c.maxMsgs, "max", 20, "most messages of a conversation")
	flag.IntVar(&c.live, "live", 2000, "newest conversations left queued or open")
	flag.Float64Var(&c.missed, "missed", 0.1, "share of the others that were missed")
	flag.IntVar(&c.days, "days", 365, "days the history spans, up to now")
	flag.IntVar(&c.batch, "batch", 1000, "conversations per COPY transaction")
	flag.IntVar(&c.workers, "workers", 2, "connections writing at once")
	flag.Int64Var(&c.seed, "seed", 1, "random seed (the same seed makes the same texts and shapes; ids are always new)")
	flag.Parse()
	if err := c.check(); err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, c); err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(1)
	}
}

// check refuses flags that cannot make a data set.
func (c config) check() error {
	switch {
	case c.url == "":
		return fmt.Errorf("-url (or GATEWAY_DATABASE_URL) is required")
	case c.messages < 0 || c.offline < 0 || c.live < 0:
		return fmt.Errorf("-messages, -offline and -live must not be negative")
	case c.sites < 1 || c.departments < 0 || c.agents < 1:
		return fmt.Errorf("-sites and -agents must be at least 1, -departments at least 0")
	case c.minMsgs < 1 || c.maxMsgs < c.minMsgs:
		return fmt.Errorf("-min must be at least 1 and -max at least -min")
	case c.missed < 0 || c.missed > 1:
		return fmt.Errorf("-missed must be within 0..1")
	case c.days < 1 || c.batch < 1 || c.workers < 1:
		return fmt.Errorf("-days, -batch and -workers must be at least 1")
	}
	return nil
}

func run(ctx context.Context, c config) error {
	s, err := openSink(ctx, c.url)
	if err != nil {
		return err
	}
	defer s.Close()
	start := time.Now()
	g := newGenerator(c)
	if err := g.setup(ctx, s.store()); err != nil {
		return err
	}
	convs, msgs, err := g.writeConversations(ctx, s)
	if err != nil {
		return err
	}
	if err := g.writeVisitorNumbers(ctx, s); err != nil {
		return err
	}
	offline, err := g.writeOffline(ctx, s)
	if err != nil {
		return err
	}
	wrote := time.Since(start)
	if err := s.finish(ctx); err != nil {
		return err
	}
	rows := convs + msgs + offline
	fmt.Printf("wrote %d sites, %d conversations, %d messages, %d offline messages in %s (%.0f records/s); all done in %s\n",
		c.sites, convs, msgs, offline, wrote.Round(time.Second), float64(rows)/wrote.Seconds(), time.Since(start).Round(time.Second))
	return nil
}
