package main

import (
	"fmt"

	"github.com/livedesk/gateway/internal/fdlimit"
)

// raiseFileLimit lifts the open-file soft limit to the hard limit and checks that
// the run's sockets fit under it.
func raiseFileLimit(cfg *config) error {
	before, after, err := fdlimit.Raise()
	if err != nil {
		fmt.Printf("loadgen: cannot raise the open-file limit (soft %d, hard %d): %v\n", before.Soft, before.Hard, err)
	} else if fdlimit.Supported {
		fmt.Printf("loadgen: open-file limit %d (was %d, hard %d)\n", after.Soft, before.Soft, after.Hard)
	}
	if !fdlimit.Supported {
		return nil
	}
	need := cfg.agents + 64 // the process's own files, API clients, probes
	switch cfg.scenario {
	case "chat":
		need += cfg.conversations
	default:
		need += cfg.visitors
	}
	if uint64(need) > after.Soft {
		return fmt.Errorf("%d sockets and files need more than the open-file limit of %d: run more processes with fewer -visitors", need, after.Soft)
	}
	return nil
}
