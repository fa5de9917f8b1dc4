package redisstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/livedesk/gateway/store"
)

// GetSetting returns a setting's value or store.ErrNotFound.
func (s *Store) GetSetting(ctx context.Context, key string) ([]byte, error) {
	const op = "get setting"
	if err := s.begin(ctx, op); err != nil {
		return nil, err
	}
	v, err := s.rdb.Get(ctx, s.k.setting(key)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, s.wrap(ctx, op, fmt.Errorf("setting %q: %w", key, store.ErrNotFound))
	}
	if err != nil {
		return nil, s.wrap(ctx, op, err)
	}
	return nonNil(v), nil
}

// PutSetting stores a setting, replacing any previous value.
func (s *Store) PutSetting(ctx context.Context, key string, value []byte) error {
	const op = "put setting"
	if key == "" {
		return errors.New("redis: put setting: empty key")
	}
	if err := s.begin(ctx, op); err != nil {
		return err
	}
	return s.wrap(ctx, op, s.rdb.Set(ctx, s.k.setting(key), nonNil(value), 0).Err())
}

// PutSettingIfAbsent stores value unless the key exists, and returns the value
// stored afterwards: the first one written wins. SETNX and GET run in one MULTI, so
// the value returned is the one stored, whoever wrote it.
func (s *Store) PutSettingIfAbsent(ctx context.Context, key string, value []byte) ([]byte, error) {
	const op = "put setting if absent"
	if key == "" {
		return nil, errors.New("redis: put setting if absent: empty key")
	}
	if err := s.begin(ctx, op); err != nil {
		return nil, err
	}
	var got *redis.StringCmd
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.SetNX(ctx, s.k.setting(key), nonNil(value), 0)
		got = p.Get(ctx, s.k.setting(key))
		return nil
	})
	if err != nil {
		return nil, s.wrap(ctx, op, err)
	}
	v, err := got.Bytes()
	if err != nil {
		return nil, s.wrap(ctx, op, err)
	}
	return nonNil(v), nil
}

// nonNil returns b, or an empty slice for nil: an empty value is a value.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
