package main

import (
	"os"
	"regexp"
	"testing"
)

// TestGoModNeedsOnlyGo1260: go.mod asks for no Go newer than 1.26.0 and names no
// toolchain, so any Go 1.26 builds the gateway without fetching another toolchain
// (a go line of 1.26.8 makes a 1.26.0 go command download 1.26.8 first).
func TestGoModNeedsOnlyGo1260(t *testing.T) {
	data, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(data)
	if m == nil || string(m[1]) != "1.26.0" {
		t.Fatalf("go.mod's go line is %q, want 1.26.0", m)
	}
	if regexp.MustCompile(`(?m)^toolchain `).Match(data) {
		t.Fatal("go.mod names a toolchain: a machine with another Go 1.26 would fetch it")
	}
}
