package redisstore

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/redis/go-redis/v9"

	"github.com/livedesk/gateway/store"
)

// CreateAgent stores a new agent. An empty ID is filled with a new time-ordered one
// (written back to a). The e-mail is unique without regard to case: a taken one, like
// a taken ID, gets store.ErrConflict. Creating a non-owner while there is no owner is
// allowed (the first start creates the owner).
func (s *Store) CreateAgent(ctx context.Context, a *store.Agent) error {
	if a == nil {
		return errors.New("redis: create agent: nil agent")
	}
	rec := *a // only encoded: a shallow copy will do
	if rec.ID == "" {
		var err error
		if rec.ID, err = newID(); err != nil {
			return err
		}
	}
	data, err := encode(&rec)
	if err != nil {
		return s.wrap(ctx, "create agent", err)
	}
	agentKey, email := s.k.agent(rec.ID), emailKey(rec.Email)
	err = s.watch(ctx, "create agent", func(tx *redis.Tx) error {
		n, err := tx.Exists(ctx, agentKey).Result()
		if err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("id %q taken: %w", rec.ID, store.ErrConflict)
		}
		if err := checkEmailFree(ctx, tx, s.k, email, rec.ID); err != nil {
			return err
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, agentKey, data, 0)
			p.ZAdd(ctx, s.k.agents(), redis.Z{Member: rec.ID})
			if email != "" {
				p.Set(ctx, s.k.email(email), rec.ID, 0)
			}
			if rec.Role == store.RoleOwner {
				p.SAdd(ctx, s.k.owners(), rec.ID)
			}
			return nil
		})
		return err
	}, agentKey)
	if err != nil {
		return err
	}
	a.ID = rec.ID
	return nil
}

// GetAgent returns the agent or store.ErrNotFound.
func (s *Store) GetAgent(ctx context.Context, id string) (*store.Agent, error) {
	const op = "get agent"
	if err := s.begin(ctx, op); err != nil {
		return nil, err
	}
	a, err := getAgent(ctx, s.rdb, s.k, id)
	if err != nil {
		return nil, s.wrap(ctx, op, err)
	}
	return a, nil
}

// GetAgentByEmail finds an agent by e-mail, without regard to case, or returns
// store.ErrNotFound.
func (s *Store) GetAgentByEmail(ctx context.Context, email string) (*store.Agent, error) {
	const op = "get agent by email"
	if err := s.begin(ctx, op); err != nil {
		return nil, err
	}
	notFound := fmt.Errorf("agent with e-mail %q: %w", email, store.ErrNotFound)
	key := emailKey(email)
	if key == "" {
		return nil, s.wrap(ctx, op, notFound)
	}
	id, err := s.rdb.Get(ctx, s.k.email(key)).Result()
	if errors.Is(err, redis.Nil) {
		return nil, s.wrap(ctx, op, notFound)
	}
	if err != nil {
		return nil, s.wrap(ctx, op, err)
	}
	a, err := getAgent(ctx, s.rdb, s.k, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && emailKey(a.Email) != key) {
		return nil, s.wrap(ctx, op, notFound) // deleted or renamed meanwhile
	}
	if err != nil {
		return nil, s.wrap(ctx, op, err)
	}
	return a, nil
}

// ListAgents returns every agent, ordered by ID.
func (s *Store) ListAgents(ctx context.Context) ([]*store.Agent, error) {
	const op = "list agents"
	if err := s.begin(ctx, op); err != nil {
		return nil, err
	}
	out, err := listAll[store.Agent](ctx, s.rdb, s.k.agents(), s.k.agent)
	if err != nil {
		return nil, s.wrap(ctx, op, err)
	}
	return out, nil
}

// UpdateAgent applies fn to the stored agent and stores the result atomically. fn
// may run more than once; an error from it is returned as is and nothing is written.
// A changed ID is put back. A changed e-mail that another agent has gets
// store.ErrConflict; demoting the last owner gets store.ErrLastOwner.
func (s *Store) UpdateAgent(ctx context.Context, id string, fn func(*store.Agent) error) (*store.Agent, error) {
	var out *store.Agent
	key := s.k.agent(id)
	err := s.watch(ctx, "update agent", func(tx *redis.Tx) error {
		out = nil
		cur, err := getAgent(ctx, tx, s.k, id)
		if err != nil {
			return err
		}
		oldEmail, oldRole := emailKey(cur.Email), cur.Role
		if err := fn(cur); err != nil {
			return &callerError{err}
		}
		cur.ID = id
		newEmail := emailKey(cur.Email)
		if newEmail != oldEmail {
			if err := checkEmailFree(ctx, tx, s.k, newEmail, id); err != nil {
				return err
			}
		}
		demoted := oldRole == store.RoleOwner && cur.Role != store.RoleOwner
		promoted := oldRole != store.RoleOwner && cur.Role == store.RoleOwner
		if demoted {
			if err := checkOtherOwner(ctx, tx, s.k, id); err != nil {
				return err
			}
		}
		data, err := encode(cur)
		if err != nil {
			return err
		}
		if _, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, key, data, 0)
			if newEmail != oldEmail {
				if oldEmail != "" {
					p.Del(ctx, s.k.email(oldEmail))
				}
				if newEmail != "" {
					p.Set(ctx, s.k.email(newEmail), id, 0)
				}
			}
			switch {
			case demoted:
				p.SRem(ctx, s.k.owners(), id)
			case promoted:
				p.SAdd(ctx, s.k.owners(), id)
			}
			return nil
		}); err != nil {
			return err
		}
		out = new(store.Agent)
		return decode(key, data, out)
	}, key)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteAgent removes the agent; store.ErrNotFound if there is none,
// store.ErrLastOwner if it is the last owner.
func (s *Store) DeleteAgent(ctx context.Context, id string) error {
	key := s.k.agent(id)
	return s.watch(ctx, "delete agent", func(tx *redis.Tx) error {
		cur, err := getAgent(ctx, tx, s.k, id)
		if err != nil {
			return err
		}
		if cur.Role == store.RoleOwner {
			if err := checkOtherOwner(ctx, tx, s.k, id); err != nil {
				return err
			}
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Del(ctx, key)
			p.ZRem(ctx, s.k.agents(), id)
			if email := emailKey(cur.Email); email != "" {
				p.Del(ctx, s.k.email(email))
			}
			p.SRem(ctx, s.k.owners(), id)
			return nil
		})
		return err
	}, key)
}

// getAgent reads the stored agent or returns store.ErrNotFound.
func getAgent(ctx context.Context, c redis.Cmdable, k keys, id string) (*store.Agent, error) {
	a := new(store.Agent)
	ok, err := getJSON(ctx, c, k.agent(id), a)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("agent %q: %w", id, store.ErrNotFound)
	}
	return a, nil
}

// checkEmailFree WATCHes the index entry of email and returns store.ErrConflict
// when an agent other than id has it. An empty e-mail is not indexed: always free.
//
// The index entry of an agent's e-mail always names it (both change in one EXEC),
// and the agent's own key is watched, so the entry cannot move under a transaction
// that passed this check.
func checkEmailFree(ctx context.Context, tx *redis.Tx, k keys, email, id string) error {
	if email == "" {
		return nil
	}
	key := k.email(email)
	if err := tx.Watch(ctx, key).Err(); err != nil {
		return err
	}
	holder, err := tx.Get(ctx, key).Result()
	if errors.Is(err, redis.Nil) {
		return nil
	}
	if err != nil {
		return err
	}
	if holder != id {
		return fmt.Errorf("e-mail %q taken: %w", email, store.ErrConflict)
	}
	return nil
}

// checkOtherOwner WATCHes the owners set and returns store.ErrLastOwner unless an
// agent other than id is in it. Watching it makes two transactions that each remove
// one of the last two owners collide: the second one runs again and sees one owner.
func checkOtherOwner(ctx context.Context, tx *redis.Tx, k keys, id string) error {
	if err := tx.Watch(ctx, k.owners()).Err(); err != nil {
		return err
	}
	owners, err := tx.SMembers(ctx, k.owners()).Result()
	if err != nil {
		return err
	}
	if slices.ContainsFunc(owners, func(o string) bool { return o != id }) {
		return nil
	}
	return fmt.Errorf("agent %q: %w", id, store.ErrLastOwner)
}
