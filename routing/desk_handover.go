package routing

import (
	"context"
	"sort"
	"time"

	"github.com/livedesk/gateway/store"
	"go.uber.org/zap"
)

// openOfLocked is the agent's open conversations, oldest assignment first (copies).
func (d *Desk) openOfLocked(agentID string) []*store.Conversation {
	var out []*store.Conversation
	for _, cs := range d.convs {
		if cs.conv.State == store.StateOpen && cs.conv.AgentID == agentID && !cs.pending {
			out = append(out, copyConv(cs.conv))
		}
	}
	sort.Slice(out, func(i, j int) bool { return assignedBefore(out[i], out[j]) })
	return out
}

func assignedBefore(a, b *store.Conversation) bool {
	ta, tb := a.CreatedAt, b.CreatedAt
	if a.AssignedAt != nil {
		ta = *a.AssignedAt
	}
	if b.AssignedAt != nil {
		tb = *b.AssignedAt
	}
	if !ta.Equal(tb) {
		return ta.Before(tb)
	}
	return a.ID < b.ID
}

// handOverLocked hands the open chats of an agent whose shift just ended, on sites
// whose shift_end is handover, to the available agent of the same department (of the
// site, for a chat without one) with the fewest open chats, oldest assignment first,
// each counting the loads the previous ones left (docs/protocol.md#handover). A chat
// no one can take stays with its agent. The transfers are written after the lock.
func (d *Desk) handOverLocked(as *agentState, now time.Time) {
	for _, c := range d.openOfLocked(as.agent.ID) {
		cs := d.convs[c.ID]
		ss := d.sites[c.SiteID]
		if cs == nil || cs.busy != nil || ss == nil || ss.site.ShiftEnd != store.ShiftEndHandover {
			continue
		}
		ln := ss.department(c.DepartmentID)
		if ln == nil {
			ln = &line{} // the site's: every agent who serves it
		}
		to := d.pickAgentLocked(ss, ln, now, as.agent.ID)
		if to == nil {
			continue
		}
		t, err := d.decideTransferLocked(cs, TransferRequest{ConversationID: c.ID, ToAgentID: to.agent.ID}, now)
		if err != nil {
			d.log.Warn("hand-over refused", zap.String("conversation", c.ID), zap.Error(err))
			continue
		}
		d.writes = append(d.writes, func() {
			ctx, cancel := context.WithTimeout(context.Background(), storeWriteTimeout)
			defer cancel()
			if _, err := d.recordTransfer(ctx, t); err != nil {
				d.log.Error("could not record a hand-over; the chat stays with its agent", zap.String("conversation", t.convID), zap.Error(err))
			}
		})
	}
}
