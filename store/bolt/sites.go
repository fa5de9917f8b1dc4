package bolt

import (
	"context"
	"errors"
	"fmt"

	"go.etcd.io/bbolt"

	"github.com/livedesk/gateway/store"
)

// CreateSite stores a new site. An empty ID is filled with a new time-ordered one
// (written back to site); an ID that exists already gets store.ErrConflict.
func (s *Store) CreateSite(ctx context.Context, site *store.Site) error {
	if site == nil {
		return errors.New("bolt: create site: nil site")
	}
	rec, err := cloneJSON(site)
	if err != nil {
		return fmt.Errorf("bolt: create site: %w", err)
	}
	if rec.ID == "" {
		if rec.ID, err = newID(); err != nil {
			return err
		}
	}
	err = s.update(ctx, "create site", func(tx *bbolt.Tx) error {
		b := tx.Bucket(bktSites)
		if b.Get([]byte(rec.ID)) != nil {
			return fmt.Errorf("id %q taken: %w", rec.ID, store.ErrConflict)
		}
		return putJSON(b, []byte(rec.ID), rec)
	})
	if err != nil {
		return err
	}
	site.ID = rec.ID
	return nil
}

// GetSite returns the site or store.ErrNotFound.
func (s *Store) GetSite(ctx context.Context, id string) (*store.Site, error) {
	var out *store.Site
	err := s.view(ctx, "get site", func(tx *bbolt.Tx) error {
		var err error
		out, err = getSite(tx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListSites returns every site, ordered by ID.
func (s *Store) ListSites(ctx context.Context) ([]*store.Site, error) {
	var out []*store.Site
	err := s.view(ctx, "list sites", func(tx *bbolt.Tx) error {
		var err error
		out, err = decodeAll[store.Site](tx.Bucket(bktSites))
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateSite applies fn to the stored site and stores the result atomically. fn may
// run more than once; an error from it is returned as is and nothing is written. A
// changed ID is put back: a site keeps its ID.
func (s *Store) UpdateSite(ctx context.Context, id string, fn func(*store.Site) error) (*store.Site, error) {
	var out *store.Site
	err := s.update(ctx, "update site", func(tx *bbolt.Tx) error {
		cur, err := getSite(tx, id)
		if err != nil {
			return err
		}
		if err := fn(cur); err != nil {
			return &callerError{err}
		}
		cur.ID = id
		if out, err = cloneJSON(cur); err != nil {
			return err
		}
		return putJSON(tx.Bucket(bktSites), []byte(id), out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteSite removes the site and its departments, in one transaction, or returns
// store.ErrNotFound. Its conversations and offline messages stay.
func (s *Store) DeleteSite(ctx context.Context, id string) error {
	return s.update(ctx, "delete site", func(tx *bbolt.Tx) error {
		b := tx.Bucket(bktSites)
		if id == "" || b.Get([]byte(id)) == nil {
			return fmt.Errorf("site %q: %w", id, store.ErrNotFound)
		}
		if err := deleteSiteDepartments(tx, id); err != nil {
			return err
		}
		return b.Delete([]byte(id))
	})
}

// getSite decodes the stored site or returns store.ErrNotFound.
func getSite(tx *bbolt.Tx, id string) (*store.Site, error) {
	site := new(store.Site)
	ok, err := getJSON(tx.Bucket(bktSites), id, site)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("site %q: %w", id, store.ErrNotFound)
	}
	return site, nil
}
