// Package rediserr tells the gateway's Redis users (the store, presence, routing)
// which failures mean "Redis cannot take this now: retry" (store.ErrUnavailable),
// which mean the caller gave up, and which are real errors.
package rediserr

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/livedesk/gateway/store"
)

// Wrap turns err, met by component while doing op, into what callers can tell apart:
//   - a cancelled context gives an error that is context.Canceled;
//   - a deadline, a connection failure or a server that cannot take requests now
//     gives store.ErrUnavailable (with context.DeadlineExceeded for a deadline);
//   - any other error Redis replied with is returned wrapped, as an internal failure.
//
// nil stays nil.
func Wrap(ctx context.Context, component, op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("%s: %s: %w", component, op, err)
	case errors.Is(ctx.Err(), context.Canceled): // the caller gave up while Redis was busy
		return fmt.Errorf("%s: %s: %w: %v", component, op, ctx.Err(), err)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%s: %s: %w: %w", component, op, store.ErrUnavailable, err)
	case deadlinePassed(ctx): // the deadline, seen first as a socket timeout
		return fmt.Errorf("%s: %s: %w: %w: %v", component, op, store.ErrUnavailable, context.DeadlineExceeded, err)
	case Unavailable(err):
		return fmt.Errorf("%s: %s: %w: %w", component, op, store.ErrUnavailable, err)
	}
	return fmt.Errorf("%s: %s: %w", component, op, err)
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

// busyReplies are the prefixes of Redis error replies that mean "not now": still
// loading the data set, a replica or a cluster in the middle of a change, no room, a
// failing append-only file (MISCONF), a busy script, too many clients.
var busyReplies = []string{
	"LOADING", "READONLY", "MASTERDOWN", "CLUSTERDOWN", "TRYAGAIN", "NOREPLICAS",
	"MISCONF", "OOM", "BUSY", "ERR max number of clients",
}

// Unavailable reports whether err means Redis cannot take the request now. Errors
// that are not replies from Redis come from the connection (refused, reset, timed
// out, a closed client or pool): those are all unavailability.
func Unavailable(err error) bool {
	if errors.Is(err, redis.ErrClosed) || errors.Is(err, redis.ErrPoolTimeout) ||
		errors.Is(err, redis.ErrPoolExhausted) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var reply redis.Error
	if !errors.As(err, &reply) {
		return true
	}
	msg := reply.Error()
	for _, p := range busyReplies {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}
