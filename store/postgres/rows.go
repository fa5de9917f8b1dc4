package postgres

import (
	"fmt"
	"strings"

	"github.com/livedesk/gateway/store"
)

// The rows of conversations, messages and offline messages: one layout for the live
// writes and for the bulk ones (seed.go).

// The columns of the tables that CreateConversation, AppendMessage and
// AddOfflineMessage insert into, in the order of their row functions.
var (
	conversationColumns = []string{"id", "site_id", "state", "visitor_id", "department_id", "last_seq", "data"}
	messageColumns      = []string{"conversation_id", "seq", "client_id", "data"}
	offlineColumns      = []string{"site_id", "id", "visitor_id", "client_id", "state", "data"}
)

// conversationRow is c's row in conversationColumns' order.
func conversationRow(c *store.Conversation) ([]any, error) {
	data, err := encode(c)
	if err != nil {
		return nil, err
	}
	return []any{c.ID, c.SiteID, c.State, c.VisitorID, c.DepartmentID, c.LastSeq, data}, nil
}

// messageRow is m's row in messageColumns' order, and its data column.
func messageRow(m *store.Message) ([]any, []byte, error) {
	data, err := encode(m)
	if err != nil {
		return nil, nil, err
	}
	return []any{m.ConversationID, m.Seq, nullIfEmpty(m.ClientID), data}, data, nil
}

// offlineRow is m's row in offlineColumns' order, and its data column.
func offlineRow(m *store.OfflineMessage) ([]any, []byte, error) {
	data, err := encode(m)
	if err != nil {
		return nil, nil, err
	}
	return []any{m.SiteID, m.ID, m.VisitorID, nullIfEmpty(m.ClientID), m.State, data}, data, nil
}

// The INSERT statements of one row of each.
var (
	insertConversationSQL = insertSQL("conversations", conversationColumns)
	insertMessageSQL      = insertSQL("messages", messageColumns)
	insertOfflineSQL      = insertSQL("offline_messages", offlineColumns)
)

// insertSQL is an INSERT of one row of table's columns, as $1, $2...
func insertSQL(table string, columns []string) string {
	params := make([]string, len(columns))
	for i := range columns {
		params[i] = fmt.Sprintf("$%d", i+1)
	}
	return fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", table, strings.Join(columns, ", "), strings.Join(params, ", "))
}
