package ws

import (
	"encoding/json"
	"sort"

	"github.com/livedesk/gateway/protocol"
	"github.com/livedesk/gateway/routing"
	"github.com/livedesk/gateway/store"
)

// The frames themselves are protocol's (docs/protocol.md#websocket-frames); this
// file turns the store's records into the values they carry. Each frame is
// encoded once (protocol.Encode); broadcasts share the bytes.

func toWSMessage(m *store.Message) protocol.Message {
	return protocol.Message{ConversationID: m.ConversationID, Seq: m.Seq, From: m.From, AgentName: m.AgentName, Text: m.Text, At: m.At.UTC()}
}

// toWSConversation is c with msgs, as frames carry it; department_id is left out for a
// conversation without a department (docs/protocol.md#visitor-socket).
func toWSConversation(c *store.Conversation, msgs []*store.Message) protocol.Conversation {
	wc := protocol.Conversation{ID: c.ID, SiteID: c.SiteID, DepartmentID: c.DepartmentID, State: c.State, CreatedAt: c.CreatedAt.UTC(),
		Messages: make([]protocol.Message, 0, len(msgs))}
	if c.AgentID != "" {
		wc.Agent = &protocol.AgentRef{ID: c.AgentID, Name: c.AgentName}
	}
	for _, m := range msgs {
		wc.Messages = append(wc.Messages, toWSMessage(m))
	}
	return wc
}

// visitorOf is the visitor of c as agents see it.
func visitorOf(c *store.Conversation) protocol.Visitor {
	return protocol.Visitor{ID: c.VisitorID, Name: c.VisitorName, Email: c.VisitorEmail, Page: c.Page, Lang: c.VisitorLang, Timezone: c.VisitorTimezone,
		Number: c.VisitorNumber}
}

// offlineForm is the offline form of site (nil: a disabled form without fields) as
// the widget gets it, with a list of fields that is never null.
func offlineForm(site *store.Site) protocol.OfflineForm {
	form := protocol.OfflineForm{Fields: []protocol.FormField{}}
	if site == nil {
		return form
	}
	form.Enabled = site.OfflineForm.Enabled
	for _, f := range site.OfflineForm.Fields {
		form.Fields = append(form.Fields, protocol.FormField(f))
	}
	return form
}

func sortSites(s []protocol.SiteSummary) {
	sort.Slice(s, func(i, j int) bool { return s[i].ID < s[j].ID })
}

// mustJSON marshals a value of the gateway's own types (an object the HTTP API also
// shows, carried whole by a frame); failing is a programming error.
func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic("gateway: cannot encode frame: " + err.Error())
	}
	return b
}

// frame builds {"type": t, ...fields}. Only the cluster files still build frames
// this way (protocol.Encode is the typed way).
func frame(t string, fields any) []byte { return protocol.EncodeAs(t, fields) }

// toWSDepartments is the departments as site.status and the welcomes carry them
// (nil for none).
func toWSDepartments(ds []routing.DepartmentStatus) []protocol.Department {
	if len(ds) == 0 {
		return nil
	}
	out := make([]protocol.Department, len(ds))
	for i, d := range ds {
		out[i] = protocol.Department{ID: d.ID, Name: d.Name, Status: protocol.Status(d.Status)}
	}
	return out
}
