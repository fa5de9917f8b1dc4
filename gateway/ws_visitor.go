package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/livedesk/gateway/protocol"
	"github.com/livedesk/gateway/routing"
	"github.com/livedesk/gateway/store"
	"go.uber.org/zap"
)

// maxResume is how many messages a welcome replays at most.
const maxResume = 200

// handleVisitorWS is GET /ws/visitor?site=ID: 404 for an unknown site, 403 for an
// origin the site does not allow, else the upgrade.
func (rt *realtime) handleVisitorWS(w http.ResponseWriter, r *http.Request) {
	if rt.refuseWhileDraining(w, r) {
		return
	}
	siteID := r.URL.Query().Get("site")
	site := rt.desk.Site(siteID)
	if site == nil {
		rt.s.writeAPIError(w, r, notFound("site"))
		return
	}
	if origin := r.Header.Get("Origin"); len(site.AllowedOrigins) > 0 && !originAllowed(site.AllowedOrigins, origin) {
		rt.s.writeAPIError(w, r, forbidden("origin", "origin not allowed for this site"))
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

type visitorWelcome struct {
	// Now is the server's clock (extension): the widget words "back at" and
	// closing banners against it rather than the visitor's clock.
	Now          time.Time         `json:"now"`
	VisitorID    string            `json:"visitor_id"`
	VisitorToken string            `json:"visitor_token"`
	Status       routing.Status    `json:"status"`
	OfflineForm  store.OfflineForm `json:"offline_form"`
	Conversation *wsConversation   `json:"conversation"`
}

func (ss *session) visitorHello(f *inFrame) *frameError {
	rt := ss.rt
	if !rt.hellos.enter() {
		return frameErr(protocol.CodeUnavailable, "", "too many visitors connecting at once: retry")
	}
	defer rt.hellos.leave()
	id, tok, _ := rt.visitors.identify(ss.siteID, f.VisitorToken)
	ss.mu.Lock()
	ss.visitorID = id
	ss.page = truncate(f.Page, 2000)
	ss.lang = cleanLang(f.Lang)
	if _, err := time.LoadLocation(f.Timezone); err == nil && f.Timezone != "" && f.Timezone != "Local" && len(f.Timezone) <= 64 {
		ss.tz = f.Timezone
	}
	ss.mu.Unlock()
	var after int64
	if f.LastSeq != nil && *f.LastSeq > 0 {
		after = *f.LastSeq
	}
	var fe *frameError
	ctx, cancel := opCtx()
	defer cancel()
	// No status change can fall between the welcome's status and joining the
	// site's group (see deskAPI.JoinVisitor).
	join := func() {
		ss.join("site:" + ss.siteID)
		ss.join("visitor:" + id)
	}
	err := rt.desk.JoinVisitor(ctx, ss.siteID, id, ss.client, join, func(v visitorJoin) [][]byte {
		w := visitorWelcome{Now: rt.s.clock.Now().UTC(), VisitorID: id, VisitorToken: tok, Status: v.Status}
		if v.Site != nil {
			w.OfflineForm = v.Site.OfflineForm
		}
		if w.OfflineForm.Fields == nil {
			w.OfflineForm.Fields = []store.FormField{}
		}
		if c := v.Conversation; c != nil {
			msgs, err := rt.s.store.ListMessages(ctx, c.ID, resumeFrom(after, c.LastSeq), maxResume)
			if err != nil {
				fe = ss.storeFrameErr(err)
				return nil
			}
			wc := toWSConversation(c, msgs)
			w.Conversation = &wc
		}
		out := [][]byte{frame("welcome", w)}
		if v.ClosingSoon != nil {
			out = append(out, frame("closing_soon", map[string]any{"closes_at": v.ClosingSoon.UTC()}))
		}
		return out
	})
	switch {
	case errors.Is(err, routing.ErrUnknownSite):
		return frameErr(protocol.CodeNotFound, "", "site not found")
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

// cleanLang keeps a language tag such as "fr" or "pt-BR" (letters, digits and '-',
// at most 35 characters) and drops anything else.
func cleanLang(s string) string {
	if len(s) == 0 || len(s) > 35 {
		return ""
	}
	for _, r := range s {
		if !(r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return ""
		}
	}
	return s
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

func (ss *session) visitorFrame(f *inFrame) *frameError {
	switch f.Type {
	case "chat.start":
		return ss.chatStart(f)
	case "message":
		return ss.visitorMessage(f)
	case "typing":
		if f.State == nil {
			return frameErr(protocol.CodeBadRequest, "state", "required: true or false")
		}
		ctx, cancel := opCtx()
		defer cancel()
		c, err := ss.rt.desk.VisitorConversation(ctx, ss.visitorID)
		if err != nil {
			return ss.storeFrameErr(err)
		}
		if c != nil && c.AgentID != "" {
			ss.rt.out.send("agent:"+c.AgentID, frame("typing", map[string]any{"conversation_id": c.ID, "state": *f.State}), false)
		}
		return nil
	case "chat.end":
		ctx, cancel := opCtx()
		defer cancel()
		c, err := ss.rt.desk.VisitorConversation(ctx, ss.visitorID)
		if err != nil {
			return ss.storeFrameErr(err)
		}
		if c == nil {
			return frameErr(protocol.CodeNotFound, "", "no open conversation")
		}
		if _, err := ss.rt.desk.EndChat(ctx, routing.EndRequest{ConversationID: c.ID, By: store.FromVisitor, Re: f.ID}); err != nil {
			if errors.Is(err, routing.ErrNotInConversation) {
				return frameErr(protocol.CodeNotFound, "", "no open conversation")
			}
			return ss.storeFrameErr(err)
		}
		return nil
	case "offline.submit":
		return ss.offlineSubmit(f)
	case "hello":
		return frameErr(protocol.CodeBadRequest, "type", "hello was already received")
	}
	return frameErr(protocol.CodeUnknownType, "type", "unknown frame type %q", f.Type)
}

func (ss *session) chatStart(f *inFrame) *frameError {
	if f.ID == "" {
		return frameErr(protocol.CodeBadRequest, "id", "required")
	}
	if fe := checkText(f.Text, "text"); fe != nil {
		return fe
	}
	if utf8.RuneCountInString(f.Name) > 200 {
		return frameErr(protocol.CodeBadRequest, "name", "at most 200 characters")
	}
	if f.Email != "" && !protocol.ValidEmail(f.Email) {
		return frameErr(protocol.CodeBadRequest, "email", "not a valid e-mail address")
	}
	ctx, cancel := opCtx()
	defer cancel()
	number, err := ss.visitorNumber(ctx)
	if err != nil {
		return ss.storeFrameErr(err)
	}
	res, err := ss.rt.desk.StartChat(ctx, routing.StartRequest{SiteID: ss.siteID, VisitorID: ss.visitorID, ClientID: f.ID,
		Text: f.Text, Name: strings.TrimSpace(f.Name), Email: f.Email, Page: ss.page, Lang: ss.lang, Timezone: ss.tz,
		VisitorNumber: number})
	switch {
	case errors.Is(err, routing.ErrConversationExists):
		return frameErr(protocol.CodeConflict, "", "a conversation is already open or queued")
	case err != nil:
		return ss.storeFrameErr(err)
	}
	switch res.Outcome {
	case routing.OutcomeAssigned:
		ss.send(frame("chat.assigned", map[string]any{"re": f.ID, "conversation": toWSConversation(res.Conversation, res.Messages)}))
	case routing.OutcomeQueued:
		ss.send(frame("chat.queued", map[string]any{"re": f.ID, "conversation": toWSConversation(res.Conversation, res.Messages), "position": res.Position}))
	default:
		site := ss.rt.desk.Site(ss.siteID)
		ss.send(frame("chat.offline", offlineFrame(f.ID, res.Reason, site, res.Prefill)))
	}
	return nil
}

// visitorNumber is the visitor's number on the site (store.Store.VisitorNumber),
// asked for the first time the socket needs it (a chat start or an offline message,
// not every hello) and then kept by the session. In cluster mode every node asks
// the shared store, so the number is the same whichever node the visitor is on.
func (ss *session) visitorNumber(ctx context.Context) (int64, error) {
	if ss.number > 0 {
		return ss.number, nil
	}
	n, err := ss.rt.s.store.VisitorNumber(ctx, ss.siteID, ss.visitorID)
	if err != nil {
		return 0, err
	}
	ss.number = n
	return n, nil
}

func offlineFrame(re, reason string, site *store.Site, pre routing.Prefill) map[string]any {
	form := store.OfflineForm{Fields: []store.FormField{}}
	if site != nil {
		form = site.OfflineForm
		if form.Fields == nil {
			form.Fields = []store.FormField{}
		}
	}
	m := map[string]any{"reason": reason, "offline_form": form, "prefill": pre}
	if re != "" {
		m["re"] = re
	}
	return m
}

func (ss *session) visitorMessage(f *inFrame) *frameError {
	if f.ID == "" {
		return frameErr(protocol.CodeBadRequest, "id", "required")
	}
	if fe := checkText(f.Text, "text"); fe != nil {
		return fe
	}
	ctx, cancel := opCtx()
	defer cancel()
	ss.mu.Lock()
	cached := ss.liveConv
	ss.mu.Unlock()
	newMsg := func() *store.Message {
		return &store.Message{From: store.FromVisitor, Text: f.Text, ClientID: f.ID}
	}
	// One round trip while the chat goes on: the append itself checks the
	// conversation is still this visitor's and live.
	if cached != "" {
		if fe, done := ss.appendLive(ctx, f.ID, cached, newMsg(), ss.visitorID); done {
			return fe
		}
	}
	c, err := ss.rt.desk.VisitorConversation(ctx, ss.visitorID)
	if err != nil {
		return ss.storeFrameErr(err)
	}
	if c != nil && c.ID != cached {
		if fe, done := ss.appendLive(ctx, f.ID, c.ID, newMsg(), ss.visitorID); done {
			return fe
		}
	}
	return frameErr(protocol.CodeConflict, "", "no open conversation: send chat.start first")
}

// appendLive stores a message of party (the visitor's id, or the agent's) in
// conversation convID, acks it and pushes it to both sides; the store checks in the
// same step that party may write there (store.Store.AppendLive), and the message is
// idempotent by frame id. done is false when the conversation is unknown or party
// may not write to it: nothing was stored or sent, and the caller answers.
func (ss *session) appendLive(ctx context.Context, re, convID string, m *store.Message, party string) (fe *frameError, done bool) {
	m.ConversationID = convID
	m.At = ss.rt.s.clock.Now().UTC()
	stored, c, dup, err := ss.rt.s.store.AppendLive(ctx, m, party)
	switch {
	case errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrNotFound):
		if ss.visitor {
			ss.mu.Lock()
			if ss.liveConv == convID {
				ss.liveConv = ""
			}
			ss.mu.Unlock()
		}
		return nil, false
	case err != nil:
		return ss.storeFrameErr(err), true
	case dup && !sentBy(stored, c, m.From, party):
		// The store answers a resend by frame id alone: one that is not the
		// original sender's is refused like any write it may not make, so naming
		// another party's frame id reveals nothing of its message.
		return nil, false
	}
	if ss.visitor {
		ss.mu.Lock()
		ss.liveConv = convID
		ss.mu.Unlock()
	}
	ss.send(frame("message.ack", map[string]any{"re": re, "conversation_id": c.ID, "seq": stored.Seq, "at": stored.At.UTC()}))
	if dup {
		return nil, true
	}
	push := frame("message", toWSMessage(stored))
	ss.rt.out.send("visitor:"+c.VisitorID, push, false)
	if c.AgentID != "" {
		ss.rt.out.send("agent:"+c.AgentID, push, false)
	}
	return nil, true
}

// sentBy reports whether party, of kind from (store.FromAgent with an agent's id,
// store.FromVisitor with the visitor's), wrote m, a message of conversation c.
func sentBy(m *store.Message, c *store.Conversation, from, party string) bool {
	if m.From != from {
		return false
	}
	switch from {
	case store.FromAgent:
		return m.AgentID == party
	case store.FromVisitor:
		return c.VisitorID == party
	}
	return false
}

func (ss *session) offlineSubmit(f *inFrame) *frameError {
	if f.ID == "" {
		return frameErr(protocol.CodeBadRequest, "id", "required")
	}
	site := ss.rt.desk.Site(ss.siteID)
	if site == nil {
		return frameErr(protocol.CodeNotFound, "", "site not found")
	}
	if !protocol.ValidEmail(strings.TrimSpace(f.Email)) {
		return frameErr(protocol.CodeBadRequest, "email", "a valid e-mail address is required")
	}
	if fe := checkText(f.Message, "message"); fe != nil {
		return fe
	}
	if utf8.RuneCountInString(f.Name) > 200 {
		return frameErr(protocol.CodeBadRequest, "name", "at most 200 characters")
	}
	fields, fe := offlineFields(site.OfflineForm.Fields, f.Fields)
	if fe != nil {
		return fe
	}
	ctx, cancel := opCtx()
	defer cancel()
	number, err := ss.visitorNumber(ctx)
	if err != nil {
		return ss.storeFrameErr(err)
	}
	msg := &store.OfflineMessage{ID: uuid.Must(uuid.NewV7()).String(), SiteID: ss.siteID, VisitorID: ss.visitorID,
		Name: strings.TrimSpace(f.Name), Email: strings.TrimSpace(f.Email), Message: f.Message, Fields: fields, Page: ss.page,
		Lang: ss.lang, Timezone: ss.tz, VisitorNumber: number,
		CreatedAt: ss.rt.s.clock.Now().UTC(), ClientID: f.ID}
	// The notifications go in the same write as the message: both or neither.
	out, err := ss.rt.s.outbox.OfflineMessage(site, msg)
	if err != nil {
		ss.rt.log.Error("offline message notification not made", zap.Error(err))
	}
	m, dup, err := ss.rt.s.store.AddOfflineMessage(ctx, msg, out...)
	if err != nil {
		return ss.storeFrameErr(err)
	}
	if !dup && len(out) > 0 {
		ss.rt.s.worker.Wake()
	}
	ss.send(frame("offline.received", map[string]any{"re": f.ID, "message_id": m.ID}))
	if !dup {
		ss.rt.s.offlineArrived(ctx, m)
	}
	return nil
}

// offlineFields checks the custom fields against the site's form: required ones
// present, e-mail fields valid, values at most 1000 characters; fields the form does
// not have are dropped.
func offlineFields(form []store.FormField, got map[string]json.RawMessage) (map[string]string, *frameError) {
	out := map[string]string{}
	for _, ff := range form {
		raw, ok := got[ff.Name]
		path := "fields." + ff.Name
		var v string
		if ok && string(raw) != "null" {
			var s string
			var b bool
			var n float64
			switch {
			case json.Unmarshal(raw, &s) == nil:
				v = strings.TrimSpace(s)
			case json.Unmarshal(raw, &b) == nil:
				v = strconv.FormatBool(b)
			case json.Unmarshal(raw, &n) == nil:
				v = strconv.FormatFloat(n, 'f', -1, 64)
			default:
				return nil, frameErr(protocol.CodeBadRequest, path, "must be a string, number or boolean")
			}
		}
		if ff.Required && (v == "" || (ff.Type == "checkbox" && v == "false")) {
			return nil, frameErr(protocol.CodeBadRequest, path, "%s is required", ff.Label)
		}
		if utf8.RuneCountInString(v) > 1000 {
			return nil, frameErr(protocol.CodeBadRequest, path, "at most 1000 characters")
		}
		if v != "" && ff.Type == "email" && !protocol.ValidEmail(v) {
			return nil, frameErr(protocol.CodeBadRequest, path, "not a valid e-mail address")
		}
		if v != "" && ff.Type == "number" {
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				return nil, frameErr(protocol.CodeBadRequest, path, "must be a number")
			}
		}
		if v != "" {
			out[ff.Name] = v
		}
	}
	return out, nil
}
