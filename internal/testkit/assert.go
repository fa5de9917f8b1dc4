// Package testkit holds the test helpers shared by the repository's packages: a
// WebSocket client of a gateway (WS), JSON HTTP requests (Do, DoJSON) and small
// assertions (Equal, NoError, Recv). Each package keeps its own fixture (a running
// gateway, a desk on a store); only what several packages repeated lives here. It is
// imported by _test.go files only.
package testkit

import (
	"reflect"
	"testing"
	"time"
)

// Guard is how long a test waits for something that should happen promptly (a frame,
// a value on a channel) before it fails: a failure bound, never a way to let time pass.
const Guard = 10 * time.Second

// Equal fails the test unless got and want are deeply equal.
func Equal[T any](tb testing.TB, name string, got, want T) {
	tb.Helper()
	if !reflect.DeepEqual(got, want) {
		tb.Fatalf("%s: got %v, want %v", name, got, want)
	}
}

// NoError fails the test if err is not nil.
func NoError(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatalf("unexpected error: %v", err)
	}
}

// Recv receives from ch, or fails the test after Guard naming what it waited for.
func Recv[T any](tb testing.TB, what string, ch <-chan T) T {
	tb.Helper()
	t := time.NewTimer(Guard)
	defer t.Stop()
	select {
	case v := <-ch:
		return v
	case <-t.C:
		tb.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}
