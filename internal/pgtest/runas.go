package pgtest

import (
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
)

// runAs is the unprivileged user the PostgreSQL binaries run as when the test
// runs as root (initdb and postgres refuse root).
type runAs struct{ uid, gid uint32 }

// currentRunAs returns nil when the test does not run as root, else the postgres
// (or nobody) user.
func currentRunAs() (*runAs, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
		gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
		if err1 == nil && err2 == nil {
			return &runAs{uid: uint32(uid), gid: uint32(gid)}, nil
		}
	}
	return nil, errNoUser
}

// handOver lets the user reach root (and the directories above it up to the
// temporary directory, which t.TempDir makes 0700) and own dirs.
func (r *runAs) handOver(root string, dirs ...string) error {
	for d := root; d != filepath.Dir(d) && d != os.TempDir(); d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			return err
		}
		if err := os.Chmod(d, fi.Mode().Perm()|0o711); err != nil {
			return err
		}
	}
	for _, d := range dirs {
		if err := os.Chown(d, int(r.uid), int(r.gid)); err != nil {
			return err
		}
	}
	return nil
}

// procAttr runs a child as the user.
func (r *runAs) procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: r.uid, Gid: r.gid}}
}
