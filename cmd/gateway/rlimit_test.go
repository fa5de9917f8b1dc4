//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package main

import (
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

func TestRaiseFileLimitLogsSoftEqualsHard(t *testing.T) {
	core, logs := observer.New(zap.InfoLevel)
	lim := raiseFileLimit(zap.New(core))
	if lim.Soft != lim.Hard || lim.Hard == 0 {
		t.Fatalf("limit after raising: %+v", lim)
	}
	got := logs.FilterMessage("open-file limit").All()
	if len(got) != 1 {
		t.Fatalf("want one info line about the limit, got %v", logs.All())
	}
	f := got[0].ContextMap()
	if f["soft"] != lim.Soft || f["hard"] != lim.Hard {
		t.Fatalf("logged %v, limit %+v", f, lim)
	}
}
