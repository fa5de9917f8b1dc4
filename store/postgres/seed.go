package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/livedesk/gateway/store"
)

// This file is for tools that fill a database in bulk (loadtest/pgseed), not for
// the gateway: the rows are the ones CreateConversation, AppendMessage and
// AddOfflineMessage write (the same row functions below), sent with COPY, without
// the checks a live write makes (resends, who may write, notifications).

// SeedConversation is one conversation and its messages for SeedConversations.
type SeedConversation struct {
	Conversation *store.Conversation
	Messages     []*store.Message
}

// SeedConversations stores the conversations with their messages in one
// transaction (COPY), as CreateConversation with every message as a first one
// would: an empty ID gets a new one, the messages get Seq 1..n in the order given
// and the conversation's ConversationID, an empty At is now, LastSeq is n. The
// records handed in are left unchanged. A taken id is store.ErrConflict and then
// nothing is stored. For tools only (see the top of this file).
func (s *Store) SeedConversations(ctx context.Context, convs []SeedConversation) error {
	convRows := make([][]any, 0, len(convs))
	var msgRows [][]any
	for i, sc := range convs {
		if sc.Conversation == nil || sc.Conversation.SiteID == "" {
			return fmt.Errorf("postgres: seed conversations: conversation %d: nil or without a site", i+1)
		}
		rec, msgs, err := store.NewConversationRecords(sc.Conversation, sc.Messages)
		if err != nil {
			return fmt.Errorf("postgres: seed conversations: %w", err)
		}
		for j := range msgs {
			msgs[j].Seq = int64(j + 1)
			row, _, err := messageRow(&msgs[j])
			if err != nil {
				return fmt.Errorf("postgres: seed conversations: %w", err)
			}
			msgRows = append(msgRows, row)
		}
		rec.LastSeq = int64(len(msgs))
		row, err := conversationRow(rec)
		if err != nil {
			return fmt.Errorf("postgres: seed conversations: %w", err)
		}
		convRows = append(convRows, row)
	}
	return s.tx(ctx, "seed conversations", func(tx pgx.Tx) error {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"conversations"}, conversationColumns, pgx.CopyFromRows(convRows)); err != nil {
			return err
		}
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"messages"}, messageColumns, pgx.CopyFromRows(msgRows))
		return err
	})
}

// SeedOffline stores offline messages in one transaction (COPY), as
// AddOfflineMessage would but keeping each one's State (empty is new; any other
// than new, read or done is an error): an empty ID gets a new one, an empty
// CreatedAt is now. The records handed in are left unchanged. A taken id or client
// id is store.ErrConflict and then nothing is stored. For tools only.
func (s *Store) SeedOffline(ctx context.Context, msgs []*store.OfflineMessage) error {
	rows := make([][]any, 0, len(msgs))
	for i, m := range msgs {
		if m == nil || m.SiteID == "" {
			return fmt.Errorf("postgres: seed offline: message %d: nil or without a site", i+1)
		}
		if m.State != "" && !store.ValidOfflineState(m.State) {
			return fmt.Errorf("postgres: seed offline: message %d: unknown state %q", i+1, m.State)
		}
		rec := *m // the row encodes rec at once, so sharing m's Fields map is harmless
		if rec.ID == "" {
			id, err := newID()
			if err != nil {
				return err
			}
			rec.ID = id
		}
		if rec.CreatedAt.IsZero() {
			rec.CreatedAt = time.Now().UTC()
		}
		rec.FillState()
		row, _, err := offlineRow(&rec)
		if err != nil {
			return fmt.Errorf("postgres: seed offline: %w", err)
		}
		rows = append(rows, row)
	}
	return s.tx(ctx, "seed offline", func(tx pgx.Tx) error {
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"offline_messages"}, offlineColumns, pgx.CopyFromRows(rows))
		return err
	})
}

// SeedVisitorNumbers gives the visitors of a site the numbers after the last one it
// gave, in the order given, as VisitorNumber would one by one, and returns them. A
// visitor that has a number already is store.ErrConflict and then nothing is
// stored. For tools only.
func (s *Store) SeedVisitorNumbers(ctx context.Context, siteID string, visitors []string) ([]int64, error) {
	if siteID == "" {
		return nil, errors.New("postgres: seed visitor numbers: empty site id")
	}
	var out []int64
	err := s.tx(ctx, "seed visitor numbers", func(tx pgx.Tx) error {
		var last int64
		err := tx.QueryRow(ctx, `INSERT INTO visitor_counters (site_id, last) VALUES ($1, $2)
			ON CONFLICT (site_id) DO UPDATE SET last = visitor_counters.last + $2 RETURNING last`,
			siteID, int64(len(visitors))).Scan(&last)
		if err != nil {
			return err
		}
		first := last - int64(len(visitors)) + 1
		out = make([]int64, len(visitors))
		rows := make([][]any, len(visitors))
		for i, v := range visitors {
			out[i] = first + int64(i)
			rows[i] = []any{siteID, v, out[i]}
		}
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"visitor_numbers"}, []string{"site_id", "visitor_id", "number"}, pgx.CopyFromRows(rows))
		return err
	})
	return out, err
}
