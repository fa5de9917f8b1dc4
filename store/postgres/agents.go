package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/livedesk/gateway/store"
)

// ownersLockKey is the transaction-scoped advisory lock every write that may take
// away an owner holds, so two nodes demoting or deleting the last two owners at
// once cannot both succeed ("owners" in ASCII).
const ownersLockKey int64 = 0x6f776e657273

// CreateAgent stores a new agent. An empty ID is filled in; an e-mail another
// agent has, without regard to case, gets store.ErrConflict (a unique key).
func (s *Store) CreateAgent(ctx context.Context, a *store.Agent) error {
	if a == nil {
		return errors.New("postgres: create agent: nil agent")
	}
	rec, err := cloneJSON(a)
	if err != nil {
		return fmt.Errorf("postgres: create agent: %w", err)
	}
	if rec.ID == "" {
		if rec.ID, err = newID(); err != nil {
			return err
		}
	}
	data, err := encode(rec)
	if err != nil {
		return fmt.Errorf("postgres: create agent: %w", err)
	}
	err = s.tx(ctx, "create agent", func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO agents (id, email_key, role, data) VALUES ($1, $2, $3, $4)",
			rec.ID, emailKey(rec.Email), rec.Role, data)
		return err
	})
	if err != nil {
		return err
	}
	a.ID = rec.ID
	return nil
}

// GetAgent returns the agent or store.ErrNotFound.
func (s *Store) GetAgent(ctx context.Context, id string) (*store.Agent, error) {
	var out *store.Agent
	err := s.read(ctx, "get agent", func(tx pgx.Tx) error {
		var err error
		out, err = getOne[store.Agent](ctx, tx, fmt.Sprintf("agent %q", id), "SELECT data FROM agents WHERE id = $1", id)
		return err
	})
	return out, err
}

// GetAgentByEmail finds an agent by e-mail, without regard to case, or returns
// store.ErrNotFound.
func (s *Store) GetAgentByEmail(ctx context.Context, email string) (*store.Agent, error) {
	var out *store.Agent
	err := s.read(ctx, "get agent by email", func(tx pgx.Tx) error {
		key := emailKey(email)
		if key == nil {
			return fmt.Errorf("agent with e-mail %q: %w", email, store.ErrNotFound)
		}
		var err error
		out, err = getOne[store.Agent](ctx, tx, fmt.Sprintf("agent with e-mail %q", email),
			"SELECT data FROM agents WHERE email_key = $1", *key)
		return err
	})
	return out, err
}

// ListAgents returns every agent, ordered by ID.
func (s *Store) ListAgents(ctx context.Context) ([]*store.Agent, error) {
	var out []*store.Agent
	err := s.read(ctx, "list agents", func(tx pgx.Tx) error {
		var err error
		out, err = getAll[store.Agent](ctx, tx, "SELECT data FROM agents ORDER BY id")
		return err
	})
	return out, err
}

// UpdateAgent applies fn atomically. A changed e-mail that is taken gets
// store.ErrConflict; a change that leaves no owner gets store.ErrLastOwner.
func (s *Store) UpdateAgent(ctx context.Context, id string, fn func(*store.Agent) error) (*store.Agent, error) {
	var out *store.Agent
	err := s.tx(ctx, "update agent", func(tx pgx.Tx) error {
		cur, err := lockAgent(ctx, tx, id)
		if err != nil {
			return err
		}
		oldRole := cur.Role
		if err := fn(cur); err != nil {
			return &callerError{err}
		}
		cur.ID = id
		if oldRole == store.RoleOwner && cur.Role != store.RoleOwner {
			if err := checkOtherOwner(ctx, tx, id); err != nil {
				return err
			}
		}
		data, err := encode(cur)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "UPDATE agents SET email_key = $2, role = $3, data = $4 WHERE id = $1",
			id, emailKey(cur.Email), cur.Role, data)
		if err != nil {
			return err
		}
		out, err = decode[store.Agent](data)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteAgent removes the agent; store.ErrLastOwner if it is the last owner.
func (s *Store) DeleteAgent(ctx context.Context, id string) error {
	return s.tx(ctx, "delete agent", func(tx pgx.Tx) error {
		cur, err := lockAgent(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur.Role == store.RoleOwner {
			if err := checkOtherOwner(ctx, tx, id); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, "DELETE FROM agents WHERE id = $1", id)
		return err
	})
}

// lockAgent takes the owners lock, then reads and locks the agent's row. The
// owners lock comes first so that every agent write takes the two in one order.
func lockAgent(ctx context.Context, tx pgx.Tx, id string) (*store.Agent, error) {
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", ownersLockKey); err != nil {
		return nil, err
	}
	return getOne[store.Agent](ctx, tx, fmt.Sprintf("agent %q", id), "SELECT data FROM agents WHERE id = $1 FOR UPDATE", id)
}

// checkOtherOwner returns store.ErrLastOwner unless an agent other than id is an
// owner. The caller holds the owners lock, so no other write removes that owner
// before the transaction ends.
func checkOtherOwner(ctx context.Context, tx pgx.Tx, id string) error {
	var other bool
	err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM agents WHERE role = $1 AND id <> $2)", store.RoleOwner, id).Scan(&other)
	if err != nil {
		return err
	}
	if !other {
		return fmt.Errorf("agent %q: %w", id, store.ErrLastOwner)
	}
	return nil
}

// emailKey is the unique form of an e-mail (lower-cased); nil (SQL NULL, never
// taken) for an agent without one.
func emailKey(email string) *string {
	if email == "" {
		return nil
	}
	k := strings.ToLower(email)
	return &k
}
