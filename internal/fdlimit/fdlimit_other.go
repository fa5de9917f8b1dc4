//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package fdlimit

// Supported reports whether Raise does anything on this platform.
const Supported = false

// Raise does nothing on this platform: there is no RLIMIT_NOFILE to raise.
func Raise() (before, after Limit, err error) { return Limit{}, Limit{}, nil }
