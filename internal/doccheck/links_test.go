package doccheck

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// root is the repository's top directory, from this package's.
const root = "../.."

var (
	headingRE = regexp.MustCompile(`(?m)^#{1,6} +(.+?) *#*$`)
	// mdLinkRE is a markdown link's target: [text](target).
	mdLinkRE = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	// mdNameRE is any mention of a .md file (cited in prose or a comment).
	mdNameRE = regexp.MustCompile(`[A-Za-z0-9_./-]*[A-Za-z0-9_]\.md(#[a-z0-9_-]+)?\b`)
	slugDrop = regexp.MustCompile(`[^\p{L}\p{N} _-]`)
	// idRE is an explicit anchor: <a id="name"></a>.
	idRE = regexp.MustCompile(`<a (?:id|name)="([^"]+)"`)
)

// slug is GitHub's anchor of a heading: lower case, punctuation gone, spaces as -.
func slug(h string) string {
	return strings.ReplaceAll(slugDrop.ReplaceAllString(strings.ToLower(h), ""), " ", "-")
}

// anchors returns the anchors of a markdown file: its headings' and its explicit
// <a id> ones.
func anchors(t *testing.T, path string) map[string]bool {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, m := range headingRE.FindAllStringSubmatch(string(data), -1) {
		s := slug(m[1])
		for n := 1; out[s]; n++ { // GitHub numbers repeated headings
			s = slug(m[1]) + "-" + string(rune('0'+n))
		}
		out[s] = true
	}
	for _, m := range idRE.FindAllStringSubmatch(string(data), -1) {
		out[m[1]] = true
	}
	return out
}

// docFiles lists the README and the doc pages.
func docFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	return append(files, filepath.Join(root, "README.md"))
}

// checkTarget reports a cited file (relative to dir, or to the root) that is not in
// the repository, or an anchor that is not one of its headings.
func checkTarget(t *testing.T, where, dir, target string) {
	t.Helper()
	file, anchor, _ := strings.Cut(target, "#")
	path := filepath.Join(dir, file)
	if file == "" {
		path = where
	} else if _, err := os.Stat(path); err != nil {
		path = filepath.Join(root, file)
		if _, err := os.Stat(path); err != nil {
			t.Errorf("%s cites %s, which is not in the repository", where, target)
			return
		}
	}
	if anchor != "" && strings.HasSuffix(path, ".md") && !anchors(t, path)[anchor] {
		t.Errorf("%s cites %s: %s has no heading with anchor #%s", where, target, filepath.Base(path), anchor)
	}
}

// TestDocsCiteOnlyWhatIsInTheRepository: every link and every .md file the README
// and the doc pages name exists in the repository, anchors included.
func TestDocsCiteOnlyWhatIsInTheRepository(t *testing.T) {
	for _, f := range docFiles(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		for _, m := range mdLinkRE.FindAllStringSubmatch(text, -1) {
			if target := m[1]; !strings.Contains(target, "://") && !strings.HasPrefix(target, "mailto:") {
				checkTarget(t, f, filepath.Dir(f), target)
			}
		}
		for _, name := range mdNameRE.FindAllString(mdLinkRE.ReplaceAllString(text, "]"), -1) {
			checkTarget(t, f, filepath.Dir(f), name)
		}
	}
}
