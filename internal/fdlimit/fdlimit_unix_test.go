//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package fdlimit

import (
	"syscall"
	"testing"
)

// The Go runtime has usually raised the limit already; lower it to see Raise work.
func TestRaiseFromALoweredLimit(t *testing.T) {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		t.Fatal(err)
	}
	if uint64(rl.Max) < 256 {
		t.Fatalf("hard open-file limit %d: too low for this test (and for a gateway)", rl.Max)
	}
	lowered := rl
	lowered.Cur = 128
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lowered); err != nil {
		t.Fatalf("cannot lower the soft limit: %v", err)
	}
	t.Cleanup(func() { _ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl) })
	before, after, err := Raise()
	if err != nil {
		t.Fatal(err)
	}
	if before.Soft != 128 || after.Soft != uint64(rl.Max) || after.Hard != uint64(rl.Max) {
		t.Fatalf("before %+v after %+v (hard %d)", before, after, rl.Max)
	}
}
