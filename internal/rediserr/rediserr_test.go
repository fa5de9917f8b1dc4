package rediserr

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/livedesk/gateway/store"
)

// reply is an error Redis replied with.
type reply string

func (r reply) Error() string { return string(r) }
func (reply) RedisError()     {}

func TestWrapSortsFailures(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	bg := context.Background()
	cases := []struct {
		name        string
		ctx         context.Context
		err         error
		unavailable bool
		canceled    bool
	}{
		{"closed client", bg, redis.ErrClosed, true, false},
		{"connection reset", bg, io.ErrUnexpectedEOF, true, false},
		{"loading", bg, reply("LOADING Redis is loading the dataset in memory"), true, false},
		{"aof failing", bg, reply("MISCONF Errors writing to the AOF file"), true, false},
		{"deadline", bg, context.DeadlineExceeded, true, false},
		{"wrong type is a real error", bg, reply("WRONGTYPE Operation against a key holding the wrong kind of value"), false, false},
		{"script error is a real error", bg, reply("ERR user_script:1: bad"), false, false},
		{"caller cancelled", bg, context.Canceled, false, true},
		{"cancelled while Redis was busy", cancelled, io.ErrUnexpectedEOF, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Wrap(c.ctx, "test", "op", c.err)
			if errors.Is(got, store.ErrUnavailable) != c.unavailable {
				t.Errorf("%v: unavailable = %v, want %v", got, !c.unavailable, c.unavailable)
			}
			if errors.Is(got, context.Canceled) != c.canceled {
				t.Errorf("%v: canceled = %v, want %v", got, !c.canceled, c.canceled)
			}
		})
	}
	if Wrap(bg, "test", "op", nil) != nil {
		t.Fatal("nil became an error")
	}
}
