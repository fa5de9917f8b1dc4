package store

import "testing"

func TestCursorRoundTrip(t *testing.T) {
	for _, c := range []struct{ outer, inner string }{
		{"", ""}, {"site", ""}, {"", "id"}, {"site", "id"}, {"12:ab", "3:x"}, {"a\x00b", "\x00\x00\x00\x01"},
	} {
		got := JoinCursor(c.outer, c.inner)
		o, i, err := SplitCursor(got)
		if err != nil || o != c.outer || i != c.inner {
			t.Errorf("JoinCursor(%q, %q) = %q splits into %q, %q, %v", c.outer, c.inner, got, o, i, err)
		}
	}
	if o, i, err := SplitCursor(""); o != "" || i != "" || err != nil {
		t.Errorf(`SplitCursor("") = %q, %q, %v`, o, i, err)
	}
	for _, bad := range []string{"x", "3:ab", "-1:a", ":a", "a:b"} {
		if _, _, err := SplitCursor(bad); err == nil {
			t.Errorf("SplitCursor(%q) took it", bad)
		}
	}
}
