package bolt

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.etcd.io/bbolt"

	"github.com/livedesk/gateway/store"
)

// Retention (store.RetentionStore). A call first looks in a read transaction,
// which does not hold up writers, for what has expired: the site's ended and
// missed conversations (their index leaves) and its done offline messages (their
// state leaf), each record checked with store.ConversationExpired or
// store.OfflineExpired. It then deletes what it found in one write transaction,
// each record checked again there, so a record that changed in between is left
// alone. The walk reads every ended conversation and done offline message of the
// site that has not expired (bolt keeps no index by time); deleting is bounded by
// the limit.

// retentionStates are the conversation states whose conversations can expire.
var retentionStates = []string{store.StateEnded, store.StateMissed}

// purgePlan is what one call deletes: conversation ids (with the records each
// costs, 1 + its messages, capped by what is left of the limit) and offline ids.
type purgePlan struct {
	convs   []string
	offline []string
}

// PurgeExpired deletes at most limit of the site's expired records
// (store.RetentionStore): the conversations first, each with its messages, newest
// first when they do not all fit, then the offline messages.
func (s *Store) PurgeExpired(ctx context.Context, siteID string, before time.Time, limit int) (store.PurgeCounts, error) {
	limit = store.PurgeLimit(limit)
	if siteID == "" {
		return store.PurgeCounts{}, nil
	}
	var plan purgePlan
	err := s.view(ctx, "purge expired", func(tx *bbolt.Tx) error {
		var err error
		plan, err = planPurge(tx, siteID, before, limit)
		return err
	})
	if err != nil || len(plan.convs)+len(plan.offline) == 0 {
		return store.PurgeCounts{}, err
	}
	var out store.PurgeCounts
	err = s.update(ctx, "purge expired", func(tx *bbolt.Tx) error {
		out = store.PurgeCounts{}
		for _, id := range plan.convs {
			if left := limit - out.Total(); left > 0 {
				got, err := purgeConversationTx(tx, siteID, id, before, left)
				if err != nil {
					return err
				}
				out = out.Add(got)
			}
		}
		for _, id := range plan.offline {
			if out.Total() < limit {
				gone, err := purgeOfflineTx(tx, siteID, id, before)
				if err != nil {
					return err
				}
				if gone {
					out.Offline++
				}
			}
		}
		return nil
	})
	if err != nil {
		return store.PurgeCounts{}, err
	}
	return out, nil
}

// planPurge finds up to limit records' worth of the site's expired conversations
// and offline messages, oldest id first.
func planPurge(tx *bbolt.Tx, siteID string, before time.Time, limit int) (purgePlan, error) {
	var plan purgePlan
	cost := 0
	convs := tx.Bucket(bktConversations)
	for _, st := range retentionStates {
		leaf := bucketAt(tx, indexPath{bktConvBySiteState, []byte(siteID), []byte(st)})
		if leaf == nil {
			continue
		}
		c := leaf.Cursor()
		for k, _ := c.First(); k != nil && cost < limit; k, _ = c.Next() {
			conv := new(store.Conversation)
			if err := getIndexed(convs, k, conv); err != nil {
				return plan, err
			}
			if store.ConversationExpired(conv, before) {
				plan.convs = append(plan.convs, conv.ID)
				cost += 1 + int(conv.LastSeq)
			}
		}
	}
	recs := tx.Bucket(bktOffline).Bucket([]byte(siteID))
	leaf := offlineHandledBucket(tx, siteID, store.OfflineDone)
	if recs == nil || leaf == nil {
		return plan, nil
	}
	c := leaf.Cursor()
	for k, _ := c.First(); k != nil && cost < limit; k, _ = c.Next() {
		m := new(store.OfflineMessage)
		if err := getIndexed(recs, k, m); err != nil {
			return plan, err
		}
		m.FillState()
		if store.OfflineExpired(m, before) {
			plan.offline = append(plan.offline, m.ID)
			cost++
		}
	}
	return plan, nil
}

// getIndexed decodes the record an index entry names into dst; a missing one is
// an error (the index and the records disagree).
func getIndexed(b *bbolt.Bucket, key []byte, dst any) error {
	ok, err := getJSON(b, string(key), dst)
	if err == nil && !ok {
		err = fmt.Errorf("an index names missing record %q", key)
	}
	return err
}

// purgeConversationTx deletes, when it is still the site's and expired, up to
// budget (>= 1) records of conversation id: its newest messages (with their client
// ids), and the conversation itself (record and index entries) once none is left.
// A conversation that keeps messages keeps LastSeq equal to the last of them.
func purgeConversationTx(tx *bbolt.Tx, siteID, id string, before time.Time, budget int) (store.PurgeCounts, error) {
	var out store.PurgeCounts
	conv, err := getConversation(tx, id)
	if errors.Is(err, store.ErrNotFound) {
		return out, nil // gone since the plan
	}
	if err != nil {
		return out, err
	}
	if conv.SiteID != siteID || !store.ConversationExpired(conv, before) {
		return out, nil // changed since the plan: not this call's
	}
	key := []byte(id)
	msgs := tx.Bucket(bktMessages).Bucket(key)
	cids := tx.Bucket(bktMessageClientIDs).Bucket(key)
	if msgs != nil {
		var doomed [][]byte
		c := msgs.Cursor()
		for k, v := c.Last(); k != nil && len(doomed) < budget; k, v = c.Prev() {
			var m store.Message
			if err := json.Unmarshal(v, &m); err != nil {
				return out, fmt.Errorf("decode message %x of %q: %w", k, id, err)
			}
			if cids != nil && m.ClientID != "" {
				if err := cids.Delete([]byte(m.ClientID)); err != nil {
					return out, err
				}
			}
			doomed = append(doomed, k)
		}
		for _, k := range doomed {
			if err := msgs.Delete(k); err != nil {
				return out, err
			}
		}
		out.Messages = len(doomed)
		if k, _ := msgs.Cursor().Last(); k != nil { // some are left: the rest next call
			conv.LastSeq = int64(binary.BigEndian.Uint64(k))
			return out, putJSON(tx.Bucket(bktConversations), key, conv)
		}
	}
	if out.Messages == budget {
		conv.LastSeq = 0 // every message gone; the conversation itself next call
		return out, putJSON(tx.Bucket(bktConversations), key, conv)
	}
	for _, b := range [][]byte{bktMessages, bktMessageClientIDs} {
		if tx.Bucket(b).Bucket(key) != nil {
			if err := tx.Bucket(b).DeleteBucket(key); err != nil {
				return out, err
			}
		}
	}
	if err := reindex(tx, key, indexPaths(conv), nil); err != nil {
		return out, err
	}
	if err := tx.Bucket(bktConversations).Delete(key); err != nil {
		return out, err
	}
	out.Conversations = 1
	return out, nil
}

// purgeOfflineTx deletes the site's offline message id (record, client id and
// state index entry) when it is still expired, and reports whether it did.
func purgeOfflineTx(tx *bbolt.Tx, siteID, id string, before time.Time) (bool, error) {
	recs := tx.Bucket(bktOffline).Bucket([]byte(siteID))
	m := new(store.OfflineMessage)
	if ok, err := getJSON(recs, id, m); err != nil || !ok {
		return false, err
	}
	m.FillState()
	if !store.OfflineExpired(m, before) {
		return false, nil
	}
	if k := offlineClientKey(m); k != nil {
		if err := tx.Bucket(bktOfflineClientIDs).Delete(k); err != nil {
			return false, err
		}
	}
	if err := reindex(tx, []byte(id), offlineIndexPaths(m), nil); err != nil {
		return false, err
	}
	return true, recs.Delete([]byte(id))
}
