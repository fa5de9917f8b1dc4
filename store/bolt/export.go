package bolt

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"go.etcd.io/bbolt"

	"github.com/livedesk/gateway/store"
)

// exporter is the store.Exporter of an embedded store, on the file opened
// read-only: it never writes to the store it copies.
type exporter struct{ db *bbolt.DB }

var _ store.Exporter = (*exporter)(nil)

// OpenExporter opens <dir>/gateway.db read-only for an export. A missing file is
// an error (nothing is created); a file a running gateway holds is refused after
// a short wait, saying the data dir is in use, and while the exporter is open no
// gateway can open it. Pages are read each in a read transaction of its own.
func OpenExporter(dir string) (store.Exporter, error) {
	path := filepath.Join(dir, FileName)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("bolt: no store at %s: %w", path, err)
	}
	db, err := openFile(path, &bbolt.Options{Timeout: openTimeout, ReadOnly: true})
	if err != nil {
		return nil, err
	}
	return &exporter{db: db}, nil
}

// Close closes the file.
func (e *exporter) Close() error { return e.db.Close() }

// record decodes a flat bucket's value (nested buckets are not records).
func record[T any](_ *bbolt.Tx, k, v []byte) (*T, bool, error) {
	if v == nil {
		return nil, false, nil
	}
	rec := new(T)
	if err := json.Unmarshal(v, rec); err != nil {
		return nil, false, fmt.Errorf("decode %q: %w", k, err)
	}
	return rec, true, nil
}

// ExportSettings pages through the settings by key.
func (e *exporter) ExportSettings(ctx context.Context, cursor string, limit int) (store.Page[store.Setting], error) {
	return flatPage(ctx, e.db, bktSettings, cursor, limit, func(_ *bbolt.Tx, k, v []byte) (store.Setting, bool, error) {
		if v == nil {
			return store.Setting{}, false, nil
		}
		return store.Setting{Key: string(k), Value: append([]byte{}, v...)}, true, nil
	})
}

// ExportSites pages through the sites by id.
func (e *exporter) ExportSites(ctx context.Context, cursor string, limit int) (store.Page[*store.Site], error) {
	return flatPage(ctx, e.db, bktSites, cursor, limit, record[store.Site])
}

// ExportDepartments pages through the departments by id.
func (e *exporter) ExportDepartments(ctx context.Context, cursor string, limit int) (store.Page[*store.Department], error) {
	return flatPage(ctx, e.db, bktDepartments, cursor, limit, record[store.Department])
}

// ExportAgents pages through the agents by id.
func (e *exporter) ExportAgents(ctx context.Context, cursor string, limit int) (store.Page[*store.Agent], error) {
	return flatPage(ctx, e.db, bktAgents, cursor, limit, record[store.Agent])
}

// ExportConversations pages through the conversations by id.
func (e *exporter) ExportConversations(ctx context.Context, cursor string, limit int) (store.Page[*store.Conversation], error) {
	return flatPage(ctx, e.db, bktConversations, cursor, limit, record[store.Conversation])
}

// ExportNotifications pages through the notifications by id.
func (e *exporter) ExportNotifications(ctx context.Context, cursor string, limit int) (store.Page[*store.Notification], error) {
	return flatPage(ctx, e.db, bktNotifications, cursor, limit, record[store.Notification])
}

// ExportVisitorCounters pages through the sites that gave visitor numbers, by
// site id, each with the last number it gave (its bucket's sequence).
func (e *exporter) ExportVisitorCounters(ctx context.Context, cursor string, limit int) (store.Page[store.VisitorCounter], error) {
	return flatPage(ctx, e.db, bktVisitorNumbers, cursor, limit, func(tx *bbolt.Tx, k, v []byte) (store.VisitorCounter, bool, error) {
		if v != nil {
			return store.VisitorCounter{}, false, nil
		}
		site := tx.Bucket(bktVisitorNumbers).Bucket(k)
		return store.VisitorCounter{SiteID: string(k), Last: int64(site.Sequence())}, true, nil
	})
}

// ExportVisitorNumbers pages through the visitor numbers by site, then visitor.
func (e *exporter) ExportVisitorNumbers(ctx context.Context, cursor string, limit int) (store.Page[store.VisitorNumber], error) {
	return nestedPage(ctx, e.db, bktVisitorNumbers, cursor, limit, nil, func(site, k, v []byte) (store.VisitorNumber, error) {
		if len(v) != 8 {
			return store.VisitorNumber{}, fmt.Errorf("visitor number of %q on site %q: %d bytes", k, site, len(v))
		}
		return store.VisitorNumber{SiteID: string(site), VisitorID: string(k), Number: int64(binary.BigEndian.Uint64(v))}, nil
	})
}

// ExportVisitorErasures pages through the erased visitors' tombstones by site,
// then visitor (none when no visitor was ever erased).
func (e *exporter) ExportVisitorErasures(ctx context.Context, cursor string, limit int) (store.Page[store.VisitorErasure], error) {
	return nestedPage(ctx, e.db, bktVisitorErasures, cursor, limit, nil, func(site, k, _ []byte) (store.VisitorErasure, error) {
		return store.VisitorErasure{SiteID: string(site), VisitorID: string(k)}, nil
	})
}

// ExportMessages pages through the messages by conversation, then seq.
func (e *exporter) ExportMessages(ctx context.Context, cursor string, limit int) (store.Page[*store.Message], error) {
	return nestedPage(ctx, e.db, bktMessages, cursor, limit, conversationExists, func(conv, k, v []byte) (*store.Message, error) {
		m := new(store.Message)
		if err := json.Unmarshal(v, m); err != nil {
			return nil, fmt.Errorf("decode message %x of %q: %w", k, conv, err)
		}
		return m, nil
	})
}

// ExportOffline pages through the offline messages by site, then id.
func (e *exporter) ExportOffline(ctx context.Context, cursor string, limit int) (store.Page[*store.OfflineMessage], error) {
	return nestedPage(ctx, e.db, bktOffline, cursor, limit, nil, func(site, k, v []byte) (*store.OfflineMessage, error) {
		m := new(store.OfflineMessage)
		if err := json.Unmarshal(v, m); err != nil {
			return nil, fmt.Errorf("decode offline message %q of %q: %w", k, site, err)
		}
		m.FillState()
		return m, nil
	})
}

// conversationExists keeps the message buckets of stored conversations.
func conversationExists(tx *bbolt.Tx, id []byte) bool {
	return tx.Bucket(bktConversations).Get(id) != nil
}

// ExportCounts counts each table's records, in one read transaction.
func (e *exporter) ExportCounts(ctx context.Context) (map[string]int64, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := map[string]int64{}
	err := e.db.View(func(tx *bbolt.Tx) error {
		flat := func(name string, bkt []byte, nested bool) {
			if b := tx.Bucket(bkt); b != nil {
				_ = b.ForEach(func(_, v []byte) error {
					if (v == nil) == nested {
						out[name]++
					}
					return nil
				})
			}
		}
		inner := func(name string, bkt []byte, keep func(*bbolt.Tx, []byte) bool) {
			b := tx.Bucket(bkt)
			if b == nil {
				return
			}
			_ = b.ForEach(func(k, v []byte) error {
				if v == nil && (keep == nil || keep(tx, k)) {
					out[name] += int64(b.Bucket(k).Stats().KeyN)
				}
				return nil
			})
		}
		flat(store.TableSettings, bktSettings, false)
		flat(store.TableSites, bktSites, false)
		flat(store.TableDepartments, bktDepartments, false)
		flat(store.TableAgents, bktAgents, false)
		flat(store.TableConversations, bktConversations, false)
		flat(store.TableNotifications, bktNotifications, false)
		flat(store.TableVisitorCounters, bktVisitorNumbers, true)
		inner(store.TableVisitorNumbers, bktVisitorNumbers, nil)
		inner(store.TableVisitorErasures, bktVisitorErasures, nil)
		inner(store.TableMessages, bktMessages, conversationExists)
		inner(store.TableOffline, bktOffline, nil)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("bolt: export counts: %w", err)
	}
	return out, nil
}
