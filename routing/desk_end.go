package routing

import (
	"context"

	"github.com/livedesk/gateway/store"
)

// EndRequest asks to end a conversation.
type EndRequest struct {
	ConversationID string `json:"conversation_id"`
	// By is "visitor" or "agent"; AgentID is the agent's, who may end only a
	// conversation assigned to it.
	By      string `json:"by"`
	AgentID string `json:"agent_id"`
	// Re is the id of the frame that asked, passed on to Notifier.Ended so the
	// answer can carry it ("" for none).
	Re string `json:"re"`
	// Quiet ends it without the notifications an end makes (the transcript's
	// e-mail and webhook): the end of a visitor's erasure
	// (docs/protocol.md#visitor-data-requests), whose transcript must not go out.
	Quiet bool `json:"quiet,omitempty"`
}

// EndChat ends a queued or open conversation. The end is decided under the lock (a
// queued chat leaves its queue), written outside it with the caller's context, and
// carried out under it again; meanwhile the conversation is busy, so a second end
// waits for the first and is then told there is no such conversation. When the
// store refuses, the conversation is as it was (back at its place in the queue).
func (d *Desk) EndChat(ctx context.Context, req EndRequest) (*store.Conversation, error) {
	conversationID, by, agentID := req.ConversationID, req.By, req.AgentID
	d.mu.Lock()
	defer d.unlock()
	var cs *convState
	for {
		cs = d.convs[conversationID]
		if cs == nil || cs.pending || (by == store.FromAgent && cs.conv.AgentID != agentID) {
			return nil, ErrNotInConversation
		}
		if cs.busy == nil {
			break
		}
		if err := d.waitLocked(ctx, cs); err != nil {
			return nil, err
		}
	}
	now := d.clock.Now()
	var out []*store.Notification
	if ss := d.sites[cs.conv.SiteID]; ss != nil && d.announce != nil && !req.Quiet {
		ended := *cs.conv
		ended.State, ended.EndedAt, ended.EndedBy = store.StateEnded, &now, by
		out = d.announce.ConversationEnded(ss.site, &ended)
	}
	wasOpen := cs.conv.State == store.StateOpen
	if ss := d.sites[cs.conv.SiteID]; ss != nil {
		if ln := ss.lineFor(cs.conv.DepartmentID); queueIndex(ln.queue, conversationID) >= 0 {
			stopTimer(cs.timeout)
			cs.timeout = nil
			ln.queue = removeID(ln.queue, conversationID)
		}
	}
	cs.begin()
	d.unlock()

	c, err := d.store.UpdateConversation(ctx, conversationID, func(c *store.Conversation) error {
		c.State, c.EndedAt, c.EndedBy = store.StateEnded, &now, by
		return nil
	}, out...)

	d.mu.Lock()
	cs.finish()
	if err != nil {
		if !wasOpen {
			d.requeueLocked(cs)
		}
		return nil, err
	}
	if len(out) > 0 {
		d.announce.Stored()
	}
	d.forgetLocked(cs)
	d.notify.Ended(c, by, req.Re)
	if ss := d.sites[c.SiteID]; ss != nil && !wasOpen {
		d.queueChangedLocked(ss, ss.lineFor(c.DepartmentID))
	}
	if as := d.agents[c.AgentID]; as != nil && wasOpen {
		as.open--
		d.drainForAgentLocked(as, d.clock.Now())
	}
	return c, nil
}

// VisitorConversation returns the visitor's queued or open conversation, or nil.
func (d *Desk) VisitorConversation(visitorID string) *store.Conversation {
	d.mu.Lock()
	defer d.unlock()
	if id, ok := d.byVisitor[visitorID]; ok && !d.convs[id].pending {
		return copyConv(d.convs[id].conv)
	}
	return nil
}

// Conversation returns a queued or open conversation, or nil.
func (d *Desk) Conversation(id string) *store.Conversation {
	d.mu.Lock()
	defer d.unlock()
	if cs := d.convs[id]; cs != nil && !cs.pending {
		return copyConv(cs.conv)
	}
	return nil
}

// QueueLength returns how many chats wait for a site.
func (d *Desk) QueueLength(siteID string) int {
	d.mu.Lock()
	defer d.unlock()
	if ss := d.sites[siteID]; ss != nil {
		return ss.queued()
	}
	return 0
}
