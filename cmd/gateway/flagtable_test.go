package main

import (
	"flag"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/livedesk/gateway/gateway"
	"github.com/livedesk/gateway/gateway/setup"
)

// Markers around the README's flag table, which flagTable renders.
const (
	flagTableBegin = "<!-- flag table: generated from --help by go test ./cmd/gateway -run TestREADMEFlagTable with UPDATE_README=1 -->\n"
	flagTableEnd   = "<!-- end of flag table -->\n"
)

// flagTable renders the gateway's flags as the README shows them: name, default
// (as --help prints it; empty when --help prints none) and the help text itself.
func flagTable(fs *flag.FlagSet) string {
	var b strings.Builder
	b.WriteString("| flag | default | meaning |\n|---|---|---|\n")
	fs.VisitAll(func(f *flag.Flag) {
		def := ""
		if f.DefValue != "" && f.DefValue != "false" {
			def = "`" + f.DefValue + "`"
		}
		b.WriteString("| `--" + f.Name + "` | " + def + " | " + strings.ReplaceAll(f.Usage, "|", "\\|") + " |\n")
	})
	return b.String()
}

// TestREADMEFlagTable: the README's flag table is --help's, flag for flag, default
// for default and word for word, so neither can drift from the other. A new flag
// fails it until the README is regenerated (UPDATE_README=1).
func TestREADMEFlagTable(t *testing.T) {
	cfg := gateway.DefaultConfig()
	want := flagTable(newFlagSet(&cfg, io.Discard))
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	i, j := strings.Index(readme, flagTableBegin), strings.Index(readme, flagTableEnd)
	if i < 0 || j < i {
		t.Fatalf("README.md has no flag table between %q and %q", flagTableBegin, flagTableEnd)
	}
	got := readme[i+len(flagTableBegin) : j]
	if got == want {
		return
	}
	if os.Getenv("UPDATE_README") == "1" {
		readme = readme[:i+len(flagTableBegin)] + want + readme[j:]
		if err := os.WriteFile("../../README.md", []byte(readme), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatalf("README.md's flag table is not --help's; run UPDATE_README=1 go test ./cmd/gateway -run TestREADMEFlagTable\nREADME:\n%s\n--help:\n%s", got, want)
}

// TestHelpShowsEveryDefault: every flag either has its default printed by --help
// or says in its text what its empty value means.
func TestHelpShowsEveryDefault(t *testing.T) {
	cfg := gateway.DefaultConfig()
	fs := newFlagSet(&cfg, io.Discard)
	fs.VisitAll(func(f *flag.Flag) {
		if f.DefValue == "" && !strings.Contains(f.Usage, "(empty: ") && !strings.Contains(f.Usage, "when set") && !strings.Contains(f.Usage, "required with") {
			t.Errorf("--%s has no default and does not say what empty means: %q", f.Name, f.Usage)
		}
	})
	if f := fs.Lookup("owner-email"); f.DefValue != setup.DefaultOwnerEmail {
		t.Errorf("--owner-email default %q, want %q", f.DefValue, setup.DefaultOwnerEmail)
	}
}
