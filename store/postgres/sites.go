package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/livedesk/gateway/store"
)

// CreateSite stores a new site; an empty ID is filled with a new one, a taken one
// gets store.ErrConflict.
func (s *Store) CreateSite(ctx context.Context, site *store.Site) error {
	if site == nil {
		return errors.New("postgres: create site: nil site")
	}
	rec, err := cloneJSON(site)
	if err != nil {
		return fmt.Errorf("postgres: create site: %w", err)
	}
	if rec.ID == "" {
		if rec.ID, err = newID(); err != nil {
			return err
		}
	}
	data, err := encode(rec)
	if err != nil {
		return fmt.Errorf("postgres: create site: %w", err)
	}
	err = s.tx(ctx, "create site", func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO sites (id, data) VALUES ($1, $2)", rec.ID, data)
		return err
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
	err := s.read(ctx, "get site", func(tx pgx.Tx) error {
		var err error
		out, err = getOne[store.Site](ctx, tx, fmt.Sprintf("site %q", id), "SELECT data FROM sites WHERE id = $1", id)
		return err
	})
	return out, err
}

// ListSites returns every site, ordered by ID.
func (s *Store) ListSites(ctx context.Context) ([]*store.Site, error) {
	var out []*store.Site
	err := s.read(ctx, "list sites", func(tx pgx.Tx) error {
		var err error
		out, err = getAll[store.Site](ctx, tx, "SELECT data FROM sites ORDER BY id")
		return err
	})
	return out, err
}

// UpdateSite applies fn to the stored site (locked for the transaction) and
// stores the result; the ID cannot change.
func (s *Store) UpdateSite(ctx context.Context, id string, fn func(*store.Site) error) (*store.Site, error) {
	var out *store.Site
	err := s.tx(ctx, "update site", func(tx pgx.Tx) error {
		cur, err := getOne[store.Site](ctx, tx, fmt.Sprintf("site %q", id), "SELECT data FROM sites WHERE id = $1 FOR UPDATE", id)
		if err != nil {
			return err
		}
		if err := fn(cur); err != nil {
			return &callerError{err}
		}
		cur.ID = id
		data, err := encode(cur)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE sites SET data = $2 WHERE id = $1", id, data); err != nil {
			return err
		}
		out, err = decode[store.Site](data)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteSite removes the site and its departments, or returns store.ErrNotFound.
func (s *Store) DeleteSite(ctx context.Context, id string) error {
	return s.tx(ctx, "delete site", func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "DELETE FROM sites WHERE id = $1", id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("site %q: %w", id, store.ErrNotFound)
		}
		_, err = tx.Exec(ctx, "DELETE FROM departments WHERE site_id = $1", id)
		return err
	})
}
