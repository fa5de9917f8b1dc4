package api

import (
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/livedesk/gateway/store"
)

// conversationView is a conversation as the API shows it; messages only in GET by id.
type conversationView struct {
	ID     string `json:"id"`
	SiteID string `json:"site_id"`
	// DepartmentID is left out for a conversation without a department, so a site
	// without departments answers as before (docs/protocol.md#departments).
	DepartmentID string      `json:"department_id,omitempty"`
	State        string      `json:"state"`
	Visitor      visitorView `json:"visitor"`
	Agent        *agentRef   `json:"agent"`
	CreatedAt    time.Time   `json:"created_at"`
	AssignedAt   *time.Time  `json:"assigned_at"`
	EndedAt      *time.Time  `json:"ended_at"`
	EndedBy      string      `json:"ended_by,omitempty"`
	LastSeq      int64       `json:"last_seq"`
}

// conversationDetail is a conversation with its transcript.
type conversationDetail struct {
	conversationView
	Messages     []messageView `json:"messages"`
	MessagesMore bool          `json:"messages_more"`
}

type visitorView struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Email    string `json:"email"`
	Page     string `json:"page"`
	Lang     string `json:"lang,omitempty"`
	Timezone string `json:"timezone,omitempty"`
	// Number is the visitor's number on the site (docs/protocol.md#visitor-number).
	Number int64 `json:"number,omitempty"`
}

type agentRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type messageView struct {
	ConversationID string    `json:"conversation_id"`
	Seq            int64     `json:"seq"`
	From           string    `json:"from"`
	AgentName      string    `json:"agent_name,omitempty"`
	Text           string    `json:"text"`
	At             time.Time `json:"at"`
}

func viewConversation(c *store.Conversation) conversationView {
	v := conversationView{ID: c.ID, SiteID: c.SiteID, DepartmentID: c.DepartmentID, State: c.State,
		Visitor: visitorView{ID: c.VisitorID, Name: c.VisitorName, Email: c.VisitorEmail, Page: c.Page, Lang: c.VisitorLang, Timezone: c.VisitorTimezone,
			Number: c.VisitorNumber},
		CreatedAt: c.CreatedAt.UTC(), AssignedAt: utcPtr(c.AssignedAt), EndedAt: utcPtr(c.EndedAt), EndedBy: c.EndedBy, LastSeq: c.LastSeq}
	if c.AgentID != "" {
		v.Agent = &agentRef{ID: c.AgentID, Name: c.AgentName}
	}
	return v
}

func viewMessage(m *store.Message) messageView {
	return messageView{ConversationID: m.ConversationID, Seq: m.Seq, From: m.From, AgentName: m.AgentName, Text: m.Text, At: m.At.UTC()}
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

var conversationStates = map[string]bool{store.StateQueued: true, store.StateOpen: true, store.StateEnded: true, store.StateMissed: true}

// ListConversations lists the conversations of the sites the caller is a member of,
// newest first, optionally of one site and one state; `before` pages backwards.
func (h *Handler) ListConversations(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	q := r.URL.Query()
	f := store.ConversationFilter{SiteID: q.Get("site"), State: q.Get("state"), Before: q.Get("before"), Limit: 50}
	if f.State != "" && !conversationStates[f.State] {
		return badRequest("state", "must be queued, open, ended or missed")
	}
	var err error
	if f.Limit, err = queryLimit(r, 50); err != nil {
		return err
	}
	var convs []*store.Conversation
	switch {
	case f.SiteID != "":
		if !isMember(me, f.SiteID) {
			return NotFound("site")
		}
		list, err := h.store.ListConversations(r.Context(), f)
		if err != nil {
			return err
		}
		convs = list
	case isManager(me) || len(me.Sites) == 0:
		list, err := h.store.ListConversations(r.Context(), f)
		if err != nil {
			return err
		}
		convs = list
	default:
		for _, site := range me.Sites {
			sf := f
			sf.SiteID = site
			list, err := h.store.ListConversations(r.Context(), sf)
			if err != nil {
				return err
			}
			convs = append(convs, list...)
		}
		sort.Slice(convs, func(i, j int) bool { return convs[i].ID > convs[j].ID })
		if len(convs) > f.Limit {
			convs = convs[:f.Limit]
		}
	}
	writePage(w, "conversations", convs, f.Limit, viewConversation, func(c *store.Conversation) string { return c.ID })
	return nil
}

// maxTranscript is how many messages GET /conversations/{id} returns at once; the
// rest come with ?after_seq=.
const maxTranscript = 1000

// GetConversation answers GET /conversations/{id}: one conversation of a site me
// serves, with up to maxTranscript messages from ?after_seq=.
func (h *Handler) GetConversation(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	c, err := h.store.GetConversation(r.Context(), r.PathValue("id"))
	if err != nil {
		if isNotFound(err) {
			return NotFound("conversation")
		}
		return err
	}
	if !isMember(me, c.SiteID) {
		return NotFound("conversation")
	}
	var after int64
	if v := r.URL.Query().Get("after_seq"); v != "" {
		if after, err = strconv.ParseInt(v, 10, 64); err != nil || after < 0 {
			return badRequest("after_seq", "must be a whole number >= 0")
		}
	}
	msgs, err := h.store.ListMessages(r.Context(), c.ID, after, maxTranscript)
	if err != nil {
		return err
	}
	v := conversationDetail{conversationView: viewConversation(c)}
	v.Messages = make([]messageView, 0, len(msgs))
	for _, m := range msgs {
		v.Messages = append(v.Messages, viewMessage(m))
	}
	v.MessagesMore = len(msgs) == maxTranscript
	WriteJSON(w, http.StatusOK, v)
	return nil
}
