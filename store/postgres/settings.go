package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/livedesk/gateway/store"
)

// GetSetting returns a setting's value or store.ErrNotFound.
func (s *Store) GetSetting(ctx context.Context, key string) ([]byte, error) {
	var out []byte
	err := s.read(ctx, "get setting", func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, "SELECT value FROM settings WHERE key = $1", key).Scan(&out)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("get setting %q: %w", key, store.ErrNotFound)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []byte{}
	}
	return out, nil
}

// PutSetting stores a setting, replacing any previous value.
func (s *Store) PutSetting(ctx context.Context, key string, value []byte) error {
	if key == "" {
		return errors.New("postgres: put setting: empty key")
	}
	if value == nil {
		value = []byte{}
	}
	return s.tx(ctx, "put setting", func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
		return err
	})
}

// PutSettingIfAbsent stores value unless the key exists, and returns the value
// stored afterwards: the first one written wins, on any node.
func (s *Store) PutSettingIfAbsent(ctx context.Context, key string, value []byte) ([]byte, error) {
	if key == "" {
		return nil, errors.New("postgres: put setting if absent: empty key")
	}
	if value == nil {
		value = []byte{}
	}
	var out []byte
	err := s.tx(ctx, "put setting if absent", func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING", key, value)
		if err != nil {
			return err
		}
		return tx.QueryRow(ctx, "SELECT value FROM settings WHERE key = $1", key).Scan(&out)
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []byte{}
	}
	return out, nil
}
