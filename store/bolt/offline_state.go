package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"go.etcd.io/bbolt"

	"github.com/livedesk/gateway/store"
)

// The offline state index holds the ids of a site's offline messages that are read
// or done, one leaf per state (value empty):
//
//	offline_by_state/<site>/<state>
//
// New messages are not indexed: a site's new ones are all the others, so records
// written before states existed (which have no index entry) are new without any
// migration.

// offlineHandled are the indexed states.
var offlineHandled = []string{store.OfflineRead, store.OfflineDone}

// offlineIndexPaths returns the index leaves m belongs in (none while it is new).
func offlineIndexPaths(m *store.OfflineMessage) []indexPath {
	if m.State == store.OfflineNew || m.State == "" {
		return nil
	}
	return []indexPath{{bktOfflineByState, []byte(m.SiteID), []byte(m.State)}}
}

// offlineHandledBucket returns the index leaf of a site's state, nil when empty.
func offlineHandledBucket(tx *bbolt.Tx, siteID, state string) *bbolt.Bucket {
	return bucketAt(tx, indexPath{bktOfflineByState, []byte(siteID), []byte(state)})
}

// ListOfflineByState returns up to limit offline messages of the site in state
// (every state when empty) whose ID sorts after `after`, oldest first. limit <= 0
// means 50; more than 500 means 500. An unknown site has none; an unknown state is
// an error.
func (s *Store) ListOfflineByState(ctx context.Context, siteID, state, after string, limit int) ([]*store.OfflineMessage, error) {
	if state != "" && !store.ValidOfflineState(state) {
		return nil, fmt.Errorf("bolt: list offline messages: unknown state %q", state)
	}
	limit = clampLimit(limit, defaultOfflineLimit, maxOfflineLimit)
	out := []*store.OfflineMessage{}
	err := s.view(ctx, "list offline messages", func(tx *bbolt.Tx) error {
		if siteID == "" {
			return nil
		}
		recs := tx.Bucket(bktOffline).Bucket([]byte(siteID))
		if recs == nil {
			return nil
		}
		// Walk the records themselves, or for a handled state its index leaf.
		walk, skip := recs, []*bbolt.Bucket(nil)
		switch state {
		case store.OfflineNew:
			for _, st := range offlineHandled {
				skip = append(skip, offlineHandledBucket(tx, siteID, st))
			}
		case store.OfflineRead, store.OfflineDone:
			if walk = offlineHandledBucket(tx, siteID, state); walk == nil {
				return nil
			}
		}
		c := walk.Cursor()
		k, _ := c.First()
		if after != "" {
			if k, _ = c.Seek([]byte(after)); k != nil && bytes.Equal(k, []byte(after)) {
				k, _ = c.Next()
			}
		}
		for ; k != nil && len(out) < limit; k, _ = c.Next() {
			if inAny(skip, k) {
				continue
			}
			v := recs.Get(k)
			if v == nil {
				return fmt.Errorf("offline state index names missing message %q", k)
			}
			m := new(store.OfflineMessage)
			if err := json.Unmarshal(v, m); err != nil {
				return fmt.Errorf("decode offline message %q: %w", k, err)
			}
			m.FillState()
			out = append(out, m)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// inAny reports whether one of the buckets (nil ones skipped) holds key.
func inAny(bs []*bbolt.Bucket, key []byte) bool {
	for _, b := range bs {
		if _, ok := getExact(b, key); ok {
			return true
		}
	}
	return false
}

// SetOfflineState moves the site's offline message id to state, keeping the state
// index in step, and returns it; changed false (nothing written) when it was in that
// state already. store.ErrNotFound when the site holds no such message; an unknown
// state is an error and writes nothing.
func (s *Store) SetOfflineState(ctx context.Context, siteID, id, state string) (*store.OfflineMessage, bool, error) {
	if !store.ValidOfflineState(state) {
		return nil, false, fmt.Errorf("bolt: set offline state: unknown state %q", state)
	}
	var (
		out     *store.OfflineMessage
		changed bool
	)
	err := s.update(ctx, "set offline state", func(tx *bbolt.Tx) error {
		out, changed = nil, false
		recs := tx.Bucket(bktOffline).Bucket([]byte(siteID))
		m := new(store.OfflineMessage)
		found, err := getJSON(recs, id, m)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("offline message %q of site %q: %w", id, siteID, store.ErrNotFound)
		}
		m.FillState()
		if m.State == state {
			out = m
			return nil
		}
		before := offlineIndexPaths(m)
		m.State = state
		if err := reindex(tx, []byte(id), before, offlineIndexPaths(m)); err != nil {
			return err
		}
		if err := putJSON(recs, []byte(id), m); err != nil {
			return err
		}
		out, changed = m, true
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	return out, changed, nil
}

// CountOffline counts the site's offline messages by state: the read and done ones
// from their index leaves, the new ones as all the others.
func (s *Store) CountOffline(ctx context.Context, siteID string) (store.OfflineCounts, error) {
	var out store.OfflineCounts
	err := s.view(ctx, "count offline messages", func(tx *bbolt.Tx) error {
		out = store.OfflineCounts{}
		if siteID == "" {
			return nil
		}
		total := countKeys(tx.Bucket(bktOffline).Bucket([]byte(siteID)))
		out.Read = countKeys(offlineHandledBucket(tx, siteID, store.OfflineRead))
		out.Done = countKeys(offlineHandledBucket(tx, siteID, store.OfflineDone))
		out.New = total - out.Read - out.Done
		return nil
	})
	return out, err
}

// countKeys counts the keys of b (none when nil).
func countKeys(b *bbolt.Bucket) int {
	if b == nil {
		return 0
	}
	n := 0
	c := b.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		n++
	}
	return n
}
