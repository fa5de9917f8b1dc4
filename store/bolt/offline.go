package bolt

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"go.etcd.io/bbolt"

	"github.com/livedesk/gateway/store"
)

// Limits of ListOfflineMessages.
const (
	defaultOfflineLimit = 50
	maxOfflineLimit     = 500
)

// AddOfflineMessage stores an offline message under its site, in state new. An
// empty ID is filled with a new time-ordered one and a zero CreatedAt with the
// current UTC time; m itself is not changed. When the same visitor of the same site already left one with
// the same non-empty ClientID, that one is returned with duplicate true and nothing is
// written. A given ID that the site holds already gets store.ErrConflict. The
// notifications in notes are added (as AddNotifications does) in the same transaction
// as the message, and not at all for a duplicate; an invalid one fails the call
// before anything is written.
func (s *Store) AddOfflineMessage(ctx context.Context, m *store.OfflineMessage, notes ...*store.Notification) (*store.OfflineMessage, bool, error) {
	if m == nil {
		return nil, false, errors.New("bolt: add offline message: nil message")
	}
	if m.SiteID == "" {
		return nil, false, errors.New("bolt: add offline message: empty site id")
	}
	rec, err := cloneJSON(m)
	if err != nil {
		return nil, false, fmt.Errorf("bolt: add offline message: %w", err)
	}
	if rec.ID == "" {
		if rec.ID, err = newID(); err != nil {
			return nil, false, err
		}
	}
	if rec.CreatedAt.IsZero() {
		rec.CreatedAt = time.Now().UTC()
	}
	rec.State = store.OfflineNew
	outbox, err := store.NotificationRecords(notes)
	if err != nil {
		return nil, false, fmt.Errorf("bolt: add offline message: %w", err)
	}
	var (
		out *store.OfflineMessage
		dup bool
	)
	err = s.update(ctx, "add offline message", func(tx *bbolt.Tx) error {
		out, dup = nil, false
		cids := tx.Bucket(bktOfflineClientIDs)
		cidKey := offlineClientKey(rec)
		if cidKey != nil {
			if id := cids.Get(cidKey); id != nil {
				stored := new(store.OfflineMessage)
				ok, err := getJSON(tx.Bucket(bktOffline).Bucket([]byte(rec.SiteID)), string(id), stored)
				if err != nil {
					return err
				}
				if !ok {
					return fmt.Errorf("client id %q names missing offline message %q", rec.ClientID, id)
				}
				stored.FillState()
				out, dup = stored, true
				return nil
			}
		}
		b, err := tx.Bucket(bktOffline).CreateBucketIfNotExists([]byte(rec.SiteID))
		if err != nil {
			return err
		}
		if b.Get([]byte(rec.ID)) != nil {
			return fmt.Errorf("id %q taken: %w", rec.ID, store.ErrConflict)
		}
		if err := putJSON(b, []byte(rec.ID), rec); err != nil {
			return err
		}
		if cidKey != nil {
			if err := cids.Put(cidKey, []byte(rec.ID)); err != nil {
				return err
			}
		}
		if _, err := insertNotifications(tx, outbox); err != nil {
			return err
		}
		out = rec
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	return out, dup, nil
}

// ListOfflineMessages returns up to limit offline messages of the site whose ID sorts
// after `after` (all when empty), oldest first. limit <= 0 means 50; more than 500
// means 500. An unknown site has none.
func (s *Store) ListOfflineMessages(ctx context.Context, siteID, after string, limit int) ([]*store.OfflineMessage, error) {
	return s.ListOfflineByState(ctx, siteID, "", after, limit)
}

// offlineClientKey is the dedupe key of m: site, visitor and client id, each
// length-prefixed so no id can run into the next. nil when m has no ClientID.
func offlineClientKey(m *store.OfflineMessage) []byte {
	if m.ClientID == "" {
		return nil
	}
	var k []byte
	for _, part := range []string{m.SiteID, m.VisitorID} {
		k = binary.AppendUvarint(k, uint64(len(part)))
		k = append(k, part...)
	}
	return append(k, m.ClientID...)
}
