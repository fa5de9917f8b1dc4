package bolt

import (
	"context"
	"encoding/binary"
	"errors"

	"go.etcd.io/bbolt"
)

// bktVisitorNumbers holds, per site, a bucket of visitor id -> big-endian uint64
// number; the site bucket's sequence is the last number given.
var bktVisitorNumbers = []byte("visitor_numbers")

// VisitorNumber returns the visitor's number on the site, allocating the site's
// next one in a write transaction the first time. A visitor that has its number
// costs a read transaction only.
func (s *Store) VisitorNumber(ctx context.Context, siteID, visitorID string) (int64, error) {
	if siteID == "" || visitorID == "" {
		return 0, errors.New("bolt: visitor number: empty site or visitor id")
	}
	var n int64
	err := s.view(ctx, "visitor number", func(tx *bbolt.Tx) error {
		n = storedNumber(tx, siteID, visitorID)
		return nil
	})
	if err != nil || n > 0 {
		return n, err
	}
	err = s.update(ctx, "visitor number", func(tx *bbolt.Tx) error {
		if n = storedNumber(tx, siteID, visitorID); n > 0 {
			return nil // another write gave it first
		}
		site, err := tx.Bucket(bktVisitorNumbers).CreateBucketIfNotExists([]byte(siteID))
		if err != nil {
			return err
		}
		next, err := site.NextSequence()
		if err != nil {
			return err
		}
		n = int64(next)
		return site.Put([]byte(visitorID), binary.BigEndian.AppendUint64(nil, next))
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// storedNumber is the visitor's number in tx, 0 when it has none yet.
func storedNumber(tx *bbolt.Tx, siteID, visitorID string) int64 {
	site := tx.Bucket(bktVisitorNumbers).Bucket([]byte(siteID))
	if site == nil {
		return 0
	}
	v := site.Get([]byte(visitorID))
	if len(v) != 8 {
		return 0
	}
	return int64(binary.BigEndian.Uint64(v))
}
