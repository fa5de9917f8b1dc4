//go:build !linux

package redistest

import "syscall"

// procAttr has nothing to add where the kernel cannot kill a child with its parent.
func procAttr() *syscall.SysProcAttr { return nil }
