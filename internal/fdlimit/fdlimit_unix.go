//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package fdlimit

import "syscall"

// Supported reports whether Raise does anything on this platform.
const Supported = true

// Raise sets the soft open-file limit to the hard limit. It returns the limit before
// and after; on error, after is the limit as it stands.
func Raise() (before, after Limit, err error) {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return Limit{}, Limit{}, err
	}
	before = Limit{Soft: uint64(rl.Cur), Hard: uint64(rl.Max)}
	if rl.Cur == rl.Max {
		return before, before, nil
	}
	rl.Cur = rl.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return before, before, err
	}
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return before, before, err
	}
	return before, Limit{Soft: uint64(rl.Cur), Hard: uint64(rl.Max)}, nil
}
