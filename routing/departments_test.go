package routing

import (
	"testing"
	"time"
)

// The site's status derives from its departments' (docs/protocol.md#department-status).
func TestDerivedSiteStatus(t *testing.T) {
	at := func(h int) *time.Time { x := utc(0, h, 0, 0); return &x }
	open := func(closes *time.Time) Status { return Status{Online: true, Reason: ReasonOpen, ClosesAt: closes} }
	shut := func(reason string, opens *time.Time) Status { return Status{Reason: reason, OpensAt: opens} }
	cases := []struct {
		name  string
		depts []Status
		want  Status
	}{
		{"none: nothing to derive", nil, Status{}},
		{"one online", []Status{open(at(17))}, open(at(17))},
		{"online wins over an offline first", []Status{shut(ReasonOutsideHours, at(9)), open(at(17))}, open(at(17))},
		{"closes when the last online one closes", []Status{open(at(17)), open(at(22)), shut(ReasonNoAgents, nil)}, open(at(22))},
		{"an online one that never closes: no closes_at", []Status{open(at(17)), open(nil)}, open(nil)},
		{"all offline: the first's reason", []Status{shut(ReasonNoAgents, nil), shut(ReasonOutsideHours, at(9))}, shut(ReasonNoAgents, at(9))},
		{"all offline: the earliest opening", []Status{shut(ReasonOutsideHours, at(12)), shut(ReasonOutsideHours, at(8))}, shut(ReasonOutsideHours, at(8))},
		{"all paused", []Status{shut(ReasonPaused, at(9)), shut(ReasonPaused, at(9))}, shut(ReasonPaused, at(9))},
		{"none opens again", []Status{shut(ReasonOutsideHours, nil), shut(ReasonNoAgents, nil)}, shut(ReasonOutsideHours, nil)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := DerivedSiteStatus(c.depts)
			if !got.Equal(c.want) || got.Online != c.want.Online {
				t.Fatalf("got %s, want %s", fmtStatus(got), fmtStatus(c.want))
			}
		})
	}
}
