package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/livedesk/gateway/store"
)

// Retention (store.RetentionStore). The times a purge selects by are generated
// columns beside the records (conversations.over_at, offline_messages.created_at:
// migrations/0002_retention.sql) with partial indexes over the rows that can
// expire, so a call reads only what it deletes. Each call is one short
// transaction of at most limit deleted rows: it locks the rows it picks (SKIP
// LOCKED: a row another transaction holds, such as a conversation being written
// to, is left for the next call instead of waited for) and checks each record
// with store.ConversationExpired or store.OfflineExpired, since the columns keep
// microseconds and the records nanoseconds.

// The purge's selections ($1 the site, $2 the cutoff, $3 the limit), on the
// partial indexes conversations_site_over and offline_messages_site_done.
const (
	expiredConversationsSQL = `SELECT data FROM conversations
		WHERE site_id = $1 AND over_at <= $2 ORDER BY over_at, id LIMIT $3 FOR UPDATE SKIP LOCKED`
	expiredOfflineSQL = `SELECT data FROM offline_messages
		WHERE site_id = $1 AND state = 'done' AND created_at <= $2 ORDER BY created_at, id LIMIT $3
		FOR UPDATE SKIP LOCKED`
)

// PurgeExpired deletes at most limit of the site's expired records
// (store.RetentionStore) in one transaction: the conversations first, oldest over
// first, each with its messages, newest first when they do not all fit, then the
// offline messages, oldest first.
func (s *Store) PurgeExpired(ctx context.Context, siteID string, before time.Time, limit int) (store.PurgeCounts, error) {
	limit = store.PurgeLimit(limit)
	var out store.PurgeCounts
	err := s.tx(ctx, "purge expired", func(tx pgx.Tx) error {
		out = store.PurgeCounts{}
		if siteID == "" {
			return nil
		}
		// over_at rounds to the microsecond: a microsecond past before still holds
		// every record over before it (the check in Go keeps the others).
		bound := before.Add(time.Microsecond)
		convs, err := getAll[store.Conversation](ctx, tx, expiredConversationsSQL, siteID, bound, limit)
		if err != nil {
			return err
		}
		if out, err = purgeConversations(ctx, tx, convs, before, limit); err != nil {
			return err
		}
		left := limit - out.Total()
		if left <= 0 {
			return nil
		}
		offline, err := getAll[store.OfflineMessage](ctx, tx, expiredOfflineSQL, siteID, bound, left)
		if err != nil {
			return err
		}
		var doomed []string
		for _, m := range offline {
			if m.FillState(); store.OfflineExpired(m, before) {
				doomed = append(doomed, m.ID)
			}
		}
		if len(doomed) == 0 {
			return nil
		}
		tag, err := tx.Exec(ctx, "DELETE FROM offline_messages WHERE site_id = $1 AND id = ANY($2)", siteID, doomed)
		out.Offline = int(tag.RowsAffected())
		return err
	})
	if err != nil {
		return store.PurgeCounts{}, err
	}
	return out, nil
}

// purgeConversations deletes, within tx, up to limit records of convs (locked
// rows, oldest over first) that are expired: each whole, with its messages, while
// that fits; then, from the one that does not fit, as many of its newest messages
// as do (its last_seq follows, so it keeps a prefix of its messages).
func purgeConversations(ctx context.Context, tx pgx.Tx, convs []*store.Conversation, before time.Time, limit int) (store.PurgeCounts, error) {
	var (
		out   store.PurgeCounts
		whole []string
		cost  int
	)
	for _, c := range convs {
		if !store.ConversationExpired(c, before) {
			continue
		}
		left := limit - cost
		if 1+int(c.LastSeq) <= left {
			whole = append(whole, c.ID)
			cost += 1 + int(c.LastSeq)
			continue
		}
		keep := c.LastSeq - int64(left)
		tag, err := tx.Exec(ctx, "DELETE FROM messages WHERE conversation_id = $1 AND seq > $2", c.ID, keep)
		if err != nil {
			return out, err
		}
		c.LastSeq = keep
		if _, err := writeConversation(ctx, tx, c); err != nil {
			return out, err
		}
		out.Messages += int(tag.RowsAffected())
		break
	}
	if len(whole) == 0 {
		return out, nil
	}
	tag, err := tx.Exec(ctx, "DELETE FROM messages WHERE conversation_id = ANY($1)", whole)
	if err != nil {
		return out, err
	}
	out.Messages += int(tag.RowsAffected())
	tag, err = tx.Exec(ctx, "DELETE FROM conversations WHERE id = ANY($1)", whole)
	out.Conversations = int(tag.RowsAffected())
	return out, err
}
