package copier

import (
	"context"

	"github.com/livedesk/gateway/store"
	"github.com/livedesk/gateway/store/postgres"
)

// tables are what a copy moves, in the order it moves them (a message needs its
// conversation; a visitor number raises its site's counter; an erased visitor's
// tombstone comes after the numbers, so that it forgets the visitor's). To copy a
// new kind of record: give store.Exporter and postgres.Importer a method each for
// it, then add its line here.
var tables = []table{
	tableOf(store.TableSettings, store.Exporter.ExportSettings, (*postgres.Importer).ImportSettings),
	tableOf(store.TableSites, store.Exporter.ExportSites, (*postgres.Importer).ImportSites),
	tableOf(store.TableDepartments, store.Exporter.ExportDepartments, (*postgres.Importer).ImportDepartments),
	tableOf(store.TableAgents, store.Exporter.ExportAgents, (*postgres.Importer).ImportAgents),
	tableOf(store.TableVisitorCounters, store.Exporter.ExportVisitorCounters, (*postgres.Importer).ImportVisitorCounters),
	tableOf(store.TableVisitorNumbers, store.Exporter.ExportVisitorNumbers, (*postgres.Importer).ImportVisitorNumbers),
	tableOf(store.TableVisitorErasures, store.Exporter.ExportVisitorErasures, (*postgres.Importer).ImportVisitorErasures),
	tableOf(store.TableConversations, store.Exporter.ExportConversations, (*postgres.Importer).ImportConversations),
	tableOf(store.TableMessages, store.Exporter.ExportMessages, (*postgres.Importer).ImportMessages),
	tableOf(store.TableOffline, store.Exporter.ExportOffline, (*postgres.Importer).ImportOffline),
	tableOf(store.TableNotifications, store.Exporter.ExportNotifications, (*postgres.Importer).ImportNotifications),
}

// Tables are the names of the tables a copy moves, in its order.
func Tables() []string {
	out := make([]string, len(tables))
	for i, t := range tables {
		out[i] = t.name
	}
	return out
}

// table is one kind of record: its name and how to copy the rest of it.
type table struct {
	name string
	// copy moves the table's records from p.Cursor on, a page of limit at a
	// time, calling step after each batch committed with the progress stored.
	copy func(ctx context.Context, src store.Exporter, im *postgres.Importer, p postgres.Progress, limit int,
		step func(postgres.Progress)) (postgres.Progress, error)
}

// page is a page read ahead, or the error that ended the reading.
type page[T any] struct {
	p   store.Page[T]
	err error
}

// tableOf makes a table of an export method and the matching import method.
// The next page is read while the last one is written (two pages ahead at most).
func tableOf[T any](name string,
	export func(store.Exporter, context.Context, string, int) (store.Page[T], error),
	imp func(*postgres.Importer, context.Context, []T, postgres.Progress) (postgres.Progress, error)) table {
	return table{name: name, copy: func(ctx context.Context, src store.Exporter, im *postgres.Importer, p postgres.Progress, limit int,
		step func(postgres.Progress)) (postgres.Progress, error) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		pages := make(chan page[T], 2)
		go func() {
			defer close(pages)
			for cursor := p.Cursor; ; {
				pg, err := export(src, ctx, cursor, limit)
				select {
				case pages <- page[T]{pg, err}:
				case <-ctx.Done():
					return
				}
				if err != nil || pg.Next == "" {
					return
				}
				cursor = pg.Next
			}
		}()
		for pg := range pages {
			if pg.err != nil {
				return p, pg.err
			}
			next := p
			next.Cursor, next.Done = pg.p.Next, pg.p.Next == ""
			var err error
			if p, err = imp(im, ctx, pg.p.Records, next); err != nil {
				return p, err
			}
			step(p)
		}
		return p, ctx.Err()
	}}
}
