package gateway

import (
	"errors"
	"net/http"
	"time"

	"github.com/livedesk/gateway/hub"
	"github.com/livedesk/gateway/protocol"
	"github.com/livedesk/gateway/routing"
	"github.com/livedesk/gateway/store"
)

// handleAgentWS is GET /ws/agent; the token comes in the hello frame.
func (rt *realtime) handleAgentWS(w http.ResponseWriter, r *http.Request) {
	if rt.refuseWhileDraining(w, r) {
		return
	}
	conn, release, ok := rt.accept(w, r, false)
	if !ok {
		return
	}
	rt.newSession(conn, false, "", release)
}

type agentWelcome struct {
	Now           time.Time        `json:"now"` // the server's clock (extension), for countdowns
	Agent         agentView        `json:"agent"`
	Presence      routing.Presence `json:"presence"`
	Shift         routing.Shift    `json:"shift"`
	Conversations []agentChat      `json:"conversations"`
	Sites         []wsSite         `json:"sites"`
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

func (ss *session) agentHello(f *inFrame) *frameError {
	rt := ss.rt
	ctx, cancel := opCtx()
	defer cancel()
	a, err := rt.s.Authenticate(ctx, f.Token)
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) {
			return frameErr(protocol.CodeUnauth, "token", "%s", ae.Message)
		}
		return ss.storeFrameErr(err)
	}
	ss.mu.Lock()
	ss.agent = a
	ss.mu.Unlock()
	var fe *frameError
	// The welcome goes out before the changes this socket brings (its sites coming
	// online, queued chats assigned to it): see deskAPI.ConnectAgent.
	join := func() {
		for _, g := range agentGroups(a) {
			ss.join(g)
		}
	}
	err = rt.desk.ConnectAgent(ctx, a.ID, ss.client, join, func(snap routing.AgentSnapshot) [][]byte {
		w := agentWelcome{Now: rt.s.clock.Now().UTC(), Agent: viewAgent(a), Presence: snap.Presence, Shift: snap.Shift,
			Conversations: []agentChat{}, Sites: []wsSite{}}
		for _, c := range snap.Conversations {
			msgs, err := rt.s.store.ListMessages(ctx, c.ID, resumeFrom(0, c.LastSeq), maxResume)
			if err != nil {
				fe = ss.storeFrameErr(err)
				return nil
			}
			w.Conversations = append(w.Conversations, agentChat{Conversation: toWSConversation(c, msgs), Visitor: visitorOf(c)})
		}
		for id, st := range snap.Sites {
			w.Sites = append(w.Sites, wsSite{ID: id, Name: snap.SiteNames[id], Status: st, Queue: snap.Queues[id]})
		}
		sortSites(w.Sites)
		return [][]byte{frame("welcome", w)}
	})
	if err != nil {
		ss.leaveAll()
		ss.mu.Lock()
		ss.agent = nil
		ss.mu.Unlock()
		if errors.Is(err, store.ErrNotFound) {
			return frameErr(protocol.CodeUnauth, "token", "unknown agent")
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

func (ss *session) agentFrame(f *inFrame) *frameError {
	rt := ss.rt
	id := ss.agentID()
	switch f.Type {
	case "presence.set":
		if f.Status != store.PresenceOnline && f.Status != store.PresenceAway && f.Status != store.PresenceInvisible {
			return frameErr(protocol.CodeBadRequest, "status", "must be online, away or invisible")
		}
		ctx, cancel := opCtx()
		defer cancel()
		p, err := rt.desk.SetPresence(ctx, id, f.Status, routing.PresenceReasonManual)
		if err != nil {
			return ss.storeFrameErr(err)
		}
		// A change reaches every socket of the agent; the asking socket also gets
		// an answer with re, even when nothing changed (else it would wait forever).
		if f.ID != "" {
			ss.send(frame("presence", map[string]any{"re": f.ID, "status": p.Status, "reason": p.Reason}))
		}
		return nil
	case "activity":
		rt.desk.Activity(id)
		return nil
	case "message":
		rt.desk.Activity(id)
		if f.ID == "" {
			return frameErr(protocol.CodeBadRequest, "id", "required")
		}
		if fe := checkText(f.Text, "text"); fe != nil {
			return fe
		}
		if f.ConversationID == "" {
			return frameErr(protocol.CodeBadRequest, "conversation_id", "required")
		}
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
	case "typing":
		rt.desk.Activity(id)
		if f.State == nil {
			return frameErr(protocol.CodeBadRequest, "state", "required: true or false")
		}
		c, fe := ss.ownConversation(f.ConversationID)
		if fe != nil {
			return fe
		}
		rt.out.send("visitor:"+c.VisitorID, frame("typing", map[string]any{"state": *f.State}), false)
		return nil
	case "chat.end":
		c, fe := ss.ownConversation(f.ConversationID)
		if fe != nil {
			return fe
		}
		ctx, cancel := opCtx()
		defer cancel()
		if _, err := rt.desk.EndChat(ctx, routing.EndRequest{ConversationID: c.ID, By: store.FromAgent, AgentID: id, Re: f.ID}); err != nil {
			if errors.Is(err, routing.ErrNotInConversation) {
				return frameErr(protocol.CodeNotFound, "conversation_id", "no such open conversation of yours")
			}
			return ss.storeFrameErr(err)
		}
		return nil
	case "shift.snooze":
		// The answer, with its re, goes to every socket of the agent: all its tabs
		// learn the new end.
		ctx, cancel := opCtx()
		defer cancel()
		if err := rt.desk.Snooze(ctx, id, f.ID); err != nil {
			return ss.storeFrameErr(err)
		}
		return nil
	case "shift.snooze.end":
		var until time.Time
		if f.Until != "" {
			t, err := time.Parse(time.RFC3339, f.Until)
			if err != nil {
				return frameErr(protocol.CodeBadRequest, "until", "until must be an RFC 3339 time, like 2026-11-23T18:30:00Z")
			}
			until = t
		}
		ctx, cancel := opCtx()
		defer cancel()
		if err := rt.desk.EndSnooze(ctx, id, f.ID, until); err != nil {
			if errors.Is(err, routing.ErrSnoozeEnd) {
				return frameErr(protocol.CodeBadRequest, "until", "%v", routing.ErrSnoozeEnd)
			}
			return ss.storeFrameErr(err)
		}
		return nil
	case "hello":
		return frameErr(protocol.CodeBadRequest, "type", "hello was already received")
	}
	return frameErr(protocol.CodeUnknownType, "type", "unknown frame type %q", f.Type)
}

// ownConversation is the open conversation of this agent with that id.
// errNotYourConversation answers an agent's frame about a conversation that is not
// open with it.
var errNotYourConversation = frameErr(protocol.CodeNotFound, "conversation_id", "no such open conversation of yours")

func (ss *session) ownConversation(id string) (*store.Conversation, *frameError) {
	if id == "" {
		return nil, frameErr(protocol.CodeBadRequest, "conversation_id", "required")
	}
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

// forceLogout tells every socket of the agent, on every node, to log out, then
// closes them with 4002.
func (rt *realtime) forceLogout(agentID string) {
	if rt.cluster != nil {
		rt.cluster.broadcastControl(control{Op: ctlLogout, ID: agentID})
		return
	}
	rt.forceLogoutHere(agentID)
}

// forceLogoutHere is forceLogout for the sockets of this node.
func (rt *realtime) forceLogoutHere(agentID string) {
	msg := frame("force_logout", struct{}{})
	rt.hub.Each("agent:"+agentID, func(c *hub.Client) {
		c.Send(msg)
		c.CloseAfter(hub.CloseLoggedOut, "logged out")
	})
}

// agentChanged gives the desk an edited agent and moves its sockets, on every node,
// to the groups of its new site list.
func (rt *realtime) agentChanged(a *store.Agent) {
	ctx, cancel := opCtx()
	defer cancel()
	rt.desk.AgentChanged(ctx, a)
	if rt.cluster != nil {
		rt.cluster.broadcastControl(control{Op: ctlAgent, ID: a.ID})
		return
	}
	rt.moveAgentSockets(a)
}

// moveAgentSockets moves the agent's sockets on this node to the groups of its new
// site list.
func (rt *realtime) moveAgentSockets(a *store.Agent) {
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
