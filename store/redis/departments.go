package redisstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/livedesk/gateway/store"
)

// Every department write is an optimistic transaction that WATCHes the site's
// index of departments and each of their records before reading them, so two
// writes to the departments of one site never both pass the name check: the
// second one's EXEC fails and it runs again with the first one's result in view.

// CreateDepartment stores a new department. An empty ID is filled with a new
// time-ordered one (written back to d); a taken ID, or a name the site has
// already, gets store.ErrConflict. The site need not exist (the API checks it).
func (s *Store) CreateDepartment(ctx context.Context, d *store.Department) error {
	const op = "create department"
	if d == nil {
		return errors.New("redis: create department: nil department")
	}
	if d.SiteID == "" {
		return errors.New("redis: create department: empty site id")
	}
	rec := *d // only encoded: a shallow copy will do
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
	key, index := s.k.dept(rec.ID), s.k.deptSite(rec.SiteID)
	err = s.watch(ctx, op, func(tx *redis.Tx) error {
		n, err := tx.Exists(ctx, key).Result()
		if err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("id %q taken: %w", rec.ID, store.ErrConflict)
		}
		others, err := s.watchSiteDepartments(ctx, tx, rec.SiteID)
		if err != nil {
			return err
		}
		if err := store.CheckDepartmentName(&rec, others); err != nil {
			return err
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, key, data, 0)
			p.ZAdd(ctx, index, redis.Z{Member: rec.ID})
			return nil
		})
		return err
	}, key, index)
	if err != nil {
		return err
	}
	d.ID = rec.ID
	return nil
}

// GetDepartment returns the department or store.ErrNotFound.
func (s *Store) GetDepartment(ctx context.Context, id string) (*store.Department, error) {
	const op = "get department"
	if err := s.begin(ctx, op); err != nil {
		return nil, err
	}
	d, err := getDepartment(ctx, s.rdb, s.k, id)
	if err != nil {
		return nil, s.wrap(ctx, op, err)
	}
	return d, nil
}

// ListDepartments returns the site's departments by position, then creation time,
// then ID (store.SortDepartments); none for an unknown site.
func (s *Store) ListDepartments(ctx context.Context, siteID string) ([]*store.Department, error) {
	const op = "list departments"
	if err := s.begin(ctx, op); err != nil {
		return nil, err
	}
	out, err := listAll[store.Department](ctx, s.rdb, s.k.deptSite(siteID), s.k.dept)
	if err != nil {
		return nil, s.wrap(ctx, op, err)
	}
	store.SortDepartments(out)
	return out, nil
}

// UpdateDepartment applies fn to the stored department and stores the result
// atomically. fn may run more than once; an error from it is returned as is and
// nothing is written. A changed ID or SiteID is put back; a name another
// department of the site has gets store.ErrConflict.
func (s *Store) UpdateDepartment(ctx context.Context, id string, fn func(*store.Department) error) (*store.Department, error) {
	var out *store.Department
	key := s.k.dept(id)
	err := s.watch(ctx, "update department", func(tx *redis.Tx) error {
		out = nil
		cur, err := getDepartment(ctx, tx, s.k, id)
		if err != nil {
			return err
		}
		site := cur.SiteID
		if err := tx.Watch(ctx, s.k.deptSite(site)).Err(); err != nil {
			return err
		}
		if err := fn(cur); err != nil {
			return &callerError{err}
		}
		cur.ID, cur.SiteID = id, site
		others, err := s.watchSiteDepartments(ctx, tx, site)
		if err != nil {
			return err
		}
		if err := store.CheckDepartmentName(cur, others); err != nil {
			return err
		}
		out, err = putRecord(ctx, tx, key, cur)
		return err
	}, key)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteDepartment removes the department or returns store.ErrNotFound. Its
// conversations and offline messages keep their DepartmentID.
func (s *Store) DeleteDepartment(ctx context.Context, id string) error {
	key := s.k.dept(id)
	return s.watch(ctx, "delete department", func(tx *redis.Tx) error {
		cur, err := getDepartment(ctx, tx, s.k, id)
		if err != nil {
			return err
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Del(ctx, key)
			p.ZRem(ctx, s.k.deptSite(cur.SiteID), id)
			return nil
		})
		return err
	}, key)
}

// watchSiteDepartments WATCHes every department record of the site (the caller
// watches its index, and before reading it) and reads them.
func (s *Store) watchSiteDepartments(ctx context.Context, tx *redis.Tx, siteID string) ([]*store.Department, error) {
	ids, err := tx.ZRange(ctx, s.k.deptSite(siteID), 0, -1).Result()
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = s.k.dept(id)
	}
	if err := tx.Watch(ctx, names...).Err(); err != nil {
		return nil, err
	}
	return listAll[store.Department](ctx, tx, s.k.deptSite(siteID), s.k.dept)
}

// getDepartment reads the stored department or returns store.ErrNotFound.
func getDepartment(ctx context.Context, c redis.Cmdable, k keys, id string) (*store.Department, error) {
	d := new(store.Department)
	ok, err := getJSON(ctx, c, k.dept(id), d)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("department %q: %w", id, store.ErrNotFound)
	}
	return d, nil
}
