package bolt

import (
	"encoding/binary"
	"fmt"
	"time"

	"go.etcd.io/bbolt"

	"github.com/livedesk/gateway/store"
)

// The outbox's records and indexes. Every function here runs inside the caller's
// transaction and changes the record and all of its index entries together, so a
// transaction that commits leaves them in step.
//
// Listing (ListNotifications) walks, newest first, either notifications itself or
// the narrowest leaf of these, which hold exactly the ids that match:
//
//	notify_by_site/<site>
//	notify_by_site_state/<site>/<state>
//	notify_by_state/<state>
//
// The delivery queue is two buckets that hold the pending notifications only, keyed
// by a time key followed by the id: notify_due by NextAttemptAt (soonest first),
// notify_pending by CreatedAt (oldest first).

// timeKeyLen is the length of the time part of a due or pending key.
const timeKeyLen = 12

// timeKey returns the key of id at t: the Unix seconds, sign bit flipped so that
// times before 1970 sort first, then the nanoseconds, both big-endian (so byte order
// is time order, to the nanosecond, for every time.Time), then the id.
func timeKey(t time.Time, id string) []byte {
	k := make([]byte, timeKeyLen, timeKeyLen+len(id))
	binary.BigEndian.PutUint64(k, uint64(t.Unix())^(1<<63))
	binary.BigEndian.PutUint32(k[8:], uint32(t.Nanosecond()))
	return append(k, id...)
}

// keyTime returns the time and id of a key timeKey made.
func keyTime(k []byte) (time.Time, string, error) {
	if len(k) < timeKeyLen {
		return time.Time{}, "", fmt.Errorf("short time key %x", k)
	}
	sec := int64(binary.BigEndian.Uint64(k) ^ (1 << 63))
	nsec := int64(binary.BigEndian.Uint32(k[8:]))
	return time.Unix(sec, nsec).UTC(), string(k[timeKeyLen:]), nil
}

// notifyIndexPaths returns the index leaves n belongs in (its State is never empty:
// validateNotification sees to that).
func notifyIndexPaths(n *store.Notification) []indexPath {
	site, state := []byte(n.SiteID), []byte(n.State)
	out := []indexPath{{bktNotifyByState, state}}
	if len(site) > 0 {
		out = append(out,
			indexPath{bktNotifyBySite, site},
			indexPath{bktNotifyBySiteSt, site, state})
	}
	return out
}

// notifyFilterPath picks the index leaf that holds exactly the notifications
// matching f, or nil when f filters nothing (walk notifications itself).
func notifyFilterPath(f store.NotificationFilter) indexPath {
	switch {
	case f.SiteID != "" && f.State != "":
		return indexPath{bktNotifyBySiteSt, []byte(f.SiteID), []byte(f.State)}
	case f.SiteID != "":
		return indexPath{bktNotifyBySite, []byte(f.SiteID)}
	case f.State != "":
		return indexPath{bktNotifyByState, []byte(f.State)}
	}
	return nil
}

// insertNotifications stores each of items whose ID is not stored yet (checked one
// after the other, so of two with one ID in items the first wins) and returns how
// many it stored. items must be valid (prepareNotifications).
func insertNotifications(tx *bbolt.Tx, items []*store.Notification) (int, error) {
	b := tx.Bucket(bktNotifications)
	added := 0
	for _, n := range items {
		if _, ok := getExact(b, []byte(n.ID)); ok {
			continue
		}
		if err := writeNotification(tx, nil, n); err != nil {
			return 0, err
		}
		added++
	}
	return added, nil
}

// getNotification decodes the stored notification or returns store.ErrNotFound.
func getNotification(tx *bbolt.Tx, id string) (*store.Notification, error) {
	n := new(store.Notification)
	ok, err := getJSON(tx.Bucket(bktNotifications), id, n)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("notification %q: %w", id, store.ErrNotFound)
	}
	return n, nil
}

// writeNotification stores cur and moves its index entries from where old (nil for
// a new notification) had them to where cur needs them.
func writeNotification(tx *bbolt.Tx, old, cur *store.Notification) error {
	id := []byte(cur.ID)
	if err := putJSON(tx.Bucket(bktNotifications), id, cur); err != nil {
		return err
	}
	var before []indexPath
	if old != nil {
		before = notifyIndexPaths(old)
	}
	if err := reindex(tx, id, before, notifyIndexPaths(cur)); err != nil {
		return err
	}
	due, pending := tx.Bucket(bktNotifyDue), tx.Bucket(bktNotifyPending)
	if old != nil && old.State == store.NotificationPending {
		if err := due.Delete(timeKey(old.NextAttemptAt, old.ID)); err != nil {
			return fmt.Errorf("due index: %w", err)
		}
		if err := pending.Delete(timeKey(old.CreatedAt, old.ID)); err != nil {
			return fmt.Errorf("pending index: %w", err)
		}
	}
	if cur.State == store.NotificationPending {
		if err := due.Put(timeKey(cur.NextAttemptAt, cur.ID), []byte{}); err != nil {
			return fmt.Errorf("due index: %w", err)
		}
		if err := pending.Put(timeKey(cur.CreatedAt, cur.ID), []byte{}); err != nil {
			return fmt.Errorf("pending index: %w", err)
		}
	}
	return nil
}
