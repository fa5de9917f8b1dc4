package ws

import (
	"errors"
	"net/http"

	"github.com/livedesk/gateway/gateway/api"
	"github.com/livedesk/gateway/hub"
	"github.com/livedesk/gateway/protocol"
	"github.com/livedesk/gateway/routing"
	"github.com/livedesk/gateway/store"
)

// HandleAgent is GET /ws/agent; the token comes in the hello frame.
func (rt *Realtime) HandleAgent(w http.ResponseWriter, r *http.Request) {
	if rt.refuseWhileDraining(w, r) {
		return
	}
	conn, release, ok := rt.accept(w, r, false)
	if !ok {
		return
	}
	rt.newSession(conn, false, "", release)
}

// agentGroups are the hub groups an agent's socket belongs to: its own, and those of
// the sites it serves (or of all sites).
func agentGroups(a *store.Agent) []string {
	groups := []string{"agent:" + a.ID}
	if len(a.Sites) == 0 {
		return append(groups, "agents:all")
	}
	for _, s := range a.Sites {
		groups = append(groups, "agents:site:"+s)
	}
	return groups
}

// agentHello authenticates an agent's hello and answers with its welcome (now is
// the server's clock, an extension, for countdowns).
func (ss *session) agentHello(f *protocol.AgentHello) *protocol.Error {
	rt := ss.rt
	ctx, cancel := opCtx()
	defer cancel()
	a, err := rt.http.Authenticate(ctx, f.Token)
	if err != nil {
		var ae *api.APIError
		if errors.As(err, &ae) {
			return protocol.Errorf(protocol.CodeUnauth, "token", "%s", ae.Message)
		}
		return ss.storeFrameErr(err)
	}
	ss.mu.Lock()
	ss.agent = a
	ss.mu.Unlock()
	var fe *protocol.Error
	// The welcome goes out before the changes this socket brings (its sites coming
	// online, queued chats assigned to it): see deskapi.Desk.ConnectAgent.
	join := func() {
		for _, g := range agentGroups(a) {
			ss.join(g)
		}
	}
	err = rt.desk.ConnectAgent(ctx, a.ID, ss.client, join, func(snap routing.AgentSnapshot) [][]byte {
		w := protocol.AgentWelcome{Now: rt.clock.Now().UTC(), Agent: mustJSON(api.ViewAgent(a)), Presence: protocol.Presence(snap.Presence),
			Shift: protocol.Shift(snap.Shift), Conversations: []protocol.AgentChat{}, Sites: []protocol.SiteSummary{}}
		for _, c := range snap.Conversations {
			msgs, err := rt.store.ListMessages(ctx, c.ID, resumeFrom(0, c.LastSeq), maxResume)
			if err != nil {
				fe = ss.storeFrameErr(err)
				return nil
			}
			w.Conversations = append(w.Conversations, protocol.AgentChat{Conversation: toWSConversation(c, msgs), Visitor: visitorOf(c)})
		}
		for id, st := range snap.Sites {
			s := protocol.SiteSummary{ID: id, Name: snap.SiteNames[id], Status: protocol.Status(st), Queue: snap.Queues[id]}
			for _, d := range snap.Departments[id] {
				s.Departments = append(s.Departments, protocol.DepartmentSummary{
					Department: protocol.Department{ID: d.ID, Name: d.Name, Status: protocol.Status(d.Status)}, Queue: d.Queue})
			}
			w.Sites = append(w.Sites, s)
		}
		sortSites(w.Sites)
		return [][]byte{protocol.Encode(w)}
	})
	if err != nil {
		ss.leaveAll()
		ss.mu.Lock()
		ss.agent = nil
		ss.mu.Unlock()
		if errors.Is(err, store.ErrNotFound) {
			return protocol.Errorf(protocol.CodeUnauth, "token", "unknown agent")
		}
		return ss.storeFrameErr(err)
	}
	return fe
}

func (ss *session) agentID() string {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.agent.ID
}

// agentFrame handles a frame of an agent that said hello. A message, typing or
// activity frame counts as activity even when its fields are refused.
func (ss *session) agentFrame(f protocol.Inbound) *protocol.Error {
	rt := ss.rt
	id := ss.agentID()
	switch f.(type) {
	case *protocol.Activity, *protocol.AgentMessage, *protocol.AgentTyping:
		rt.desk.Activity(id)
	}
	if fe := f.Validate(); fe != nil {
		return fe
	}
	switch f := f.(type) {
	case *protocol.PresenceSet:
		ctx, cancel := opCtx()
		defer cancel()
		p, err := rt.desk.SetPresence(ctx, id, f.Status, routing.PresenceReasonManual)
		if err != nil {
			return ss.storeFrameErr(err)
		}
		// A change reaches every socket of the agent; the asking socket also gets
		// an answer with re, even when nothing changed (else it would wait forever).
		if f.ID != "" {
			ss.send(protocol.Encode(protocol.PresenceFrame{Re: f.ID, Presence: protocol.Presence(p)}))
		}
		return nil
	case *protocol.AgentMessage:
		ss.mu.Lock()
		name := ss.agent.Name
		ss.mu.Unlock()
		ctx, cancel := opCtx()
		defer cancel()
		m := &store.Message{From: store.FromAgent, AgentID: id, AgentName: name, Text: f.Text, ClientID: f.ID}
		if fe, done := ss.appendLive(ctx, f.ID, f.ConversationID, m, id); done {
			return fe
		}
		return errNotYourConversation
	case *protocol.AgentTyping:
		c, fe := ss.ownConversation(f.ConversationID)
		if fe != nil {
			return fe
		}
		rt.out.send("visitor:"+c.VisitorID, protocol.Encode(protocol.TypingFrame{State: *f.State}), false)
		return nil
	case *protocol.AgentChatEnd:
		c, fe := ss.ownConversation(f.ConversationID)
		if fe != nil {
			return fe
		}
		ctx, cancel := opCtx()
		defer cancel()
		if _, err := rt.desk.EndChat(ctx, routing.EndRequest{ConversationID: c.ID, By: store.FromAgent, AgentID: id, Re: f.ID}); err != nil {
			if errors.Is(err, routing.ErrNotInConversation) {
				return protocol.Errorf(protocol.CodeNotFound, "conversation_id", "no such open conversation of yours")
			}
			return ss.storeFrameErr(err)
		}
		return nil
	case *protocol.ChatTransfer:
		return ss.chatTransfer(f)
	case *protocol.ShiftSnooze:
		// The answer, with its re, goes to every socket of the agent: all its tabs
		// learn the new end.
		ctx, cancel := opCtx()
		defer cancel()
		if err := rt.desk.Snooze(ctx, id, f.ID); err != nil {
			return ss.storeFrameErr(err)
		}
		return nil
	case *protocol.ShiftSnoozeEnd:
		until, _ := f.UntilTime() // validated above
		ctx, cancel := opCtx()
		defer cancel()
		if err := rt.desk.EndSnooze(ctx, id, f.ID, until); err != nil {
			if errors.Is(err, routing.ErrSnoozeEnd) {
				return protocol.Errorf(protocol.CodeBadRequest, "until", "%v", routing.ErrSnoozeEnd)
			}
			return ss.storeFrameErr(err)
		}
		return nil
	}
	return nil
}

// ownConversation is the open conversation of this agent with that id.
// errNotYourConversation answers an agent's frame about a conversation that is not
// open with it.
var errNotYourConversation = protocol.Errorf(protocol.CodeNotFound, "conversation_id", "no such open conversation of yours")

func (ss *session) ownConversation(id string) (*store.Conversation, *protocol.Error) {
	ctx, cancel := opCtx()
	defer cancel()
	c, err := ss.rt.desk.Conversation(ctx, id)
	if err != nil {
		return nil, ss.storeFrameErr(err)
	}
	if c == nil || c.State != store.StateOpen || c.AgentID != ss.agentID() {
		return nil, errNotYourConversation
	}
	return c, nil
}

// ForceLogout tells every socket of the agent, on every node, to log out, then
// closes them with 4002.
func (rt *Realtime) ForceLogout(agentID string) {
	rt.node.ForceLogout(agentID)
}

// forceLogoutHere is ForceLogout for the sockets of this node.
func (rt *Realtime) forceLogoutHere(agentID string) {
	msg := protocol.Encode(protocol.ForceLogout{})
	rt.hub.Each("agent:"+agentID, func(c *hub.Client) {
		c.Send(msg)
		c.CloseAfter(hub.CloseLoggedOut, "logged out")
	})
}

// AgentChanged gives the desk an edited agent and moves its sockets, on every node,
// to the groups of its new site list.
func (rt *Realtime) AgentChanged(a *store.Agent) {
	ctx, cancel := opCtx()
	defer cancel()
	rt.desk.AgentChanged(ctx, a)
	rt.node.AgentEdited(a)
}

// moveAgentSockets moves the agent's sockets on this node to the groups of its new
// site list.
func (rt *Realtime) moveAgentSockets(a *store.Agent) {
	rt.sessions.Range(func(k, _ any) bool {
		ss := k.(*session)
		ss.mu.Lock()
		mine := ss.agent != nil && ss.agent.ID == a.ID
		if mine {
			ss.agent = a
		}
		ss.mu.Unlock()
		if mine && ss.helloed.Load() {
			ss.setGroups(agentGroups(a))
		}
		return true
	})
}
