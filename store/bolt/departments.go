package bolt

import (
	"context"
	"errors"
	"fmt"

	"go.etcd.io/bbolt"

	"github.com/livedesk/gateway/store"
)

// CreateDepartment stores a new department. An empty ID is filled with a new
// time-ordered one (written back to d); a taken ID, or a name the site has
// already, gets store.ErrConflict. The site need not exist (the API checks it).
func (s *Store) CreateDepartment(ctx context.Context, d *store.Department) error {
	if d == nil {
		return errors.New("bolt: create department: nil department")
	}
	if d.SiteID == "" {
		return errors.New("bolt: create department: empty site id")
	}
	rec, err := cloneJSON(d)
	if err != nil {
		return fmt.Errorf("bolt: create department: %w", err)
	}
	if rec.ID == "" {
		if rec.ID, err = newID(); err != nil {
			return err
		}
	}
	err = s.update(ctx, "create department", func(tx *bbolt.Tx) error {
		b := tx.Bucket(bktDepartments)
		if b.Get([]byte(rec.ID)) != nil {
			return fmt.Errorf("id %q taken: %w", rec.ID, store.ErrConflict)
		}
		others, err := siteDepartments(tx, rec.SiteID)
		if err != nil {
			return err
		}
		if err := store.CheckDepartmentName(rec, others); err != nil {
			return err
		}
		if err := putJSON(b, []byte(rec.ID), rec); err != nil {
			return err
		}
		return indexAdd(tx, deptIndex(rec.SiteID), []byte(rec.ID))
	})
	if err != nil {
		return err
	}
	d.ID = rec.ID
	return nil
}

// GetDepartment returns the department or store.ErrNotFound.
func (s *Store) GetDepartment(ctx context.Context, id string) (*store.Department, error) {
	var out *store.Department
	err := s.view(ctx, "get department", func(tx *bbolt.Tx) error {
		var err error
		out, err = getDepartment(tx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListDepartments returns the site's departments by position, then creation time,
// then ID (store.SortDepartments); none for an unknown site.
func (s *Store) ListDepartments(ctx context.Context, siteID string) ([]*store.Department, error) {
	var out []*store.Department
	err := s.view(ctx, "list departments", func(tx *bbolt.Tx) error {
		var err error
		out, err = siteDepartments(tx, siteID)
		return err
	})
	if err != nil {
		return nil, err
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
	err := s.update(ctx, "update department", func(tx *bbolt.Tx) error {
		cur, err := getDepartment(tx, id)
		if err != nil {
			return err
		}
		site := cur.SiteID
		if err := fn(cur); err != nil {
			return &callerError{err}
		}
		cur.ID, cur.SiteID = id, site
		others, err := siteDepartments(tx, site)
		if err != nil {
			return err
		}
		if err := store.CheckDepartmentName(cur, others); err != nil {
			return err
		}
		if out, err = cloneJSON(cur); err != nil {
			return err
		}
		return putJSON(tx.Bucket(bktDepartments), []byte(id), out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteDepartment removes the department or returns store.ErrNotFound. Its
// conversations and offline messages keep their DepartmentID.
func (s *Store) DeleteDepartment(ctx context.Context, id string) error {
	return s.update(ctx, "delete department", func(tx *bbolt.Tx) error {
		cur, err := getDepartment(tx, id)
		if err != nil {
			return err
		}
		return deleteDepartment(tx, cur)
	})
}

// deleteDepartment removes d and its index entry.
func deleteDepartment(tx *bbolt.Tx, d *store.Department) error {
	if err := tx.Bucket(bktDepartments).Delete([]byte(d.ID)); err != nil {
		return err
	}
	return indexRemove(tx, deptIndex(d.SiteID), []byte(d.ID))
}

// deleteSiteDepartments removes every department of the site (DeleteSite).
func deleteSiteDepartments(tx *bbolt.Tx, siteID string) error {
	ds, err := siteDepartments(tx, siteID)
	if err != nil {
		return err
	}
	for _, d := range ds {
		if err := deleteDepartment(tx, d); err != nil {
			return err
		}
	}
	return nil
}

// deptIndex is the index leaf that lists the site's department ids.
func deptIndex(siteID string) indexPath { return indexPath{bktDeptBySite, []byte(siteID)} }

// siteDepartments decodes the site's departments, in ID order.
func siteDepartments(tx *bbolt.Tx, siteID string) ([]*store.Department, error) {
	out := []*store.Department{}
	if siteID == "" {
		return out, nil
	}
	idx := bucketAt(tx, deptIndex(siteID))
	if idx == nil {
		return out, nil
	}
	err := idx.ForEach(func(k, _ []byte) error {
		d, err := getDepartment(tx, string(k))
		if err != nil {
			return fmt.Errorf("index %s: %w", deptIndex(siteID), err)
		}
		out = append(out, d)
		return nil
	})
	return out, err
}

// getDepartment decodes the stored department or returns store.ErrNotFound.
func getDepartment(tx *bbolt.Tx, id string) (*store.Department, error) {
	d := new(store.Department)
	ok, err := getJSON(tx.Bucket(bktDepartments), id, d)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("department %q: %w", id, store.ErrNotFound)
	}
	return d, nil
}
