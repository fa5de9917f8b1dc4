package redistest

import "syscall"

// procAttr makes the kernel kill the server when the test binary dies (a test
// timeout, a crash), so no server outlives its test run.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
