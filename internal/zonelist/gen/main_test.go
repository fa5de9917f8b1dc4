package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// The committed list is what the generator makes of this Go's zoneinfo.zip: after a
// Go upgrade with new time zone data, run `go generate ./internal/zonelist`.
func TestGeneratedListIsUpToDate(t *testing.T) {
	zipPath, err := zoneinfoZip()
	if err != nil {
		t.Fatal(err)
	}
	want, err := source(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join("..", output))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("internal/zonelist/%s is not what %s gives: run go generate ./internal/zonelist", output, zipPath)
	}
}

// A zip without zones is an error, not an empty list.
func TestSourceRefusesAnEmptyZip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.zip")
	if err := os.WriteFile(path, []byte("PK\x05\x06"+string(make([]byte, 18))), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := source(path); err == nil {
		t.Fatal("no error for a zip without zones")
	}
	if _, err := source(filepath.Join(t.TempDir(), "missing.zip")); err == nil {
		t.Fatal("no error for a missing zip")
	}
}
