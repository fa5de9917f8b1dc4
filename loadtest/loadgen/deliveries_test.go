package main

import (
	"testing"
	"time"

	"github.com/livedesk/gateway/protocol"
)

func TestDeliveriesLostAndTwice(t *testing.T) {
	stamp := func(n int) protocol.Message {
		return protocol.Message{From: "visitor", Text: "lg v=1 n=" + string(rune('0'+n)) + " t=5"}
	}
	type step struct {
		agent      int
		push       bool // else a transcript with the message
		n          int
		systemOnly bool // a transcript with a system message only
	}
	for _, tc := range []struct {
		name                       string
		steps                      []step
		seen, dups, transcriptOnly int
	}{
		{"nothing", nil, 0, 0, 0},
		{"pushed once", []step{{agent: 1, push: true, n: 1}}, 1, 0, 0},
		{"pushed to the old agent, in the new agent's transcript", []step{{agent: 1, push: true, n: 1}, {agent: 2, n: 1}}, 1, 0, 0},
		{"in the transcript only (stored while queued)", []step{{agent: 2, n: 1}}, 1, 0, 1},
		{"pushed to both agents", []step{{agent: 1, push: true, n: 1}, {agent: 2, push: true, n: 1}}, 1, 1, 0},
		{"pushed twice to one agent", []step{{agent: 1, push: true, n: 1}, {agent: 1, push: true, n: 1}}, 1, 1, 0},
		{"in the new agent's transcript and pushed to it", []step{{agent: 2, n: 1}, {agent: 2, push: true, n: 1}}, 1, 1, 0},
		{"two messages, one each way", []step{{agent: 1, push: true, n: 1}, {agent: 2, n: 2}}, 2, 0, 1},
		{"system messages and unstamped text are not counted", []step{{agent: 2, systemOnly: true}}, 0, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d deliveries
			for _, s := range tc.steps {
				switch {
				case s.systemOnly:
					d.transcript(s.agent, []protocol.Message{{From: "system", Text: "Transferred to Bo."}, {From: "visitor", Text: "load test 3"}})
				case s.push:
					d.push(s.agent, 1, int64(s.n), time.Millisecond, 3*time.Millisecond)
				default:
					d.transcript(s.agent, []protocol.Message{stamp(s.n)})
				}
			}
			seen, dups, tonly := d.counts()
			if seen != tc.seen || dups != tc.dups || tonly != tc.transcriptOnly {
				t.Fatalf("seen %d dups %d transcript-only %d, want %d %d %d", seen, dups, tonly, tc.seen, tc.dups, tc.transcriptOnly)
			}
		})
	}
	var d deliveries
	d.push(1, 1, 1, time.Millisecond, 3*time.Millisecond)
	d.push(2, 1, 1, time.Millisecond, 9*time.Millisecond)
	if p := d.lat.summary(); p.Count != 1 || p.Max != 2 {
		t.Fatalf("latency is the first push's only: %+v", p)
	}
}
