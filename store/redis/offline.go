package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/livedesk/gateway/store"
)

// Limits of ListOfflineMessages.
const (
	defaultOfflineLimit = 50
	maxOfflineLimit     = 500
)

// AddOfflineMessage stores an offline message under its site (one Lua script), in
// state new. An empty ID is filled with a new time-ordered one and a zero CreatedAt
// with the current UTC time; m itself is not changed. When the same visitor of the same site
// already left one with the same non-empty ClientID, that one is returned with
// duplicate true and nothing is written. A given ID that the site holds already
// gets store.ErrConflict. The notifications in notes are added (as AddNotifications
// does) by the same script as the message, and not at all for a duplicate; an
// invalid one fails the call before anything is written.
func (s *Store) AddOfflineMessage(ctx context.Context, m *store.OfflineMessage, notes ...*store.Notification) (*store.OfflineMessage, bool, error) {
	const op = "add offline message"
	if m == nil {
		return nil, false, errors.New("redis: add offline message: nil message")
	}
	if m.SiteID == "" {
		return nil, false, errors.New("redis: add offline message: empty site id")
	}
	outbox, err := prepareNotifications(notes)
	if err != nil {
		return nil, false, fmt.Errorf("redis: %s: %w", op, err)
	}
	if err := s.begin(ctx, op); err != nil {
		return nil, false, err
	}
	rec := *m // encoded, then decoded for the caller: a shallow copy will do
	if rec.ID == "" {
		if rec.ID, err = newID(); err != nil {
			return nil, false, err
		}
	}
	if rec.CreatedAt.IsZero() {
		rec.CreatedAt = time.Now().UTC()
	}
	rec.State = store.OfflineNew
	data, err := encode(&rec)
	if err != nil {
		return nil, false, s.wrap(ctx, op, err)
	}
	site := rec.SiteID
	keys := []string{s.k.offline(site), s.k.offlineRec(site), s.k.offlineCID(site)}
	args := []any{offlineCIDField(&rec), rec.ID, data}
	noteKeys, noteArgs := s.k.notifScriptArgs(outbox)
	keys, args = append(keys, noteKeys...), append(args, noteArgs...)
	res, err := addOfflineScript.Run(ctx, s.rdb, keys, args...).Slice()
	if err != nil {
		return nil, false, s.wrap(ctx, op, err)
	}
	out := new(store.OfflineMessage)
	switch code, _ := res[0].(int64); {
	case code == 0:
		if err := decode(s.k.offlineRec(site), data, out); err != nil {
			return nil, false, s.wrap(ctx, op, err)
		}
		return out, false, nil
	case code == 1:
		stored, ok := res[1].(string)
		if len(res) != 2 || !ok {
			return nil, false, s.wrap(ctx, op, dataErr(fmt.Sprintf("client id %q names a missing offline message", rec.ClientID), nil))
		}
		if err := decode(s.k.offlineRec(site), stored, out); err != nil {
			return nil, false, s.wrap(ctx, op, err)
		}
		out.FillState()
		return out, true, nil
	case code == 2:
		return nil, false, s.wrap(ctx, op, fmt.Errorf("id %q taken: %w", rec.ID, store.ErrConflict))
	}
	return nil, false, s.wrap(ctx, op, dataErr(fmt.Sprintf("offline script answered %v", res), nil))
}

// ListOfflineMessages returns up to limit offline messages of the site whose ID sorts
// after `after` (all when empty), oldest first. limit <= 0 means 50; more than 500
// means 500. An unknown site has none.
func (s *Store) ListOfflineMessages(ctx context.Context, siteID, after string, limit int) ([]*store.OfflineMessage, error) {
	return s.ListOfflineByState(ctx, siteID, "", after, limit)
}
