package redisstore

import (
	"context"
	"errors"
	"fmt"
	"github.com/livedesk/gateway/internal/rediserr"
	"github.com/livedesk/gateway/store"
)

// errData marks a failure of the store's own data: a record that does not encode or
// decode, an index that names a missing record. It is never store.ErrUnavailable.
var errData = errors.New("bad record")

// dataErr wraps err (which may be nil) as an errData failure described by what.
func dataErr(what string, err error) error {
	if err == nil {
		return fmt.Errorf("%w: %s", errData, what)
	}
	return fmt.Errorf("%w: %s: %w", errData, what, err)
}

// callerError carries an error returned by a caller's update function through
// go-redis, so it comes back exactly as the caller returned it.
type callerError struct{ err error }

func (e *callerError) Error() string { return e.err.Error() }

// wrap turns err, met while doing op, into what callers can tell apart:
//   - a caller's own error comes back as is;
//   - the store's sentinel errors and errData keep their meaning;
//   - a cancelled context gives an error that is context.Canceled;
//   - a deadline, a connection failure or a server that cannot take requests now
//     gives store.ErrUnavailable;
//   - any other error Redis replied with is returned wrapped, as an internal failure.
func (s *Store) wrap(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	var ce *callerError
	if errors.As(err, &ce) {
		return ce.err
	}
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrConflict) ||
		errors.Is(err, store.ErrLastOwner) || errors.Is(err, store.ErrUnavailable) ||
		errors.Is(err, errData) {
		return fmt.Errorf("redis: %s: %w", op, err)
	}
	return rediserr.Wrap(ctx, "redis", op, err)
}
