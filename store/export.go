package store

import (
	"context"
	"errors"
	"strconv"
	"strings"
)

// Table names of an export: the kinds of record a store holds, as Exporter hands
// them out and ExportCounts counts them (and as gateway migrate-data names them).
const (
	TableSettings        = "settings"
	TableSites           = "sites"
	TableDepartments     = "departments"
	TableAgents          = "agents"
	TableVisitorCounters = "visitor_counters"
	TableVisitorNumbers  = "visitor_numbers"
	TableVisitorErasures = "visitor_erasures"
	TableConversations   = "conversations"
	TableMessages        = "messages"
	TableOffline         = "offline_messages"
	TableNotifications   = "notifications"
)

// Page is one page of an export: up to the limit asked for of a table's records,
// in the exporter's order, and Next, the cursor that asks for the records after
// them. Next is "" when the table holds nothing after Records.
type Page[T any] struct {
	Records []T
	Next    string
}

// Setting is one stored setting (GetSetting's key and value).
type Setting struct {
	Key   string
	Value []byte
}

// VisitorNumber is the number one visitor has on one site (Store.VisitorNumber).
type VisitorNumber struct {
	SiteID    string
	VisitorID string
	Number    int64
}

// VisitorErasure is the tombstone of an erased visitor of a site
// (VisitorDataStore.MarkVisitorErased): a copy that keeps it keeps the visitor's
// token refused.
type VisitorErasure struct {
	SiteID    string
	VisitorID string
}

// VisitorCounter is the last visitor number a site gave: the next visitor gets
// Last+1, so a copy that keeps it never gives a number twice.
type VisitorCounter struct {
	SiteID string
	Last   int64
}

// Exporter hands out every record a store holds, one table at a time, a page at a
// time, for a copy into another store (gateway migrate-data). Each method returns
// up to limit records (limit <= 0 is an error) that come after cursor in the
// exporter's own stable order ("" starts at the first), as the store would hand
// them out (offline messages with their state filled, conversations with their
// LastSeq, messages with their Seq), and the cursor to continue with. A cursor is
// the exporter's own: give it back only to an exporter of the same store; it stays
// valid across processes, so a copy that was stopped resumes where it was. Records
// of a conversation that does not exist (messages) are not handed out.
type Exporter interface {
	ExportSettings(ctx context.Context, cursor string, limit int) (Page[Setting], error)
	ExportSites(ctx context.Context, cursor string, limit int) (Page[*Site], error)
	ExportDepartments(ctx context.Context, cursor string, limit int) (Page[*Department], error)
	ExportAgents(ctx context.Context, cursor string, limit int) (Page[*Agent], error)
	ExportVisitorCounters(ctx context.Context, cursor string, limit int) (Page[VisitorCounter], error)
	ExportVisitorNumbers(ctx context.Context, cursor string, limit int) (Page[VisitorNumber], error)
	ExportVisitorErasures(ctx context.Context, cursor string, limit int) (Page[VisitorErasure], error)
	ExportConversations(ctx context.Context, cursor string, limit int) (Page[*Conversation], error)
	ExportMessages(ctx context.Context, cursor string, limit int) (Page[*Message], error)
	ExportOffline(ctx context.Context, cursor string, limit int) (Page[*OfflineMessage], error)
	ExportNotifications(ctx context.Context, cursor string, limit int) (Page[*Notification], error)
	// ExportCounts counts the records of every table (by the Table names), as
	// the methods above would hand them out.
	ExportCounts(ctx context.Context) (map[string]int64, error)
	// Close releases what the exporter holds (not the store it was made from).
	Close() error
}

// ErrBadLimit: an export was asked for a page of no records.
var ErrBadLimit = errors.New("export: limit must be positive")

// JoinCursor makes a cursor of a two-part key (an outer id, as a site or a
// conversation, and an inner key within it), which SplitCursor takes apart; the
// outer part is length-prefixed, so no id can run into the other.
func JoinCursor(outer, inner string) string {
	return strconv.Itoa(len(outer)) + ":" + outer + inner
}

// SplitCursor takes apart a cursor JoinCursor made; "" gives two empty parts,
// anything else that JoinCursor did not make is an error.
func SplitCursor(c string) (outer, inner string, err error) {
	if c == "" {
		return "", "", nil
	}
	num, rest, ok := strings.Cut(c, ":")
	n, perr := strconv.Atoi(num)
	if !ok || perr != nil || n < 0 || n > len(rest) {
		return "", "", errors.New("export: malformed cursor (not made by this store's exporter)")
	}
	return rest[:n], rest[n:], nil
}
