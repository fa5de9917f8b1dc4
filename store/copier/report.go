package copier

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/livedesk/gateway/store"
	"github.com/livedesk/gateway/store/postgres"
)

// Report is the outcome of a copy, one row per table in the copy's order.
type Report struct {
	Rows []Row
}

// Row is one table's counts after a copy.
type Row struct {
	Table string
	// Source is the source's count at the end; Read what the pass read of it;
	// Copied what the pass wrote (the rest was there already); Target the
	// target table's count at the end.
	Source, Read, Copied, Target int64
	// Differ counts the records read that the target did not hold as the source
	// did; Example is the first one's key.
	Differ  int64
	Example string
}

// Problem says what is wrong with the row ("" when the target holds every
// source record as the source holds it).
func (r Row) Problem() string {
	var out []string
	if r.Differ > 0 {
		out = append(out, fmt.Sprintf("%d records missing from the target or different there (the first: %s); "+
			"records that changed in the source after a pass had copied them are not written over", r.Differ, r.Example))
	}
	if r.Read != r.Source {
		out = append(out, fmt.Sprintf("the source holds %d, the copy read %d: it changed during the copy (stop the gateways and run again)", r.Source, r.Read))
	}
	if r.Target < r.Source {
		out = append(out, fmt.Sprintf("the target holds %d of the source's %d", r.Target, r.Source))
	}
	return strings.Join(out, "; ")
}

// Err is ErrMismatch, wrapped with every table's problem, or nil when every
// table matches.
func (r *Report) Err() error {
	var probs []string
	for _, row := range r.Rows {
		if p := row.Problem(); p != "" {
			probs = append(probs, row.Table+": "+p)
		}
	}
	if len(probs) == 0 {
		return nil
	}
	return fmt.Errorf("%w:\n  %s", ErrMismatch, strings.Join(probs, "\n  "))
}

// Write prints the report as a table: source, copied and target counts per
// table, and whether the table verified.
func (r *Report) Write(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "table\tsource\tcopied\ttarget\tverified\t")
	for _, row := range r.Rows {
		ok := "yes"
		if row.Problem() != "" {
			ok = "NO"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t\n", row.Table, row.Source, row.Copied, row.Target, ok)
	}
	return tw.Flush()
}

// verify counts the source and the target again and builds the report.
func verify(ctx context.Context, src store.Exporter, im *postgres.Importer) (*Report, error) {
	counts, err := src.ExportCounts(ctx)
	if err != nil {
		return nil, fmt.Errorf("count the source: %w", err)
	}
	progress, err := im.Progress(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the copy's progress: %w", err)
	}
	rep := &Report{}
	for _, t := range tables {
		n, err := im.Count(ctx, t.name)
		if err != nil {
			return nil, fmt.Errorf("count the target: %w", err)
		}
		p := progress[t.name]
		rep.Rows = append(rep.Rows, Row{Table: t.name, Source: counts[t.name], Read: p.Read, Copied: p.Copied,
			Target: n, Differ: p.Differ, Example: p.Example})
	}
	return rep, rep.Err()
}
