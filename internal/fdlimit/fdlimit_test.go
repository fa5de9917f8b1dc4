//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package fdlimit

import "testing"

func TestRaiseSetsSoftToHard(t *testing.T) {
	before, after, err := Raise()
	if err != nil {
		t.Fatal(err)
	}
	if after.Soft != after.Hard {
		t.Fatalf("after Raise: soft %d, hard %d", after.Soft, after.Hard)
	}
	if after.Hard != before.Hard || after.Soft < before.Soft {
		t.Fatalf("before %+v, after %+v", before, after)
	}
	// A second call finds nothing to do.
	b2, a2, err := Raise()
	if err != nil || b2 != after || a2 != after {
		t.Fatalf("second Raise: %+v %+v %v", b2, a2, err)
	}
}
