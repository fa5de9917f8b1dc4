package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/livedesk/gateway/store"
)

// callerError carries an error returned by a caller's update function through the
// committer and bbolt, so it comes back exactly as the caller returned it.
type callerError struct{ err error }

func (e *callerError) Error() string { return e.err.Error() }

// view runs fn in a read transaction. Errors are wrapped with op.
func (s *Store) view(ctx context.Context, op string, fn func(*bbolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("bolt: %s: %w", op, err)
	}
	return wrapTxErr(op, s.db.View(fn))
}

// update runs fn in a write transaction that commits (with fsync) before update
// returns. Concurrent updates share a transaction (see commit.go), so fn may run more
// than once and must assign, not accumulate, whatever it hands back. An error fn
// returns aborts all of its writes. Errors are wrapped with op, except a
// callerError, which comes back as the caller's own error.
func (s *Store) update(ctx context.Context, op string, fn func(*bbolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("bolt: %s: %w", op, err)
	}
	w := &write{fn: fn, done: make(chan error, 1)}
	select {
	case s.writes <- w:
	case <-ctx.Done(): // not handed over: nothing of it will be written
		return fmt.Errorf("bolt: %s: %w", op, ctx.Err())
	case <-s.closing:
		return fmt.Errorf("bolt: %s: %w: store closed", op, store.ErrUnavailable)
	}
	err := <-w.done
	if err == errTrySolo {
		err = s.db.Update(fn)
	}
	return wrapTxErr(op, err)
}

func wrapTxErr(op string, err error) error {
	if err == nil {
		return nil
	}
	var ce *callerError
	if errors.As(err, &ce) {
		return ce.err
	}
	if errors.Is(err, berrors.ErrDatabaseNotOpen) {
		return fmt.Errorf("bolt: %s: %w: %w", op, store.ErrUnavailable, err)
	}
	return fmt.Errorf("bolt: %s: %w", op, err)
}

// newID returns a new time-ordered id (UUIDv7): ids made later sort after.
func newID() (string, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return "", fmt.Errorf("bolt: new id: %w", err)
	}
	return id.String(), nil
}

// getExact returns the value stored under key in b and whether the key exists. It
// also finds a key whose value is empty, which Get may report as nil (missing).
func getExact(b *bbolt.Bucket, key []byte) ([]byte, bool) {
	if b == nil || len(key) == 0 {
		return nil, false
	}
	k, v := b.Cursor().Seek(key)
	if k == nil || !bytes.Equal(k, key) {
		return nil, false
	}
	return v, true
}

// getJSON decodes the record under key into dst; false when there is none.
func getJSON(b *bbolt.Bucket, key string, dst any) (bool, error) {
	if b == nil || key == "" {
		return false, nil
	}
	v := b.Get([]byte(key))
	if v == nil {
		return false, nil
	}
	if err := json.Unmarshal(v, dst); err != nil {
		return true, fmt.Errorf("decode record %q: %w", key, err)
	}
	return true, nil
}

// putJSON stores v JSON-encoded under key.
func putJSON(b *bbolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %q: %w", key, err)
	}
	if err := b.Put(key, data); err != nil {
		return fmt.Errorf("put %q: %w", key, err)
	}
	return nil
}

// decodeAll decodes every record of b, in key order.
func decodeAll[T any](b *bbolt.Bucket) ([]*T, error) {
	out := []*T{}
	err := b.ForEach(func(k, v []byte) error {
		if v == nil { // a nested bucket: not a record
			return nil
		}
		rec := new(T)
		if err := json.Unmarshal(v, rec); err != nil {
			return fmt.Errorf("decode %q: %w", k, err)
		}
		out = append(out, rec)
		return nil
	})
	return out, err
}

// seqKey is the big-endian key of a message sequence number, so key order is
// numeric order.
func seqKey(seq int64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], uint64(seq))
	return k[:]
}

// clampLimit applies a list's default and cap to a requested limit.
func clampLimit(limit, def, max int) int {
	if limit <= 0 {
		return def
	}
	if limit > max {
		return max
	}
	return limit
}

// cloneJSON returns a deep copy of v made through its JSON form, which is exactly
// what a round trip through the store keeps.
func cloneJSON[T any](v *T) (*T, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	out := new(T)
	if err := json.Unmarshal(data, out); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	return out, nil
}
