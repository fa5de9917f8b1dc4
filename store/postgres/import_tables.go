package postgres

import (
	"context"
	"fmt"

	"github.com/livedesk/gateway/store"
)

// jsonDiffers: a stored record is another when its JSON value is.
const jsonDiffers = "t.data::jsonb IS DISTINCT FROM b.data::jsonb"

// importSpecs are the tables the Importer writes, by name (store.Table*). To copy
// a new table: add its spec here, a method below that builds its columns, and its
// line in store/copier's table list.
var importSpecs = map[string]importSpec{
	store.TableSettings: {table: "settings", cols: []string{"key", "value"}, types: []string{"text", "bytea"},
		key: []string{"key"}, differs: "t.value IS DISTINCT FROM b.value"},
	store.TableSites: {table: "sites", cols: []string{"id", "data"}, types: []string{"text", "json"},
		key: []string{"id"}, differs: jsonDiffers},
	store.TableDepartments: {table: "departments", cols: []string{"id", "site_id", "name_key", "data"},
		types: []string{"text", "text", "text", "json"}, key: []string{"id"}, differs: jsonDiffers},
	store.TableAgents: {table: "agents", cols: []string{"id", "email_key", "role", "data"},
		types: []string{"text", "text", "text", "json"}, key: []string{"id"}, differs: jsonDiffers},
	// A counter only ever grows: the copy keeps the larger of the two.
	store.TableVisitorCounters: {table: "visitor_counters", cols: []string{"site_id", "last"}, types: []string{"text", "bigint"},
		key: []string{"site_id"}, differs: "t.last < b.last",
		conflict: "(site_id) DO UPDATE SET last = excluded.last WHERE t.last < excluded.last"},
	// The site's counter is raised to its highest number copied, so a number
	// copied is never given again, whatever the counters' copy said.
	store.TableVisitorNumbers: {table: "visitor_numbers", cols: []string{"site_id", "visitor_id", "number"},
		types: []string{"text", "text", "bigint"}, key: []string{"site_id", "visitor_id"}, differs: "t.number <> b.number",
		also: `INSERT INTO visitor_counters AS c (site_id, last) SELECT site_id, max(number) FROM b GROUP BY site_id
			ON CONFLICT (site_id) DO UPDATE SET last = excluded.last WHERE c.last < excluded.last`},
	// A tombstone has nothing but its key (erased_at is the copy's time). It
	// forgets the visitor's number as MarkVisitorErased does (one copied before
	// the visitor was erased in the source), so the number is not handed out
	// again: the counter copied is past it.
	store.TableVisitorErasures: {table: "visitor_erasures", cols: []string{"site_id", "visitor_id"},
		types: []string{"text", "text"}, key: []string{"site_id", "visitor_id"}, differs: "false",
		also: `DELETE FROM visitor_numbers v USING b WHERE v.site_id = b.site_id AND v.visitor_id = b.visitor_id`},
	store.TableConversations: {table: "conversations",
		cols:  []string{"id", "site_id", "state", "visitor_id", "department_id", "last_seq", "data"},
		types: []string{"text", "text", "text", "text", "text", "bigint", "json"}, key: []string{"id"}, differs: jsonDiffers},
	// A message is written only into a conversation the table holds (one the
	// source created after its conversations were copied counts as missing), and
	// moves that conversation's LastSeq when it is past it, so the next append
	// takes the next seq.
	store.TableMessages: {table: "messages", cols: []string{"conversation_id", "seq", "client_id", "data"},
		types: []string{"text", "bigint", "text", "json"}, key: []string{"conversation_id", "seq"}, differs: jsonDiffers,
		filter: "EXISTS (SELECT 1 FROM conversations c WHERE c.id = b.conversation_id)",
		also: `UPDATE conversations c SET last_seq = m.last, data = (c.data::jsonb || jsonb_build_object('last_seq', m.last))::json
			FROM (SELECT conversation_id, max(seq) AS last FROM b GROUP BY conversation_id) m
			WHERE c.id = m.conversation_id AND c.last_seq < m.last`},
	store.TableOffline: {table: "offline_messages", cols: []string{"site_id", "id", "visitor_id", "client_id", "state", "data"},
		types: []string{"text", "text", "text", "text", "text", "json"}, key: []string{"site_id", "id"}, differs: jsonDiffers},
	store.TableNotifications: {table: "notifications", cols: []string{"id", "site_id", "state", "created_ns", "next_attempt_ns", "data"},
		types: []string{"text", "text", "text", "bigint", "bigint", "json"}, key: []string{"id"}, differs: jsonDiffers},
}

// jsonColumn encodes each record for a data column.
func jsonColumn[T any](recs []T, what func(T) string) ([]string, error) {
	out := make([]string, len(recs))
	for i, r := range recs {
		data, err := encode(r)
		if err != nil {
			return nil, fmt.Errorf("postgres: import %s: %w", what(r), err)
		}
		out[i] = string(data)
	}
	return out, nil
}

// column is one column of a batch, made from each record.
func column[T, C any](recs []T, f func(T) C) []C {
	out := make([]C, len(recs))
	for i, r := range recs {
		out[i] = f(r)
	}
	return out
}

// importJSON writes a batch of records kept as JSON: the key columns keys gives,
// then the record's data.
func importJSON[T any](ctx context.Context, im *Importer, table string, recs []T, p Progress, name func(T) string, keys ...any) (Progress, error) {
	data, err := jsonColumn(recs, name)
	if err != nil {
		return p, err
	}
	return im.importBatch(ctx, importSpecs[table], len(recs), append(keys, data), p)
}

// ImportSettings writes a batch of settings and the table's progress p.
func (im *Importer) ImportSettings(ctx context.Context, recs []store.Setting, p Progress) (Progress, error) {
	return im.importBatch(ctx, importSpecs[store.TableSettings], len(recs), []any{
		column(recs, func(s store.Setting) string { return s.Key }),
		column(recs, func(s store.Setting) []byte { return nonNilBytes(s.Value) }),
	}, p)
}

// ImportSites writes a batch of sites and the table's progress p.
func (im *Importer) ImportSites(ctx context.Context, recs []*store.Site, p Progress) (Progress, error) {
	return importJSON(ctx, im, store.TableSites, recs, p, func(s *store.Site) string { return "site " + s.ID },
		column(recs, func(s *store.Site) string { return s.ID }))
}

// ImportDepartments writes a batch of departments and the table's progress p.
func (im *Importer) ImportDepartments(ctx context.Context, recs []*store.Department, p Progress) (Progress, error) {
	return importJSON(ctx, im, store.TableDepartments, recs, p, func(d *store.Department) string { return "department " + d.ID },
		column(recs, func(d *store.Department) string { return d.ID }),
		column(recs, func(d *store.Department) string { return d.SiteID }),
		column(recs, func(d *store.Department) string { return store.DepartmentNameKey(d.Name) }))
}

// ImportAgents writes a batch of agents and the table's progress p.
func (im *Importer) ImportAgents(ctx context.Context, recs []*store.Agent, p Progress) (Progress, error) {
	return importJSON(ctx, im, store.TableAgents, recs, p, func(a *store.Agent) string { return "agent " + a.ID },
		column(recs, func(a *store.Agent) string { return a.ID }),
		column(recs, func(a *store.Agent) *string { return emailKey(a.Email) }),
		column(recs, func(a *store.Agent) string { return a.Role }))
}

// ImportVisitorCounters writes a batch of sites' visitor counters (each kept at
// the larger of the stored and the copied) and the table's progress p.
func (im *Importer) ImportVisitorCounters(ctx context.Context, recs []store.VisitorCounter, p Progress) (Progress, error) {
	return im.importBatch(ctx, importSpecs[store.TableVisitorCounters], len(recs), []any{
		column(recs, func(c store.VisitorCounter) string { return c.SiteID }),
		column(recs, func(c store.VisitorCounter) int64 { return c.Last }),
	}, p)
}

// ImportVisitorNumbers writes a batch of visitor numbers (raising their sites'
// counters to them) and the table's progress p.
func (im *Importer) ImportVisitorNumbers(ctx context.Context, recs []store.VisitorNumber, p Progress) (Progress, error) {
	return im.importBatch(ctx, importSpecs[store.TableVisitorNumbers], len(recs), []any{
		column(recs, func(v store.VisitorNumber) string { return v.SiteID }),
		column(recs, func(v store.VisitorNumber) string { return v.VisitorID }),
		column(recs, func(v store.VisitorNumber) int64 { return v.Number }),
	}, p)
}

// ImportVisitorErasures writes a batch of erased visitors' tombstones (each
// forgetting the visitor's number) and the table's progress p.
func (im *Importer) ImportVisitorErasures(ctx context.Context, recs []store.VisitorErasure, p Progress) (Progress, error) {
	return im.importBatch(ctx, importSpecs[store.TableVisitorErasures], len(recs), []any{
		column(recs, func(v store.VisitorErasure) string { return v.SiteID }),
		column(recs, func(v store.VisitorErasure) string { return v.VisitorID }),
	}, p)
}

// ImportConversations writes a batch of conversations, with their LastSeq, and
// the table's progress p.
func (im *Importer) ImportConversations(ctx context.Context, recs []*store.Conversation, p Progress) (Progress, error) {
	return importJSON(ctx, im, store.TableConversations, recs, p, func(c *store.Conversation) string { return "conversation " + c.ID },
		column(recs, func(c *store.Conversation) string { return c.ID }),
		column(recs, func(c *store.Conversation) string { return c.SiteID }),
		column(recs, func(c *store.Conversation) string { return c.State }),
		column(recs, func(c *store.Conversation) string { return c.VisitorID }),
		column(recs, func(c *store.Conversation) string { return c.DepartmentID }),
		column(recs, func(c *store.Conversation) int64 { return c.LastSeq }))
}

// ImportMessages writes a batch of messages with their seqs and client ids (so
// a resend is still found) and the table's progress p.
func (im *Importer) ImportMessages(ctx context.Context, recs []*store.Message, p Progress) (Progress, error) {
	return importJSON(ctx, im, store.TableMessages, recs, p,
		func(m *store.Message) string { return fmt.Sprintf("message %d of %s", m.Seq, m.ConversationID) },
		column(recs, func(m *store.Message) string { return m.ConversationID }),
		column(recs, func(m *store.Message) int64 { return m.Seq }),
		column(recs, func(m *store.Message) *string { return nullIfEmpty(m.ClientID) }))
}

// ImportOffline writes a batch of offline messages in their states (one without
// a state is new) and the table's progress p.
func (im *Importer) ImportOffline(ctx context.Context, recs []*store.OfflineMessage, p Progress) (Progress, error) {
	return importJSON(ctx, im, store.TableOffline, recs, p, func(m *store.OfflineMessage) string { return "offline message " + m.ID },
		column(recs, func(m *store.OfflineMessage) string { return m.SiteID }),
		column(recs, func(m *store.OfflineMessage) string { return m.ID }),
		column(recs, func(m *store.OfflineMessage) string { return m.VisitorID }),
		column(recs, func(m *store.OfflineMessage) *string { return nullIfEmpty(m.ClientID) }),
		column(recs, func(m *store.OfflineMessage) string {
			if m.State == "" {
				return store.OfflineNew
			}
			return m.State
		}))
}

// ImportNotifications writes a batch of notifications in their states, with
// their times, and the table's progress p.
func (im *Importer) ImportNotifications(ctx context.Context, recs []*store.Notification, p Progress) (Progress, error) {
	return importJSON(ctx, im, store.TableNotifications, recs, p, func(n *store.Notification) string { return "notification " + n.ID },
		column(recs, func(n *store.Notification) string { return n.ID }),
		column(recs, func(n *store.Notification) string { return n.SiteID }),
		column(recs, func(n *store.Notification) string { return n.State }),
		column(recs, func(n *store.Notification) int64 { return unixNano(n.CreatedAt) }),
		column(recs, func(n *store.Notification) int64 { return unixNano(n.NextAttemptAt) }))
}

// nonNilBytes maps nil to an empty value (the column is NOT NULL).
func nonNilBytes(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
