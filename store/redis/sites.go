package redisstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/livedesk/gateway/store"
)

// CreateSite stores a new site. An empty ID is filled with a new time-ordered one
// (written back to site); an ID that exists already gets store.ErrConflict.
func (s *Store) CreateSite(ctx context.Context, site *store.Site) error {
	const op = "create site"
	if site == nil {
		return errors.New("redis: create site: nil site")
	}
	if err := s.begin(ctx, op); err != nil {
		return err
	}
	rec := *site // only encoded: a shallow copy will do
	if rec.ID == "" {
		var err error
		if rec.ID, err = newID(); err != nil {
			return err
		}
	}
	data, err := encode(&rec)
	if err != nil {
		return s.wrap(ctx, op, err)
	}
	created, err := createScript.Run(ctx, s.rdb, []string{s.k.site(rec.ID), s.k.sites()}, data, rec.ID).Int()
	if err != nil {
		return s.wrap(ctx, op, err)
	}
	if created == 0 {
		return s.wrap(ctx, op, fmt.Errorf("id %q taken: %w", rec.ID, store.ErrConflict))
	}
	site.ID = rec.ID
	return nil
}

// GetSite returns the site or store.ErrNotFound.
func (s *Store) GetSite(ctx context.Context, id string) (*store.Site, error) {
	const op = "get site"
	if err := s.begin(ctx, op); err != nil {
		return nil, err
	}
	site, err := getSite(ctx, s.rdb, s.k, id)
	if err != nil {
		return nil, s.wrap(ctx, op, err)
	}
	return site, nil
}

// ListSites returns every site, ordered by ID.
func (s *Store) ListSites(ctx context.Context) ([]*store.Site, error) {
	const op = "list sites"
	if err := s.begin(ctx, op); err != nil {
		return nil, err
	}
	out, err := listAll[store.Site](ctx, s.rdb, s.k.sites(), s.k.site)
	if err != nil {
		return nil, s.wrap(ctx, op, err)
	}
	return out, nil
}

// UpdateSite applies fn to the stored site and stores the result atomically. fn may
// run more than once; an error from it is returned as is and nothing is written. A
// changed ID is put back: a site keeps its ID.
func (s *Store) UpdateSite(ctx context.Context, id string, fn func(*store.Site) error) (*store.Site, error) {
	var out *store.Site
	key := s.k.site(id)
	err := s.watch(ctx, "update site", func(tx *redis.Tx) error {
		out = nil
		cur, err := getSite(ctx, tx, s.k, id)
		if err != nil {
			return err
		}
		if err := fn(cur); err != nil {
			return &callerError{err}
		}
		cur.ID = id
		out, err = putRecord(ctx, tx, key, cur)
		return err
	}, key)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteSite removes the site and its departments, in one transaction, or returns
// store.ErrNotFound. Its conversations and offline messages stay.
func (s *Store) DeleteSite(ctx context.Context, id string) error {
	key, index := s.k.site(id), s.k.deptSite(id)
	return s.watch(ctx, "delete site", func(tx *redis.Tx) error {
		n, err := tx.Exists(ctx, key).Result()
		if err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("site %q: %w", id, store.ErrNotFound)
		}
		depts, err := tx.ZRange(ctx, index, 0, -1).Result()
		if err != nil {
			return err
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Del(ctx, key, index)
			p.ZRem(ctx, s.k.sites(), id)
			for _, d := range depts {
				p.Del(ctx, s.k.dept(d))
			}
			return nil
		})
		return err
	}, key, index)
}

// getSite reads the stored site or returns store.ErrNotFound.
func getSite(ctx context.Context, c redis.Cmdable, k keys, id string) (*store.Site, error) {
	site := new(store.Site)
	ok, err := getJSON(ctx, c, k.site(id), site)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("site %q: %w", id, store.ErrNotFound)
	}
	return site, nil
}

// listAll returns the records listed in the sorted set index, in id order. A record
// removed between reading the index and reading the records is left out.
func listAll[T any](ctx context.Context, c redis.Cmdable, index string, key func(id string) string) ([]*T, error) {
	out := []*T{}
	ids, err := c.ZRange(ctx, index, 0, -1).Result()
	if err != nil || len(ids) == 0 {
		return out, err
	}
	const batch = 500 // ids per MGET
	for len(ids) > 0 {
		part := ids[:min(batch, len(ids))]
		ids = ids[len(part):]
		names := make([]string, len(part))
		for i, id := range part {
			names[i] = key(id)
		}
		vals, err := c.MGet(ctx, names...).Result()
		if err != nil {
			return nil, err
		}
		for i, v := range vals {
			data, ok := v.(string)
			if !ok {
				continue // deleted meanwhile
			}
			rec := new(T)
			if err := decode(names[i], data, rec); err != nil {
				return nil, err
			}
			out = append(out, rec)
		}
	}
	return out, nil
}
