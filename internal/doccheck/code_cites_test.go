package doccheck

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCodeCitesRealAnchors: every docs/*.md#anchor a Go or JavaScript file cites is
// a heading (or an explicit anchor) of that page, and no source file cites a
// document from outside the repository.
func TestCodeCitesRealAnchors(t *testing.T) {
	citeRE := regexp.MustCompile(`docs/[a-z]+\.md(#[a-z0-9_-]+)?`)
	outsideRE := regexp.MustCompile(`\b(PROTOCOL|DESIGN)` + `\.md\b`)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !(strings.HasSuffix(path, ".go") || strings.HasSuffix(path, ".js")) {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, c := range citeRE.FindAllString(string(data), -1) {
			checkTarget(t, path, root, c)
		}
		if m := outsideRE.FindString(string(data)); m != "" {
			t.Errorf("%s cites %s, which is not in the repository", path, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
