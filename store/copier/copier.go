// Package copier copies everything a store holds (bolt or Redis, through its
// store.Exporter) into a PostgreSQL store (through its postgres.Importer), for
// gateway migrate-data: table by table, in batches, resumable, verified.
//
// Resuming: every batch commits in one transaction with its table's progress (the
// source's cursor after it), so a copy that was killed or failed starts again,
// when run again, after the last batch it committed; the writes are idempotent
// besides, so nothing is stored twice. Once a copy has finished, the next run
// into the same database is a new pass over the whole source: it adds the records
// created since, and its verification reports the ones that changed since (they
// are not written over).
//
// Verification: each batch is checked, in its own statement, against what the
// target holds afterwards (every record there, with the same content); at the
// end the source is counted again and each table's count compared with what the
// pass read and what the target holds.
package copier

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/livedesk/gateway/store"
	"github.com/livedesk/gateway/store/postgres"
)

// DefaultBatch is the number of records per batch when Options.Batch is 0.
const DefaultBatch = 2000

// Errors Run returns (wrapped) so callers can tell them apart.
var (
	// ErrTargetNotEmpty: the target holds records that no copy put there.
	ErrTargetNotEmpty = errors.New("the target database already holds data that migrate-data did not copy")
	// ErrOtherSource: the target holds a copy from another source.
	ErrOtherSource = errors.New("the target database holds a copy from another source")
	// ErrMismatch: the verification found a table whose target does not hold
	// every source record as the source holds it.
	ErrMismatch = errors.New("the copy does not match the source")
)

// Options tune a copy.
type Options struct {
	// Source names the source in the target's progress (a URL without its
	// password, or a path), so a copy resumes only from where it began.
	Source string
	// Batch is the number of records per batch (DefaultBatch when 0).
	Batch int
	// Progress, when set, is told where each table stands: when its copy starts
	// and after each batch committed.
	Progress func(Event)
	// Notice, when set, is told what the copy decided (a new pass, a resume).
	Notice func(string)
}

// Event is where one table's copy stands.
type Event struct {
	Table string
	// Total is the source's count of the table's records at the start.
	Total int64
	// Read and Copied are the pass's counts (postgres.Progress); Done is true
	// once the whole table is copied.
	Read, Copied int64
	Done         bool
	// Resumed is what the pass had read before this run.
	Resumed int64
}

// Run copies every table of src into dst (whose schema Open has migrated), then
// verifies the copy. It returns the report of the counts; err is ErrMismatch
// (wrapped) when the verification failed, and the report says where. A
// cancelled ctx stops it after the batch under way commits.
func Run(ctx context.Context, src store.Exporter, dst *postgres.Store, opt Options) (*Report, error) {
	if opt.Batch <= 0 {
		opt.Batch = DefaultBatch
	}
	if opt.Progress == nil {
		opt.Progress = func(Event) {}
	}
	if opt.Notice == nil {
		opt.Notice = func(string) {}
	}
	im := dst.Importer()
	totals, err := src.ExportCounts(ctx)
	if err != nil {
		return nil, fmt.Errorf("count the source: %w", err)
	}
	progress, err := start(ctx, im, opt)
	if err != nil {
		return nil, err
	}
	for _, t := range tables {
		p := progress[t.name]
		if p.Done {
			opt.Progress(Event{Table: t.name, Total: totals[t.name], Read: p.Read, Copied: p.Copied, Done: true, Resumed: p.Read})
			continue
		}
		resumed := p.Read
		ev := func(p postgres.Progress) Event {
			return Event{Table: t.name, Total: totals[t.name], Read: p.Read, Copied: p.Copied, Done: p.Done, Resumed: resumed}
		}
		opt.Progress(ev(p))
		if _, err := t.copy(ctx, src, im, p, opt.Batch, func(p postgres.Progress) { opt.Progress(ev(p)) }); err != nil {
			return nil, fmt.Errorf("copy %s: %w", t.name, err)
		}
	}
	return verify(ctx, src, im)
}

// start reads the target's progress and decides what this run does: a first
// pass into an empty target, the rest of an unfinished pass from the same
// source, or a new pass after a finished one. It returns every table's progress.
func start(ctx context.Context, im *postgres.Importer, opt Options) (map[string]postgres.Progress, error) {
	progress, err := im.Progress(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the copy's progress: %w", err)
	}
	pass, allDone := 1, len(progress) > 0
	for _, p := range progress {
		if p.Source != opt.Source {
			return nil, fmt.Errorf("%w (%s): copy from it again, or into an empty database", ErrOtherSource, p.Source)
		}
		pass = max(pass, p.Pass)
		allDone = allDone && p.Done
	}
	switch {
	case len(progress) == 0:
		if err := checkEmpty(ctx, im); err != nil {
			return nil, err
		}
	case allDone:
		opt.Notice(fmt.Sprintf("a copy from %s finished before: pass %d copies what was created since "+
			"(and reports what changed since: it is not written over)", opt.Source, pass+1))
		pass++
		clear(progress)
	default:
		opt.Notice(fmt.Sprintf("resuming the unfinished copy (pass %d) from %s", pass, opt.Source))
	}
	var fresh []postgres.Progress
	for _, t := range tables {
		if _, ok := progress[t.name]; !ok {
			p := postgres.Progress{Table: t.name, Source: opt.Source, Pass: pass}
			progress[t.name] = p
			fresh = append(fresh, p)
		}
	}
	if err := im.SaveProgress(ctx, fresh...); err != nil {
		return nil, fmt.Errorf("start the copy: %w", err)
	}
	return progress, nil
}

// checkEmpty refuses a target that holds records no copy put there.
func checkEmpty(ctx context.Context, im *postgres.Importer) error {
	var held []string
	for _, t := range tables {
		n, err := im.Count(ctx, t.name)
		if err != nil {
			return fmt.Errorf("look at the target: %w", err)
		}
		if n > 0 {
			held = append(held, fmt.Sprintf("%d %s", n, t.name))
		}
	}
	if len(held) > 0 {
		return fmt.Errorf("%w (%s): give an empty database (a migrated schema is fine)", ErrTargetNotEmpty, strings.Join(held, ", "))
	}
	return nil
}
