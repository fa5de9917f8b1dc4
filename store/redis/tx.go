package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/livedesk/gateway/store"
)

// maxTxAttempts bounds how often an optimistic transaction runs when other clients
// keep changing its keys. Past it the operation is store.ErrUnavailable (retry
// later): under the gateway's load a record sees a handful of writers at most.
const maxTxAttempts = 100

// maxTxBackoff caps the random pause between two attempts.
const maxTxBackoff = 20 * time.Millisecond

// watch runs fn as an optimistic transaction: keys are WATCHed, fn reads what it
// needs through tx (and may WATCH more keys before reading them), then queues its
// writes with tx.TxPipelined. When a watched key changed before EXEC, fn runs
// again, so it must assign, not accumulate, whatever it hands back, and have no
// other side effects. An error fn returns ends the transaction with nothing written.
func (s *Store) watch(ctx context.Context, op string, fn func(tx *redis.Tx) error, keys ...string) error {
	if err := s.begin(ctx, op); err != nil {
		return err
	}
	for attempt := range maxTxAttempts {
		err := s.rdb.Watch(ctx, fn, keys...)
		if !errors.Is(err, redis.TxFailedErr) {
			return s.wrap(ctx, op, err)
		}
		if err := pause(ctx, attempt); err != nil {
			return s.wrap(ctx, op, err)
		}
	}
	return fmt.Errorf("redis: %s: %w: the keys kept changing (%d attempts)", op, store.ErrUnavailable, maxTxAttempts)
}

// pause sleeps a random while that grows with attempt, so clients that collided
// spread out; it returns early with the context's error.
func pause(ctx context.Context, attempt int) error {
	ceiling := min(100*time.Microsecond<<min(attempt, 10), maxTxBackoff)
	t := time.NewTimer(rand.N(ceiling) + 1)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// getJSON reads the record at key into dst; false when there is none.
func getJSON(ctx context.Context, c redis.Cmdable, key string, dst any) (bool, error) {
	data, err := c.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, decode(key, data, dst)
}

// encode returns v JSON-encoded.
func encode(v any) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, dataErr("encode", err)
	}
	return data, nil
}

// decode decodes the record stored at key into dst.
func decode[T ~string | ~[]byte](key string, data T, dst any) error {
	if err := json.Unmarshal([]byte(data), dst); err != nil {
		return dataErr(fmt.Sprintf("decode %q", key), err)
	}
	return nil
}

// newID returns a new time-ordered id (UUIDv7): ids made later sort after.
func newID() (string, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return "", fmt.Errorf("redis: new id: %w", err)
	}
	return id.String(), nil
}

// clampLimit applies a list's default and cap to a requested limit.
func clampLimit(limit, def, max int) int {
	if limit <= 0 {
		return def
	}
	return min(limit, max)
}

// putRecord writes v at key in tx's MULTI and returns the record as stored (decoded
// back from the bytes written), which an update answers with.
func putRecord[T any](ctx context.Context, tx *redis.Tx, key string, v *T) (*T, error) {
	data, err := encode(v)
	if err != nil {
		return nil, err
	}
	if _, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, key, data, 0)
		return nil
	}); err != nil {
		return nil, err
	}
	out := new(T)
	return out, decode(key, data, out)
}
