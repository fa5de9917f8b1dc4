package redisstore

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/livedesk/gateway/store"
)

// Retention (store.RetentionStore). A call first reads what has expired: the
// site's ended and missed conversations (their conv_site_state indexes) and its
// done offline messages (offline_state), a chunk of ids at a time, each record
// checked with store.ConversationExpired or store.OfflineExpired. It then deletes
// them in optimistic transactions, one per conversation (WATCH of its record and
// its message list, so an append in between makes it look again) and one for the
// offline messages (WATCH of the site's offline records, as SetOfflineState), each
// record checked again inside. The walk reads every ended conversation and done
// offline message of the site that has not expired (no index is kept by time).

// retentionStates are the conversation states whose conversations can expire.
var retentionStates = []string{store.StateEnded, store.StateMissed}

// retentionChunk is how many ids a walk reads from an index at a time.
const retentionChunk = 256

// PurgeExpired deletes at most limit of the site's expired records
// (store.RetentionStore): the conversations first, each with its messages, newest
// first when they do not all fit, then the offline messages.
func (s *Store) PurgeExpired(ctx context.Context, siteID string, before time.Time, limit int) (store.PurgeCounts, error) {
	const op = "purge expired"
	if err := s.begin(ctx, op); err != nil {
		return store.PurgeCounts{}, err
	}
	limit = store.PurgeLimit(limit)
	var out store.PurgeCounts
	if siteID == "" {
		return out, nil
	}
	convs, cost, err := s.expiredConversations(ctx, siteID, before, limit)
	if err != nil {
		return out, s.wrap(ctx, op, err)
	}
	offline, err := s.expiredOffline(ctx, siteID, before, limit-cost)
	if err != nil {
		return out, s.wrap(ctx, op, err)
	}
	for _, id := range convs {
		if left := limit - out.Total(); left > 0 {
			got, err := s.purgeConversation(ctx, siteID, id, before, left)
			out = out.Add(got)
			if err != nil {
				return out, err
			}
		}
	}
	if len(offline) > 0 && out.Total() < limit {
		n, err := s.purgeOffline(ctx, siteID, offline[:min(len(offline), limit-out.Total())], before)
		out.Offline += n
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// expiredConversations returns the ids of the site's expired conversations, oldest
// id first, until they cost limit records (1 + their messages each), and that cost.
func (s *Store) expiredConversations(ctx context.Context, siteID string, before time.Time, limit int) ([]string, int, error) {
	var (
		out  []string
		cost int
	)
	for _, st := range retentionStates {
		bound := "-"
		for cost < limit {
			ids, err := s.rdb.ZRangeByLex(ctx, s.k.convSiteState(siteID, st), &redis.ZRangeBy{Min: bound, Max: "+", Count: retentionChunk}).Result()
			if err != nil {
				return nil, 0, err
			}
			convs, err := s.getConversations(ctx, ids)
			if err != nil {
				return nil, 0, err
			}
			for _, c := range convs {
				if cost < limit && c.SiteID == siteID && store.ConversationExpired(c, before) {
					out = append(out, c.ID)
					cost += 1 + int(c.LastSeq)
				}
			}
			if len(ids) < retentionChunk {
				break
			}
			bound = "(" + ids[len(ids)-1]
		}
	}
	return out, cost, nil
}

// expiredOffline returns the ids of up to limit of the site's expired offline
// messages, oldest id first.
func (s *Store) expiredOffline(ctx context.Context, siteID string, before time.Time, limit int) ([]string, error) {
	var out []string
	bound := "-"
	for len(out) < limit {
		ids, err := s.rdb.ZRangeByLex(ctx, s.k.offlineState(siteID, store.OfflineDone), &redis.ZRangeBy{Min: bound, Max: "+", Count: retentionChunk}).Result()
		if err != nil || len(ids) == 0 {
			return out, err
		}
		ms, err := s.offlineRecords(ctx, s.rdb, siteID, ids)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			if len(out) < limit && m != nil && store.OfflineExpired(m, before) {
				out = append(out, m.ID)
			}
		}
		if len(ids) < retentionChunk {
			return out, nil
		}
		bound = "(" + ids[len(ids)-1]
	}
	return out, nil
}

// offlineRecords reads the site's offline messages ids name, in that order, nil
// for one that is missing.
func (s *Store) offlineRecords(ctx context.Context, c redis.Cmdable, siteID string, ids []string) ([]*store.OfflineMessage, error) {
	recs := s.k.offlineRec(siteID)
	vals, err := c.HMGet(ctx, recs, ids...).Result()
	if err != nil {
		return nil, err
	}
	out := make([]*store.OfflineMessage, len(vals))
	for i, v := range vals {
		data, ok := v.(string)
		if !ok {
			continue
		}
		m := new(store.OfflineMessage)
		if err := decode(recs, data, m); err != nil {
			return nil, err
		}
		m.FillState()
		out[i] = m
	}
	return out, nil
}

// purgeConversation deletes, when it is still the site's and expired, up to
// budget (>= 1) records of conversation id: its newest messages (the tail of its
// list, with their client ids), and the conversation itself (record, list, client
// ids, index entries) once all of it fits.
func (s *Store) purgeConversation(ctx context.Context, siteID, id string, before time.Time, budget int) (store.PurgeCounts, error) {
	var out store.PurgeCounts
	convKey, msgsKey, cidKey := s.k.conv(id), s.k.msgs(id), s.k.msgCID(id)
	err := s.watch(ctx, "purge expired", func(tx *redis.Tx) error {
		out = store.PurgeCounts{}
		c, err := s.getConversation(ctx, tx, id)
		if errors.Is(err, store.ErrNotFound) {
			return nil // gone since the walk
		}
		if err != nil {
			return err
		}
		if c.SiteID != siteID || !store.ConversationExpired(c, before) {
			return nil // changed since the walk: not this call's
		}
		if 1+int(c.LastSeq) <= budget {
			_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.Unlink(ctx, convKey, msgsKey, cidKey)
				queueIndexMove(ctx, p, id, s.k.convIndexes(c), nil)
				return nil
			})
			if err == nil {
				out = store.PurgeCounts{Conversations: 1, Messages: int(c.LastSeq)}
			}
			return err
		}
		n := int64(budget) // < LastSeq: some stay
		tail, err := tx.LRange(ctx, msgsKey, -n, -1).Result()
		if err != nil {
			return err
		}
		var cids []string
		for _, data := range tail {
			var m store.Message
			if err := decode(msgsKey, data, &m); err != nil {
				return err
			}
			if m.ClientID != "" {
				cids = append(cids, m.ClientID)
			}
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.LTrim(ctx, msgsKey, 0, -n-1)
			if len(cids) > 0 {
				p.HDel(ctx, cidKey, cids...)
			}
			return nil
		})
		if err == nil {
			out.Messages = int(n)
		}
		return err
	}, convKey, msgsKey)
	if err != nil {
		return store.PurgeCounts{}, err
	}
	return out, nil
}

// purgeOffline deletes the site's offline messages ids that are still expired
// (records, client ids, index entries) in one transaction, and counts them.
func (s *Store) purgeOffline(ctx context.Context, siteID string, ids []string, before time.Time) (int, error) {
	var n int
	recs := s.k.offlineRec(siteID)
	err := s.watch(ctx, "purge expired", func(tx *redis.Tx) error {
		n = 0
		ms, err := s.offlineRecords(ctx, tx, siteID, ids)
		if err != nil {
			return err
		}
		var doomed, cids []string
		for _, m := range ms {
			if m != nil && store.OfflineExpired(m, before) {
				doomed = append(doomed, m.ID)
				if f := offlineCIDField(m); f != "" {
					cids = append(cids, f)
				}
			}
		}
		if len(doomed) == 0 {
			return nil
		}
		members := make([]any, len(doomed))
		for i, id := range doomed {
			members[i] = id
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.HDel(ctx, recs, doomed...)
			if len(cids) > 0 {
				p.HDel(ctx, s.k.offlineCID(siteID), cids...)
			}
			p.ZRem(ctx, s.k.offline(siteID), members...)
			for _, st := range offlineHandled {
				p.ZRem(ctx, s.k.offlineState(siteID, st), members...)
			}
			return nil
		})
		if err == nil {
			n = len(doomed)
		}
		return err
	}, recs)
	if err != nil {
		return 0, err
	}
	return n, nil
}
