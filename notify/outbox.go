package notify

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/livedesk/gateway/store"
)

// Outbox turns what happened on a site into the notifications that announce it,
// following the site's notify and presence_alerts settings. It writes nothing: the
// caller stores the items in the same step as the thing they announce.
type Outbox struct {
	// Mail says whether e-mail can be sent (an SMTP server is configured). Without
	// it, no e-mail items are made: they could never be delivered.
	Mail bool
}

// OfflineMessage returns the notifications of a stored offline message (site
// notify settings); none when the site notifies nobody. dept is the department
// the message was left for (nil: none): its notify.emails get the e-mail too,
// beside the site's (docs/protocol.md#departments), each address once.
func (o Outbox) OfflineMessage(site *store.Site, dept *store.Department, m *store.OfflineMessage) ([]*store.Notification, error) {
	data := OfflineMessageData{Site: siteRef(site), Message: OfflineMessage{
		ID: m.ID, VisitorID: m.VisitorID, Name: m.Name, Email: m.Email, Message: m.Message,
		Fields: m.Fields, Page: m.Page, Lang: m.Lang, Timezone: m.Timezone, CreatedAt: m.CreatedAt.UTC(),
		DepartmentID: m.DepartmentID,
	}}
	if data.Message.Fields == nil {
		data.Message.Fields = map[string]string{}
	}
	n := site.Notify
	emails := n.Emails
	if dept != nil {
		emails = joinAddresses(n.Emails, dept.Notify.Emails)
	}
	return o.items(NewEventID(), TypeOfflineMessage, site.ID, m.CreatedAt, data, emails, n.WebhookURL, n.WebhookSecret)
}

// joinAddresses is a, then the addresses of b that a does not have (without regard
// to case).
func joinAddresses(a, b []string) []string {
	out := append([]string(nil), a...)
	seen := make(map[string]bool, len(a)+len(b))
	for _, e := range a {
		seen[strings.ToLower(e)] = true
	}
	for _, e := range b {
		if k := strings.ToLower(e); !seen[k] {
			seen[k] = true
			out = append(out, e)
		}
	}
	return out
}

// ConversationEnded returns the notifications of an ended conversation (site notify
// settings). The transcript is added when each is delivered.
func (o Outbox) ConversationEnded(site *store.Site, c *store.Conversation) ([]*store.Notification, error) {
	cv := Conversation{ID: c.ID, VisitorID: c.VisitorID, VisitorName: c.VisitorName, VisitorEmail: c.VisitorEmail,
		Page: c.Page, AgentID: c.AgentID, AgentName: c.AgentName, CreatedAt: c.CreatedAt.UTC(), EndedBy: c.EndedBy}
	if c.AssignedAt != nil {
		a := c.AssignedAt.UTC()
		cv.AssignedAt = &a
	}
	at := time.Now()
	if c.EndedAt != nil {
		at = *c.EndedAt
		cv.EndedAt = c.EndedAt.UTC()
	}
	data := ConversationData{Site: siteRef(site), Conversation: cv, Transcript: []TranscriptLine{}}
	n := site.Notify
	return o.items(NewEventID(), TypeConversation, site.ID, at, data, n.Emails, n.WebhookURL, n.WebhookSecret)
}

// StatusChanged returns the alerts of a sustained status change (site
// presence_alerts settings, signed with the site's notify webhook secret), under
// eventID so that announcing the same change twice stores it once.
func (o Outbox) StatusChanged(eventID string, site *store.Site, at time.Time, data StatusChangedData) ([]*store.Notification, error) {
	p := site.PresenceAlerts
	return o.items(eventID, TypeStatusChanged, site.ID, at, data, p.Emails, p.WebhookURL, site.Notify.WebhookSecret)
}

func (o Outbox) items(eventID, typ, siteID string, at time.Time, data any, emails []string, url, secret string) ([]*store.Notification, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", typ, err)
	}
	at = at.UTC()
	var out []*store.Notification
	mk := func(channel string) *store.Notification {
		return &store.Notification{ID: itemID(eventID, channel), EventID: eventID, Type: typ, SiteID: siteID,
			Channel: channel, Data: raw, State: store.NotificationPending, CreatedAt: at, NextAttemptAt: at}
	}
	if o.Mail && len(emails) > 0 {
		n := mk(store.ChannelEmail)
		n.To = append([]string(nil), emails...)
		out = append(out, n)
	}
	if url != "" {
		n := mk(store.ChannelWebhook)
		n.URL, n.Secret = url, secret
		out = append(out, n)
	}
	return out, nil
}

func siteRef(s *store.Site) SiteRef {
	return SiteRef{ID: s.ID, Name: s.Name, Timezone: s.Schedule.Timezone}
}
