package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Importer writes records copied from another store (gateway migrate-data, see
// store/copier) into the database as they are: ids, sequence numbers, states and
// timestamps as the source holds them, not renumbered as CreateConversation and
// AppendMessage would. Each batch is one statement (the columns sent as arrays and
// unnested), idempotent (a record whose key is stored already is not written
// again), and commits in one transaction with the table's Progress, so a copy that
// was killed resumes after the last batch it committed and stores nothing twice.
//
// In the same statement every record of the batch is checked against what the
// table holds afterwards: one that is not there, or is there with other content
// (compared as JSON values, not as text), counts in Progress.Differ.
type Importer struct{ s *Store }

// Importer returns the store's importer.
func (s *Store) Importer() *Importer { return &Importer{s: s} }

// Progress is where the copy of one table stands (a row of data_import).
type Progress struct {
	Table  string
	Source string // where the records come from, without a password
	Pass   int    // 1 for the first copy into the database, one more for each later one
	Cursor string // the source exporter's cursor after the last batch committed
	Done   bool   // the pass has copied the whole table
	Read   int64  // source records handed over in this pass
	Copied int64  // of them, written by this pass (the others were there already)
	Differ int64  // of them, missing from the table afterwards or different there
	// Example is the key of the first record that differed ("" when none).
	Example string
}

// Progress returns every table's progress, by table name (none before a copy).
func (im *Importer) Progress(ctx context.Context) (map[string]Progress, error) {
	out := map[string]Progress{}
	err := im.s.read(ctx, "import progress", func(tx pgx.Tx) error {
		clear(out)
		rows, err := tx.Query(ctx, `SELECT tbl, source, pass, cursor, done, read, copied, differ, example FROM data_import`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				p      Progress
				cursor []byte
			)
			if err := rows.Scan(&p.Table, &p.Source, &p.Pass, &cursor, &p.Done, &p.Read, &p.Copied, &p.Differ, &p.Example); err != nil {
				return err
			}
			p.Cursor = string(cursor)
			out[p.Table] = p
		}
		return rows.Err()
	})
	return out, err
}

// SaveProgress stores the progress rows given, in one transaction (the start of
// a pass).
func (im *Importer) SaveProgress(ctx context.Context, ps ...Progress) error {
	return im.s.tx(ctx, "save import progress", func(tx pgx.Tx) error {
		for _, p := range ps {
			if err := saveProgress(ctx, tx, p); err != nil {
				return err
			}
		}
		return nil
	})
}

func saveProgress(ctx context.Context, tx pgx.Tx, p Progress) error {
	_, err := tx.Exec(ctx, `INSERT INTO data_import (tbl, source, pass, cursor, done, read, copied, differ, example)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (tbl) DO UPDATE SET source = excluded.source, pass = excluded.pass, cursor = excluded.cursor,
			done = excluded.done, read = excluded.read, copied = excluded.copied, differ = excluded.differ,
			example = excluded.example, updated_at = now()`,
		p.Table, p.Source, p.Pass, []byte(p.Cursor), p.Done, p.Read, p.Copied, p.Differ, p.Example)
	return err
}

// Count returns how many rows a table the importer writes holds.
func (im *Importer) Count(ctx context.Context, table string) (int64, error) {
	if _, ok := importSpecs[table]; !ok {
		return 0, fmt.Errorf("postgres: count: unknown table %q", table)
	}
	var n int64
	err := im.s.read(ctx, "count "+table, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{table}.Sanitize()).Scan(&n)
	})
	return n, err
}

// importSpec says how one table's batches are written and checked.
type importSpec struct {
	table string
	cols  []string // the columns, in the order the batch's arrays come
	types []string // their SQL types
	key   []string // the key columns
	// differs is the condition on t (the stored row) and b (the batch's) under
	// which a stored record is not the one copied.
	differs string
	// conflict is what a stored key does to the insert (default DO NOTHING).
	conflict string
	// filter, when set, is the condition on b for a record to be written.
	filter string
	// also, when set, is one more data-modifying statement on b, run with the
	// insert (a CTE named also).
	also string
}

// sql builds the batch's statement: it answers the count of rows written, the
// count of batch records missing or different afterwards, and the first of their
// keys.
func (sp importSpec) sql() string {
	params := make([]string, len(sp.cols))
	for i, t := range sp.types {
		params[i] = fmt.Sprintf("$%d::%s[]", i+1, t)
	}
	cols := strings.Join(sp.cols, ", ")
	keyEq := func(l, r string) string {
		eq := make([]string, len(sp.key))
		for i, k := range sp.key {
			eq[i] = fmt.Sprintf("%s.%s = %s.%s", l, k, r, k)
		}
		return strings.Join(eq, " AND ")
	}
	bKeys := make([]string, len(sp.key))
	for i, k := range sp.key {
		bKeys[i] = "b." + k
	}
	conflict := sp.conflict
	if conflict == "" {
		conflict = "DO NOTHING"
	}
	where := ""
	if sp.filter != "" {
		where = " WHERE " + sp.filter
	}
	also := ""
	if sp.also != "" {
		also = ",\n also AS (" + sp.also + ")"
	}
	return fmt.Sprintf(`WITH b AS (SELECT * FROM unnest(%s) AS b(%s)),
 ins AS (INSERT INTO %s AS t (%s) SELECT %s FROM b%s ON CONFLICT %s RETURNING %s)%s
SELECT (SELECT count(*) FROM ins), count(*), coalesce(min(concat_ws(' ', %s)), '')
FROM b LEFT JOIN %s t ON %s
WHERE NOT EXISTS (SELECT 1 FROM ins WHERE %s) AND (t.%s IS NULL OR %s)`,
		strings.Join(params, ", "), cols,
		sp.table, cols, cols, where, conflict, strings.Join(sp.key, ", "), also,
		strings.Join(bKeys, ", "),
		sp.table, keyEq("t", "b"),
		keyEq("ins", "b"), sp.key[0], sp.differs)
}

// importBatch writes one batch of n records (its columns as arrays, in sp.cols'
// order) and p, advanced by the batch, in one transaction, and returns p as
// stored.
func (im *Importer) importBatch(ctx context.Context, sp importSpec, n int, cols []any, p Progress) (Progress, error) {
	p.Table = sp.table
	sql := sp.sql()
	var out Progress
	err := im.s.tx(ctx, "import "+sp.table, func(tx pgx.Tx) error {
		out = p
		var (
			copied, differ int64
			example        string
		)
		if n > 0 {
			if err := tx.QueryRow(ctx, sql, cols...).Scan(&copied, &differ, &example); err != nil {
				return err
			}
		}
		out.Read += int64(n)
		out.Copied += copied
		out.Differ += differ
		if out.Example == "" {
			out.Example = example
		}
		return saveProgress(ctx, tx, out)
	})
	if err != nil {
		return p, err
	}
	return out, nil
}
