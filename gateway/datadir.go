package gateway

import (
	"fmt"
	"os"
	"path/filepath"
)

// CheckDataDir makes sure the embedded store's directory exists (it is created
// with mode 0700 when missing) and that this process can write in it, by creating
// and removing a file there. The error names the path and the user id the gateway
// runs as: the usual cause is a volume owned by another user (a Docker volume
// mounted over a directory the image did not create for its user).
func CheckDataDir(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	fail := func(err error) error {
		return fmt.Errorf("--data-dir %s cannot be written by user id %d (give that user the directory, or pick another --data-dir): %w", abs, os.Getuid(), err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return fail(err)
	}
	f, err := os.CreateTemp(abs, ".write-check-*")
	if err != nil {
		return fail(err)
	}
	name := f.Name()
	_ = f.Close()
	if err := os.Remove(name); err != nil {
		return fail(err)
	}
	return nil
}
