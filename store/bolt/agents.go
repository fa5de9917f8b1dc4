package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"go.etcd.io/bbolt"

	"github.com/livedesk/gateway/store"
)

// CreateAgent stores a new agent. An empty ID is filled with a new time-ordered one
// (written back to a). The e-mail is unique without regard to case: a taken one, like
// a taken ID, gets store.ErrConflict. Creating a non-owner while there is no owner is
// allowed (the first start creates the owner).
func (s *Store) CreateAgent(ctx context.Context, a *store.Agent) error {
	if a == nil {
		return errors.New("bolt: create agent: nil agent")
	}
	rec, err := cloneJSON(a)
	if err != nil {
		return fmt.Errorf("bolt: create agent: %w", err)
	}
	if rec.ID == "" {
		if rec.ID, err = newID(); err != nil {
			return err
		}
	}
	err = s.update(ctx, "create agent", func(tx *bbolt.Tx) error {
		b := tx.Bucket(bktAgents)
		if b.Get([]byte(rec.ID)) != nil {
			return fmt.Errorf("id %q taken: %w", rec.ID, store.ErrConflict)
		}
		if err := claimEmail(tx, rec.Email, rec.ID); err != nil {
			return err
		}
		return putJSON(b, []byte(rec.ID), rec)
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
	err := s.view(ctx, "get agent", func(tx *bbolt.Tx) error {
		var err error
		out, err = getAgent(tx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetAgentByEmail finds an agent by e-mail, without regard to case, or returns
// store.ErrNotFound.
func (s *Store) GetAgentByEmail(ctx context.Context, email string) (*store.Agent, error) {
	var out *store.Agent
	err := s.view(ctx, "get agent by email", func(tx *bbolt.Tx) error {
		key := emailKey(email)
		id := tx.Bucket(bktAgentEmails).Get(key)
		if len(key) == 0 || id == nil {
			return fmt.Errorf("agent with e-mail %q: %w", email, store.ErrNotFound)
		}
		var err error
		out, err = getAgent(tx, string(id))
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListAgents returns every agent, ordered by ID.
func (s *Store) ListAgents(ctx context.Context) ([]*store.Agent, error) {
	var out []*store.Agent
	err := s.view(ctx, "list agents", func(tx *bbolt.Tx) error {
		var err error
		out, err = decodeAll[store.Agent](tx.Bucket(bktAgents))
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateAgent applies fn to the stored agent and stores the result atomically. fn
// may run more than once; an error from it is returned as is and nothing is written.
// A changed ID is put back. A changed e-mail that another agent has gets
// store.ErrConflict; demoting the last owner gets store.ErrLastOwner.
func (s *Store) UpdateAgent(ctx context.Context, id string, fn func(*store.Agent) error) (*store.Agent, error) {
	var out *store.Agent
	err := s.update(ctx, "update agent", func(tx *bbolt.Tx) error {
		cur, err := getAgent(tx, id)
		if err != nil {
			return err
		}
		oldEmail, oldRole := cur.Email, cur.Role
		if err := fn(cur); err != nil {
			return &callerError{err}
		}
		cur.ID = id
		if !bytes.Equal(emailKey(cur.Email), emailKey(oldEmail)) {
			releaseEmail(tx, oldEmail, id)
			if err := claimEmail(tx, cur.Email, id); err != nil {
				return err
			}
		}
		if oldRole == store.RoleOwner && cur.Role != store.RoleOwner {
			if err := checkOtherOwner(tx, id); err != nil {
				return err
			}
		}
		if out, err = cloneJSON(cur); err != nil {
			return err
		}
		return putJSON(tx.Bucket(bktAgents), []byte(id), out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteAgent removes the agent; store.ErrNotFound if there is none,
// store.ErrLastOwner if it is the last owner.
func (s *Store) DeleteAgent(ctx context.Context, id string) error {
	return s.update(ctx, "delete agent", func(tx *bbolt.Tx) error {
		cur, err := getAgent(tx, id)
		if err != nil {
			return err
		}
		if cur.Role == store.RoleOwner {
			if err := checkOtherOwner(tx, id); err != nil {
				return err
			}
		}
		releaseEmail(tx, cur.Email, id)
		return tx.Bucket(bktAgents).Delete([]byte(id))
	})
}

// getAgent decodes the stored agent or returns store.ErrNotFound.
func getAgent(tx *bbolt.Tx, id string) (*store.Agent, error) {
	a := new(store.Agent)
	ok, err := getJSON(tx.Bucket(bktAgents), id, a)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("agent %q: %w", id, store.ErrNotFound)
	}
	return a, nil
}

// emailKey is the index key of an e-mail: lower-cased; nil for an empty e-mail,
// which is not indexed.
func emailKey(email string) []byte {
	if email == "" {
		return nil
	}
	return []byte(strings.ToLower(email))
}

// claimEmail indexes email for agent id, or returns store.ErrConflict when another
// agent has it.
func claimEmail(tx *bbolt.Tx, email, id string) error {
	key := emailKey(email)
	if key == nil {
		return nil
	}
	b := tx.Bucket(bktAgentEmails)
	if owner := b.Get(key); owner != nil && string(owner) != id {
		return fmt.Errorf("e-mail %q taken: %w", email, store.ErrConflict)
	}
	return b.Put(key, []byte(id))
}

// releaseEmail drops email from the index if it points at agent id.
func releaseEmail(tx *bbolt.Tx, email, id string) {
	key := emailKey(email)
	if key == nil {
		return
	}
	b := tx.Bucket(bktAgentEmails)
	if string(b.Get(key)) == id {
		_ = b.Delete(key) // only fails in a read-only transaction
	}
}

// checkOtherOwner returns store.ErrLastOwner unless an agent other than id is an
// owner.
func checkOtherOwner(tx *bbolt.Tx, id string) error {
	c := tx.Bucket(bktAgents).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if string(k) == id {
			continue
		}
		var r struct {
			Role string `json:"role"`
		}
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("decode agent %q: %w", k, err)
		}
		if r.Role == store.RoleOwner {
			return nil
		}
	}
	return fmt.Errorf("agent %q: %w", id, store.ErrLastOwner)
}
