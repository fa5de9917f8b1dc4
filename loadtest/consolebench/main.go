// Command consolebench times the queries the agent console makes of a big store
// (docs/performance.md#postgresql): a site's conversation list (all, by state, a
// page deep in the history), its offline inbox (by state, a page deep in it) and
// its offline counts, and, through the store only, the lists no API page makes but
// the gateway does (by department, by visitor, every site by state).
//
//	go run ./loadtest/consolebench -url postgres://...            # through store/postgres
//	go run ./loadtest/consolebench -api http://127.0.0.1:8080 -password ...  # through the HTTP API
//
// Each query runs -n times one after the other (after -warmup untimed runs), on the
// biggest site (the one with the most conversations; -site to choose), with its
// inputs varied per run (cursors at random instants of the last -days days, the
// site's departments, visitors of its conversations). It prints p50, p99 and the
// largest time per query, and -json writes them. Loopback only for -api.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"time"
)

// config is what the flags ask for.
type config struct {
	url, api, email, password string
	site                      string
	n, warmup, days           int
	json                      string
}

// query is one timed call; run gets the run's number and returns how many records
// came back.
type query struct {
	name string
	run  func(ctx context.Context, i int) (int, error)
}

// result is one query's times.
type result struct {
	Name  string  `json:"name"`
	N     int     `json:"n"`
	Rows  float64 `json:"rows_per_answer"`
	P50   float64 `json:"p50_ms"`
	P99   float64 `json:"p99_ms"`
	Max   float64 `json:"max_ms"`
	Error string  `json:"error,omitempty"`
}

func main() {
	var c config
	flag.StringVar(&c.url, "url", "", "PostgreSQL URL: time the store's calls")
	flag.StringVar(&c.api, "api", "", "gateway URL (loopback): time the HTTP API's answers")
	flag.StringVar(&c.email, "email", "owner@example.com", "with -api: the owner's e-mail")
	flag.StringVar(&c.password, "password", os.Getenv("OWNER_PASSWORD"), "with -api: the owner's password (default $OWNER_PASSWORD)")
	flag.StringVar(&c.site, "site", "", "site id (default: the one with the most conversations)")
	flag.IntVar(&c.n, "n", 300, "timed runs per query")
	flag.IntVar(&c.warmup, "warmup", 20, "untimed runs per query first")
	flag.IntVar(&c.days, "days", 365, "days of history the cursors pick instants from")
	flag.StringVar(&c.json, "json", "", "write the results as JSON to this file")
	flag.Parse()
	if (c.url == "") == (c.api == "") || c.n < 1 || c.warmup < 0 || c.days < 1 {
		fmt.Fprintln(os.Stderr, "consolebench: give one of -url and -api; -n and -days at least 1")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, c); err != nil {
		fmt.Fprintln(os.Stderr, "consolebench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, c config) error {
	var (
		qs    []query
		where string
		err   error
	)
	if c.url != "" {
		qs, where, err = storeQueries(ctx, c)
	} else {
		qs, where, err = apiQueries(ctx, c)
	}
	if err != nil {
		return err
	}
	fmt.Printf("%s; %d runs per query after %d untimed\n", where, c.n, c.warmup)
	fmt.Printf("%-40s %8s %8s %8s %8s\n", "query", "rows", "p50 ms", "p99 ms", "max ms")
	var out []result
	for _, q := range qs {
		r := measure(ctx, c, q)
		if r.Error != "" {
			fmt.Printf("%-40s error: %s\n", q.name, r.Error)
		} else {
			fmt.Printf("%-40s %8.1f %8.2f %8.2f %8.2f\n", r.Name, r.Rows, r.P50, r.P99, r.Max)
		}
		out = append(out, r)
	}
	if c.json != "" {
		data, err := json.MarshalIndent(out, "", "  ")
		if err != nil {
			return err
		}
		return os.WriteFile(c.json, data, 0o644)
	}
	return nil
}

// measure runs q c.warmup times untimed, then c.n times timed.
func measure(ctx context.Context, c config, q query) result {
	r := result{Name: q.name}
	times := make([]float64, 0, c.n)
	rows := 0
	for i := range c.warmup + c.n {
		start := time.Now()
		n, err := q.run(ctx, i)
		d := time.Since(start)
		if err != nil {
			r.Error = err.Error()
			return r
		}
		if i >= c.warmup {
			times = append(times, float64(d.Microseconds())/1000)
			rows += n
		}
	}
	slices.Sort(times)
	r.N = len(times)
	r.Rows = float64(rows) / float64(len(times))
	r.P50 = times[len(times)*50/100]
	r.P99 = times[min(len(times)*99/100, len(times)-1)]
	r.Max = times[len(times)-1]
	return r
}

// cursor is an id-shaped cursor at a random-looking instant of the last days
// (run i picks its own): ids begin with their Unix milliseconds (UUIDv7), so
// "before" or "after" it is a page that deep in the history.
func cursor(i, days int) string {
	span := int64(days) * 24 * 3600 * 1000
	// A fixed stride through the span: runs spread over all of it.
	off := (int64(i) * 7919 * 3600 * 1000) % span
	ms := time.Now().UnixMilli() - span + off
	return fmt.Sprintf("%08x-%04x-7000-8000-000000000000", ms>>16, ms&0xffff)
}
