package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"go.etcd.io/bbolt"

	"github.com/livedesk/gateway/store"
)

// bktVisitorErasures holds the tombstones of erased visitors: site id -> {visitor
// id -> ""}. It is created by the first erasure (a store that never erased anyone
// has none), so reading it copes with its absence.
var bktVisitorErasures = []byte("visitor_erasures")

// ListVisitorOffline returns up to limit offline messages of the visitor on the
// site whose ID sorts after `after`, oldest first. Offline messages are kept per
// site without a visitor index, so it walks the site's messages from `after` and
// keeps the visitor's: the cost grows with the site's offline messages, not with
// the visitor's.
func (s *Store) ListVisitorOffline(ctx context.Context, siteID, visitorID, after string, limit int) ([]*store.OfflineMessage, error) {
	if siteID == "" || visitorID == "" {
		return nil, errors.New("bolt: list visitor offline messages: empty site or visitor id")
	}
	limit = clampLimit(limit, defaultOfflineLimit, maxOfflineLimit)
	out := []*store.OfflineMessage{}
	err := s.view(ctx, "list visitor offline messages", func(tx *bbolt.Tx) error {
		out = out[:0]
		recs := tx.Bucket(bktOffline).Bucket([]byte(siteID))
		if recs == nil {
			return nil
		}
		c := recs.Cursor()
		k, v := c.First()
		if after != "" {
			if k, v = c.Seek([]byte(after)); k != nil && bytes.Equal(k, []byte(after)) {
				k, v = c.Next()
			}
		}
		for ; k != nil && len(out) < limit; k, v = c.Next() {
			m := new(store.OfflineMessage)
			if err := json.Unmarshal(v, m); err != nil {
				return fmt.Errorf("decode offline message %q: %w", k, err)
			}
			if m.VisitorID == visitorID {
				m.FillState()
				out = append(out, m)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// EraseConversation deletes the conversation, its messages, its client ids and its
// index entries in one transaction, and returns how many messages it held.
func (s *Store) EraseConversation(ctx context.Context, id string) (int, error) {
	var n int
	err := s.update(ctx, "erase conversation", func(tx *bbolt.Tx) error {
		n = 0
		conv, err := getConversation(tx, id)
		if err != nil {
			return err
		}
		key := []byte(id)
		if err := reindex(tx, key, indexPaths(conv), nil); err != nil {
			return err
		}
		if err := tx.Bucket(bktConversations).Delete(key); err != nil {
			return err
		}
		if msgs := tx.Bucket(bktMessages).Bucket(key); msgs != nil {
			n = msgs.Stats().KeyN
			if err := tx.Bucket(bktMessages).DeleteBucket(key); err != nil {
				return err
			}
		}
		if tx.Bucket(bktMessageClientIDs).Bucket(key) != nil {
			return tx.Bucket(bktMessageClientIDs).DeleteBucket(key)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// EraseOfflineMessages deletes the site's offline messages with these ids, with
// their client id and state index entries, in one transaction.
func (s *Store) EraseOfflineMessages(ctx context.Context, siteID string, ids ...string) (int, error) {
	var n int
	err := s.update(ctx, "erase offline messages", func(tx *bbolt.Tx) error {
		n = 0
		recs := tx.Bucket(bktOffline).Bucket([]byte(siteID))
		if recs == nil {
			return nil
		}
		for _, id := range ids {
			m := new(store.OfflineMessage)
			found, err := getJSON(recs, id, m)
			if err != nil {
				return err
			}
			if !found {
				continue
			}
			m.FillState()
			if err := reindex(tx, []byte(id), offlineIndexPaths(m), nil); err != nil {
				return err
			}
			if k := offlineClientKey(m); k != nil {
				if cur := tx.Bucket(bktOfflineClientIDs).Get(k); bytes.Equal(cur, []byte(id)) {
					if err := tx.Bucket(bktOfflineClientIDs).Delete(k); err != nil {
						return err
					}
				}
			}
			if err := recs.Delete([]byte(id)); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// DeleteNotifications deletes the notifications with these ids and their index
// entries (the due and pending ones included) in one transaction.
func (s *Store) DeleteNotifications(ctx context.Context, ids ...string) (int, error) {
	var n int
	err := s.update(ctx, "delete notifications", func(tx *bbolt.Tx) error {
		n = 0
		for _, id := range ids {
			cur, err := getNotification(tx, id)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if err := reindex(tx, []byte(id), notifyIndexPaths(cur), nil); err != nil {
				return err
			}
			if cur.State == store.NotificationPending {
				if err := tx.Bucket(bktNotifyDue).Delete(timeKey(cur.NextAttemptAt, id)); err != nil {
					return err
				}
				if err := tx.Bucket(bktNotifyPending).Delete(timeKey(cur.CreatedAt, id)); err != nil {
					return err
				}
			}
			if err := tx.Bucket(bktNotifications).Delete([]byte(id)); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// MarkVisitorErased puts the visitor's tombstone in visitor_erasures and deletes
// its number (the site's counter stays, so the number is not given again), in one
// transaction.
func (s *Store) MarkVisitorErased(ctx context.Context, siteID, visitorID string) (bool, error) {
	if siteID == "" || visitorID == "" {
		return false, errors.New("bolt: mark visitor erased: empty site or visitor id")
	}
	var had bool
	err := s.update(ctx, "mark visitor erased", func(tx *bbolt.Tx) error {
		had = storedNumber(tx, siteID, visitorID) > 0
		if had {
			if err := tx.Bucket(bktVisitorNumbers).Bucket([]byte(siteID)).Delete([]byte(visitorID)); err != nil {
				return err
			}
		}
		top, err := tx.CreateBucketIfNotExists(bktVisitorErasures)
		if err != nil {
			return err
		}
		site, err := top.CreateBucketIfNotExists([]byte(siteID))
		if err != nil {
			return err
		}
		return site.Put([]byte(visitorID), []byte{})
	})
	if err != nil {
		return false, err
	}
	return had, nil
}

// VisitorErased reports whether the visitor has a tombstone (a read transaction).
func (s *Store) VisitorErased(ctx context.Context, siteID, visitorID string) (bool, error) {
	if siteID == "" || visitorID == "" {
		return false, errors.New("bolt: visitor erased: empty site or visitor id")
	}
	var erased bool
	err := s.view(ctx, "visitor erased", func(tx *bbolt.Tx) error {
		_, erased = getExact(bucketAt(tx, indexPath{bktVisitorErasures, []byte(siteID)}), []byte(visitorID))
		return nil
	})
	return erased, err
}
