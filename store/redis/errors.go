package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

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
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("redis: %s: %w", op, err)
	}
	if errors.Is(ctx.Err(), context.Canceled) { // the caller gave up while Redis was busy
		return fmt.Errorf("redis: %s: %w: %v", op, ctx.Err(), err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("redis: %s: %w: %w", op, store.ErrUnavailable, err)
	}
	if deadlinePassed(ctx) { // the deadline, seen first as a socket timeout
		return fmt.Errorf("redis: %s: %w: %w: %v", op, store.ErrUnavailable, context.DeadlineExceeded, err)
	}
	if unavailable(err) {
		return fmt.Errorf("redis: %s: %w: %w", op, store.ErrUnavailable, err)
	}
	return fmt.Errorf("redis: %s: %w", op, err)
}

// deadlinePassed reports whether ctx's deadline has come. The socket deadline that
// go-redis sets from it can fire a moment before the context's own timer does.
func deadlinePassed(ctx context.Context) bool {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return true
	}
	dl, ok := ctx.Deadline()
	return ok && !time.Now().Before(dl)
}

// unavailableReplies are the prefixes of Redis error replies that mean "not now":
// still loading the data set, a replica or a cluster in the middle of a change, no
// room, a failing append-only file (MISCONF), a busy script, too many clients.
var unavailableReplies = []string{
	"LOADING", "READONLY", "MASTERDOWN", "CLUSTERDOWN", "TRYAGAIN", "NOREPLICAS",
	"MISCONF", "OOM", "BUSY", "ERR max number of clients",
}

// unavailable reports whether err means Redis cannot take the request now. Errors
// that are not replies from Redis come from the connection (refused, reset, timed
// out, a closed client or pool): those are all unavailability.
func unavailable(err error) bool {
	if errors.Is(err, redis.ErrClosed) || errors.Is(err, redis.ErrPoolTimeout) ||
		errors.Is(err, redis.ErrPoolExhausted) {
		return true
	}
	var reply redis.Error
	if !errors.As(err, &reply) {
		return true
	}
	msg := reply.Error()
	for _, p := range unavailableReplies {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}
