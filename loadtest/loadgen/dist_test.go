package main

import (
	"testing"
	"time"
)

func TestDistPercentilesAndRaw(t *testing.T) {
	var d []time.Duration
	for i := 100; i >= 1; i-- { // any order
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	got := newDist(d)
	if got.Count != 100 || got.Min != 1 || got.P50 != 50 || got.P90 != 90 || got.P99 != 99 || got.P999 != 100 || got.Max != 100 || got.Mean != 50.5 {
		t.Fatalf("%+v", got)
	}
	us, err := got.micros()
	if err != nil || len(us) != 100 || us[0] != 1000 || us[99] != 100000 {
		t.Fatalf("raw %v %v", us[:3], err)
	}
	if e := newDist(nil); e.Count != 0 || e.Raw != "" {
		t.Fatalf("empty: %+v", e)
	}
}

func TestDistNegativeSamples(t *testing.T) {
	got := newDist([]time.Duration{-3 * time.Millisecond, 2 * time.Millisecond})
	if got.Min != -3 || got.Max != 2 || got.Raw != "-3000 2000" {
		t.Fatalf("%+v", got)
	}
}

// Merged percentiles are those of all the samples pooled, not an average of
// percentiles.
func TestMergeDistsPoolsSamples(t *testing.T) {
	var a, b, all []time.Duration
	for i := 1; i <= 90; i++ {
		a = append(a, time.Duration(i)*time.Millisecond)
	}
	for i := 91; i <= 100; i++ {
		b = append(b, time.Duration(i)*time.Millisecond)
	}
	all = append(append(all, a...), b...)
	m, err := mergeDists([]Dist{newDist(a), newDist(b), {}})
	if err != nil {
		t.Fatal(err)
	}
	if want := newDist(all); m != want {
		t.Fatalf("merged %+v\nwant   %+v", m, want)
	}
}

func TestMergeDistsRefusesMissingRaw(t *testing.T) {
	d := newDist([]time.Duration{time.Millisecond, 2 * time.Millisecond})
	d.Raw = "1000"
	if _, err := mergeDists([]Dist{d}); err == nil {
		t.Fatal("a count without its raw samples merged")
	}
	d.Raw = "1000 x"
	if _, err := mergeDists([]Dist{d}); err == nil {
		t.Fatal("a damaged raw sample merged")
	}
}
