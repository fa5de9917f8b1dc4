package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/livedesk/gateway/store"
)

// CreateDepartment stores a new department. An empty ID is filled in; a taken ID,
// or a name its site has already, gets store.ErrConflict (the unique key on the
// site and the name's key holds that against concurrent writers too).
func (s *Store) CreateDepartment(ctx context.Context, d *store.Department) error {
	if d == nil {
		return errors.New("postgres: create department: nil department")
	}
	if d.SiteID == "" {
		return errors.New("postgres: create department: empty site id")
	}
	rec, err := cloneJSON(d)
	if err != nil {
		return fmt.Errorf("postgres: create department: %w", err)
	}
	if rec.ID == "" {
		if rec.ID, err = newID(); err != nil {
			return err
		}
	}
	data, err := encode(rec)
	if err != nil {
		return fmt.Errorf("postgres: create department: %w", err)
	}
	err = s.tx(ctx, "create department", func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO departments (id, site_id, name_key, data) VALUES ($1, $2, $3, $4)",
			rec.ID, rec.SiteID, store.DepartmentNameKey(rec.Name), data)
		return err
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
	err := s.read(ctx, "get department", func(tx pgx.Tx) error {
		var err error
		out, err = getOne[store.Department](ctx, tx, fmt.Sprintf("department %q", id),
			"SELECT data FROM departments WHERE id = $1", id)
		return err
	})
	return out, err
}

// ListDepartments returns the site's departments in store.SortDepartments' order.
func (s *Store) ListDepartments(ctx context.Context, siteID string) ([]*store.Department, error) {
	var out []*store.Department
	err := s.read(ctx, "list departments", func(tx pgx.Tx) error {
		var err error
		out, err = getAll[store.Department](ctx, tx, "SELECT data FROM departments WHERE site_id = $1", siteID)
		return err
	})
	if err != nil {
		return nil, err
	}
	store.SortDepartments(out)
	return out, nil
}

// UpdateDepartment applies fn atomically; ID and SiteID cannot change, and a name
// another department of the site has gets store.ErrConflict.
func (s *Store) UpdateDepartment(ctx context.Context, id string, fn func(*store.Department) error) (*store.Department, error) {
	var out *store.Department
	err := s.tx(ctx, "update department", func(tx pgx.Tx) error {
		cur, err := getOne[store.Department](ctx, tx, fmt.Sprintf("department %q", id),
			"SELECT data FROM departments WHERE id = $1 FOR UPDATE", id)
		if err != nil {
			return err
		}
		site := cur.SiteID
		if err := fn(cur); err != nil {
			return &callerError{err}
		}
		cur.ID, cur.SiteID = id, site
		data, err := encode(cur)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "UPDATE departments SET name_key = $2, data = $3 WHERE id = $1",
			id, store.DepartmentNameKey(cur.Name), data)
		if err != nil {
			return err
		}
		out, err = decode[store.Department](data)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteDepartment removes the department or returns store.ErrNotFound.
func (s *Store) DeleteDepartment(ctx context.Context, id string) error {
	return s.tx(ctx, "delete department", func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "DELETE FROM departments WHERE id = $1", id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("department %q: %w", id, store.ErrNotFound)
		}
		return nil
	})
}
