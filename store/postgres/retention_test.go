package postgres_test

import (
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/livedesk/gateway/internal/pgtest"
	"github.com/livedesk/gateway/store/postgres"
)

// The purge's queries can run on the partial indexes of migration 0002 (so a batch
// reads what it deletes, not the site's whole history).
func TestPurgeQueriesUseTheRetentionIndexes(t *testing.T) {
	srv := pgtest.Start(t)
	s := newStore(t, srv)
	ctx := t.Context()
	before := time.Now()
	for _, c := range []struct{ sql, index string }{
		{postgres.ExpiredConversationsSQL, "conversations_site_over"},
		{postgres.ExpiredOfflineSQL, "offline_messages_site_done"},
	} {
		var plan []string
		err := pgx.BeginFunc(ctx, s.Pool(), func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
				return err
			}
			rows, err := tx.Query(ctx, "EXPLAIN "+c.sql, "s1", before, 500)
			if err != nil {
				return err
			}
			plan, err = pgx.CollectRows(rows, pgx.RowTo[string])
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if text := strings.Join(plan, "\n"); !strings.Contains(text, c.index) {
			t.Errorf("plan without %s:\n%s", c.index, text)
		}
	}
}
