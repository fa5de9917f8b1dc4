package ws

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/livedesk/gateway/deskapi"
	"github.com/livedesk/gateway/gateway/api"
	"github.com/livedesk/gateway/hub"
	"github.com/livedesk/gateway/protocol"
	"github.com/livedesk/gateway/routing"
	"github.com/livedesk/gateway/store"
	"go.uber.org/zap"
)

// maxResume is how many messages a welcome replays at most.
const maxResume = 200

// HandleVisitor is GET /ws/visitor?site=ID: 404 for an unknown site, 403 for an
// origin the site does not allow, else the upgrade.
func (rt *Realtime) HandleVisitor(w http.ResponseWriter, r *http.Request) {
	if rt.refuseWhileDraining(w, r) {
		return
	}
	siteID := r.URL.Query().Get("site")
	site := rt.desk.Site(siteID)
	if site == nil {
		rt.http.WriteError(w, r, api.NotFound("site"))
		return
	}
	if origin := r.Header.Get("Origin"); len(site.AllowedOrigins) > 0 && !originAllowed(site.AllowedOrigins, origin) {
		rt.http.WriteError(w, r, api.Forbidden("origin", "origin not allowed for this site"))
		return
	}
	conn, release, ok := rt.accept(w, r, true)
	if !ok {
		return
	}
	rt.newSession(conn, true, siteID, release)
}

func originAllowed(allowed []string, origin string) bool {
	origin = strings.TrimSuffix(origin, "/")
	for _, a := range allowed {
		if strings.EqualFold(a, origin) {
			return true
		}
	}
	return false
}

// visitorHello answers a visitor's hello with its welcome. The welcome's now is
// the server's clock (extension): the widget words "back at" and closing banners
// against it rather than the visitor's clock.
func (ss *session) visitorHello(f *protocol.VisitorHello) *protocol.Error {
	rt := ss.rt
	if !rt.hellos.enter() {
		return protocol.Errorf(protocol.CodeUnavailable, "", "too many visitors connecting at once: retry")
	}
	defer rt.hellos.leave()
	ctx, cancel := opCtx()
	defer cancel()
	id, tok, isNew := rt.visitors.identify(ss.siteID, f.VisitorToken)
	if !isNew {
		// An erased visitor's genuine token is refused as a forged one is: one
		// key lookup, for hellos that bring a token only.
		erased, err := rt.store.VisitorErased(ctx, ss.siteID, id)
		if err != nil {
			return ss.storeFrameErr(err)
		}
		if erased {
			id, tok = rt.visitors.fresh(ss.siteID)
		}
	}
	ss.mu.Lock()
	ss.visitorID = id
	ss.page = truncate(f.Page, 2000)
	ss.lang = protocol.CleanLang(f.Lang)
	if _, err := time.LoadLocation(f.Timezone); err == nil && f.Timezone != "" && f.Timezone != "Local" && len(f.Timezone) <= 64 {
		ss.tz = f.Timezone
	}
	ss.mu.Unlock()
	var after int64
	if f.LastSeq != nil && *f.LastSeq > 0 {
		after = *f.LastSeq
	}
	var fe *protocol.Error
	// No status change can fall between the welcome's status and joining the
	// site's group (see deskapi.Desk.JoinVisitor).
	join := func() {
		ss.join("site:" + ss.siteID)
		ss.join("visitor:" + id)
	}
	err := rt.desk.JoinVisitor(ctx, ss.siteID, id, ss.client, join, func(v deskapi.VisitorJoin) [][]byte {
		w := protocol.VisitorWelcome{Now: rt.clock.Now().UTC(), VisitorID: id, VisitorToken: tok, Status: protocol.Status(v.Status),
			OfflineForm: offlineForm(v.Site), Departments: toWSDepartments(v.Departments)}
		if c := v.Conversation; c != nil {
			msgs, err := rt.store.ListMessages(ctx, c.ID, resumeFrom(after, c.LastSeq), maxResume)
			if err != nil {
				fe = ss.storeFrameErr(err)
				return nil
			}
			wc := toWSConversation(c, msgs)
			w.Conversation = &wc
		}
		out := [][]byte{protocol.Encode(w)}
		if v.ClosingSoon != nil {
			out = append(out, protocol.Encode(protocol.ClosingSoon{ClosesAt: v.ClosingSoon.UTC()}))
		}
		return out
	})
	switch {
	case errors.Is(err, routing.ErrUnknownSite):
		return protocol.Errorf(protocol.CodeNotFound, "", "site not found")
	case err != nil:
		ss.leaveAll()
		return ss.storeFrameErr(err)
	}
	return fe
}

// resumeFrom picks where a replay starts: after last_seq, but never more than
// maxResume messages back.
func resumeFrom(after, last int64) int64 {
	if last-after > maxResume {
		return last - maxResume
	}
	return after
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// visitorFrame handles a frame of a visitor that said hello.
func (ss *session) visitorFrame(f protocol.Inbound) *protocol.Error {
	if fe := f.Validate(); fe != nil {
		return fe
	}
	switch f := f.(type) {
	case *protocol.ChatStart:
		return ss.chatStart(f)
	case *protocol.VisitorMessage:
		return ss.visitorMessage(f)
	case *protocol.VisitorTyping:
		ctx, cancel := opCtx()
		defer cancel()
		c, err := ss.rt.desk.VisitorConversation(ctx, ss.visitorID)
		if err != nil {
			return ss.storeFrameErr(err)
		}
		if c != nil && c.AgentID != "" {
			ss.rt.out.send("agent:"+c.AgentID, protocol.Encode(protocol.TypingFrame{ConversationID: c.ID, State: *f.State}), false)
		}
		return nil
	case *protocol.VisitorChatEnd:
		ctx, cancel := opCtx()
		defer cancel()
		c, err := ss.rt.desk.VisitorConversation(ctx, ss.visitorID)
		if err != nil {
			return ss.storeFrameErr(err)
		}
		if c == nil {
			return protocol.Errorf(protocol.CodeNotFound, "", "no open conversation")
		}
		if _, err := ss.rt.desk.EndChat(ctx, routing.EndRequest{ConversationID: c.ID, By: store.FromVisitor, Re: f.ID}); err != nil {
			if errors.Is(err, routing.ErrNotInConversation) {
				return protocol.Errorf(protocol.CodeNotFound, "", "no open conversation")
			}
			return ss.storeFrameErr(err)
		}
		return nil
	case *protocol.OfflineSubmit:
		return ss.offlineSubmit(f)
	}
	return nil
}

// chatStart starts a validated chat.start's chat and answers how it went.
func (ss *session) chatStart(f *protocol.ChatStart) *protocol.Error {
	ctx, cancel := opCtx()
	defer cancel()
	if ss.refusedErased(ctx, f.ID) {
		return nil
	}
	number, err := ss.visitorNumber(ctx)
	if err != nil {
		return ss.storeFrameErr(err)
	}
	res, err := ss.rt.desk.StartChat(ctx, routing.StartRequest{SiteID: ss.siteID, VisitorID: ss.visitorID, ClientID: f.ID,
		Text: f.Text, Name: strings.TrimSpace(f.Name), Email: f.Email, Page: ss.page, Lang: ss.lang, Timezone: ss.tz,
		VisitorNumber: number, DepartmentID: f.DepartmentID})
	switch {
	case errors.Is(err, routing.ErrConversationExists):
		return protocol.Errorf(protocol.CodeConflict, "", "a conversation is already open or queued")
	case errors.Is(err, routing.ErrUnknownDepartment):
		return errUnknownDepartment
	case err != nil:
		return ss.storeFrameErr(err)
	}
	switch res.Outcome {
	case routing.OutcomeAssigned:
		ss.send(protocol.Encode(protocol.ChatAssigned{Re: f.ID, Conversation: toWSConversation(res.Conversation, res.Messages)}))
	case routing.OutcomeQueued:
		ss.send(protocol.Encode(protocol.ChatQueued{Re: f.ID, Conversation: toWSConversation(res.Conversation, res.Messages), Position: res.Position}))
	default:
		site := ss.rt.desk.Site(ss.siteID)
		ss.send(protocol.Encode(protocol.ChatOffline{Re: f.ID, DepartmentID: res.DepartmentID, Reason: res.Reason, OfflineForm: offlineForm(site), Prefill: protocol.Prefill(res.Prefill)}))
	}
	return nil
}

// refusedErased refuses a chat.start or an offline.submit (frame re) of a socket
// whose visitor was erased while it was open (docs/protocol.md#visitor-data-requests),
// so that nothing is stored under the erased identity again: `error unauthorized`,
// then close 4001, after which the widget drops its token and reconnects with a new
// identity. It reports whether it refused; a store that cannot say is not a refusal
// (the frame's own writes will meet the same store).
func (ss *session) refusedErased(ctx context.Context, re string) bool {
	erased, err := ss.rt.store.VisitorErased(ctx, ss.siteID, ss.visitorID)
	if err != nil || !erased {
		return false
	}
	ss.sendErr(re, protocol.Errorf(protocol.CodeUnauth, "", "this visitor's data was erased: reconnect for a new identity"))
	ss.client.CloseAfter(hub.CloseUnauthorized, "visitor erased")
	return true
}

// visitorNumber is the visitor's number on the site (store.Store.VisitorNumber),
// asked for the first time the socket needs it (a chat start or an offline message,
// not every hello) and then kept by the session. In cluster mode every node asks
// the shared store, so the number is the same whichever node the visitor is on.
func (ss *session) visitorNumber(ctx context.Context) (int64, error) {
	if ss.number > 0 {
		return ss.number, nil
	}
	n, err := ss.rt.store.VisitorNumber(ctx, ss.siteID, ss.visitorID)
	if err != nil {
		return 0, err
	}
	ss.number = n
	return n, nil
}

// visitorMessage stores a validated message of the visitor in its live
// conversation.
func (ss *session) visitorMessage(f *protocol.VisitorMessage) *protocol.Error {
	ctx, cancel := opCtx()
	defer cancel()
	ss.mu.Lock()
	cached := ss.liveConv
	ss.mu.Unlock()
	// One round trip while the chat goes on: the message goes straight to the
	// conversation the last one went to, and the store checks in the same write
	// that it is still this visitor's and live.
	a, err := ss.rt.desk.VisitorMessage(ctx, routing.VisitorMessage{VisitorID: ss.visitorID, ConversationID: cached,
		ClientID: f.ID, Text: f.Text, At: ss.rt.clock.Now().UTC()})
	ss.mu.Lock()
	switch {
	case err == nil:
		ss.liveConv = a.Conversation.ID
	case errors.Is(err, routing.ErrNotInConversation) && ss.liveConv == cached:
		ss.liveConv = ""
	}
	ss.mu.Unlock()
	switch {
	case errors.Is(err, routing.ErrNotInConversation):
		return protocol.Errorf(protocol.CodeConflict, "", "no open conversation: send chat.start first")
	case err != nil:
		return ss.storeFrameErr(err)
	}
	ss.deliver(f.ID, a)
	return nil
}

// appendLive stores a message of party (an agent's id) in conversation convID, acks
// it and pushes it to both sides (routing.AppendLive: the store checks in the same
// step that party may write there, and the message is idempotent by frame id). done
// is false when the conversation is unknown or party may not write to it: nothing
// was stored or sent, and the caller answers.
func (ss *session) appendLive(ctx context.Context, re, convID string, m *store.Message, party string) (fe *protocol.Error, done bool) {
	m.ConversationID = convID
	m.At = ss.rt.clock.Now().UTC()
	a, err := routing.AppendLive(ctx, ss.rt.store, m, party)
	switch {
	case errors.Is(err, routing.ErrNotInConversation):
		return nil, false
	case err != nil:
		return ss.storeFrameErr(err), true
	}
	ss.deliver(re, a)
	return nil, true
}

// deliver acks a stored message to this socket (re: the frame that sent it), then,
// unless it was a resend, pushes it to the conversation's visitor and agent.
func (ss *session) deliver(re string, a routing.Appended) {
	stored, c := a.Message, a.Conversation
	ss.send(protocol.Encode(protocol.MessageAck{Re: re, ConversationID: c.ID, Seq: stored.Seq, At: stored.At.UTC()}))
	if a.Duplicate {
		return
	}
	push := protocol.Encode(protocol.MessageFrame(toWSMessage(stored)))
	ss.rt.out.send("visitor:"+c.VisitorID, push, false)
	if c.AgentID != "" {
		ss.rt.out.send("agent:"+c.AgentID, push, false)
	}
}

// offlineSubmit stores a validated offline message with its custom fields checked
// against the site's form.
func (ss *session) offlineSubmit(f *protocol.OfflineSubmit) *protocol.Error {
	site := ss.rt.desk.Site(ss.siteID)
	if site == nil {
		return protocol.Errorf(protocol.CodeNotFound, "", "site not found")
	}
	fields, fe := f.CheckFields(offlineForm(site).Fields)
	if fe != nil {
		return fe
	}
	ctx, cancel := opCtx()
	defer cancel()
	if ss.refusedErased(ctx, f.ID) {
		return nil
	}
	var dept *store.Department
	if f.DepartmentID != "" {
		d, err := ss.rt.store.GetDepartment(ctx, f.DepartmentID)
		switch {
		case errors.Is(err, store.ErrNotFound) || (err == nil && d.SiteID != ss.siteID):
			return errUnknownDepartment
		case err != nil:
			return ss.storeFrameErr(err)
		}
		dept = d
	}
	number, err := ss.visitorNumber(ctx)
	if err != nil {
		return ss.storeFrameErr(err)
	}
	msg := &store.OfflineMessage{DepartmentID: f.DepartmentID, ID: uuid.Must(uuid.NewV7()).String(), SiteID: ss.siteID, VisitorID: ss.visitorID,
		Name: strings.TrimSpace(f.Name), Email: strings.TrimSpace(f.Email), Message: f.Message, Fields: fields, Page: ss.page,
		Lang: ss.lang, Timezone: ss.tz, VisitorNumber: number,
		CreatedAt: ss.rt.clock.Now().UTC(), ClientID: f.ID}
	// The notifications go in the same write as the message: both or neither.
	out, err := ss.rt.opts.Outbox.OfflineMessage(site, dept, msg)
	if err != nil {
		ss.rt.log.Error("offline message notification not made", zap.Error(err))
	}
	m, dup, err := ss.rt.store.AddOfflineMessage(ctx, msg, out...)
	if err != nil {
		return ss.storeFrameErr(err)
	}
	if !dup && len(out) > 0 {
		ss.rt.opts.Wake()
	}
	ss.send(protocol.Encode(protocol.OfflineReceived{Re: f.ID, MessageID: m.ID}))
	if !dup {
		ss.rt.offlineArrived(ctx, m)
	}
	return nil
}

// errUnknownDepartment answers a chat.start or offline.submit naming a department
// the site does not have (docs/protocol.md#routing-by-department).
var errUnknownDepartment = protocol.Errorf(protocol.CodeNotFound, "department_id", "no such department on this site")
