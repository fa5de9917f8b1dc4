package bolt

import (
	"bytes"
	"context"
	"fmt"

	"go.etcd.io/bbolt"

	"github.com/livedesk/gateway/store"
)

// flatPage reads up to limit records of one bucket after the key cursor, in key
// order; decode turns a key and value into a record, or skips it (false). Next is
// the last record's key when more keys follow.
func flatPage[T any](ctx context.Context, db *bbolt.DB, bkt []byte, cursor string, limit int,
	decode func(tx *bbolt.Tx, k, v []byte) (T, bool, error)) (store.Page[T], error) {
	var page store.Page[T]
	if limit <= 0 {
		return page, store.ErrBadLimit
	}
	if err := ctx.Err(); err != nil {
		return page, err
	}
	err := db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bkt)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		k, v := c.First()
		if cursor != "" {
			if k, v = c.Seek([]byte(cursor)); k != nil && string(k) == cursor {
				k, v = c.Next()
			}
		}
		var last []byte
		for ; k != nil; k, v = c.Next() {
			if len(page.Records) == limit {
				page.Next = string(last)
				return nil
			}
			rec, ok, err := decode(tx, k, v)
			if err != nil {
				return err
			}
			if ok {
				page.Records = append(page.Records, rec)
				last = append(last[:0], k...)
			}
		}
		return nil
	})
	if err != nil {
		return store.Page[T]{}, fmt.Errorf("bolt: export %s: %w", bkt, err)
	}
	return page, nil
}

// nestedPage reads up to limit records of a bucket of buckets (an outer key, as a
// site or a conversation, then the records within it) after cursor (a
// store.JoinCursor of the outer and inner keys), in key order. keep, when not nil,
// says which outer keys to read; decode turns a record's keys and value into it.
func nestedPage[T any](ctx context.Context, db *bbolt.DB, bkt []byte, cursor string, limit int,
	keep func(tx *bbolt.Tx, outer []byte) bool, decode func(outer, k, v []byte) (T, error)) (store.Page[T], error) {
	var page store.Page[T]
	if limit <= 0 {
		return page, store.ErrBadLimit
	}
	if err := ctx.Err(); err != nil {
		return page, err
	}
	curOuter, curInner, err := store.SplitCursor(cursor)
	if err != nil {
		return page, err
	}
	err = db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bkt)
		if b == nil {
			return nil
		}
		oc := b.Cursor()
		ok, ov := oc.First()
		if cursor != "" {
			ok, ov = oc.Seek([]byte(curOuter))
		}
		for ; ok != nil; ok, ov = oc.Next() {
			if ov != nil || (keep != nil && !keep(tx, ok)) {
				continue
			}
			ic := b.Bucket(ok).Cursor()
			k, v := ic.First()
			if cursor != "" && bytes.Equal(ok, []byte(curOuter)) {
				if k, v = ic.Seek([]byte(curInner)); k != nil && string(k) == curInner {
					k, v = ic.Next()
				}
			}
			for ; k != nil; k, v = ic.Next() {
				if len(page.Records) == limit {
					return nil
				}
				rec, err := decode(ok, k, v)
				if err != nil {
					return err
				}
				page.Records = append(page.Records, rec)
				page.Next = store.JoinCursor(string(ok), string(k))
			}
		}
		if len(page.Records) < limit {
			page.Next = ""
		}
		return nil
	})
	if err != nil {
		return store.Page[T]{}, fmt.Errorf("bolt: export %s: %w", bkt, err)
	}
	return page, nil
}
