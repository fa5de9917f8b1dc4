package notify

import (
	"net/mail"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // site zones must load on machines without zoneinfo
)

// renderAt is 16:59 CET in Berlin, 00:59 JST the next day in Tokyo.
var renderAt = time.Date(2026, 12, 2, 15, 59, 0, 0, time.UTC)

func ptr[T any](v T) *T { return &v }

type renderCase struct {
	name        string
	typ         string
	data        any
	wantSubject string
	wantText    string
	wantReplyTo string
	wantName    string
}

func checkRender(t *testing.T, tests []renderCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := RenderEmail("0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", tt.typ, renderAt, tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if e.Subject != tt.wantSubject {
				t.Errorf("Subject = %q, want %q", e.Subject, tt.wantSubject)
			}
			if e.Text != tt.wantText {
				t.Errorf("Text =\n%s\nwant\n%s", e.Text, tt.wantText)
			}
			if e.ReplyTo != tt.wantReplyTo || e.ReplyToName != tt.wantName {
				t.Errorf("Reply-To = %q %q, want %q %q", e.ReplyToName, e.ReplyTo, tt.wantName, tt.wantReplyTo)
			}
			if e.MessageID != "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b@livedesk" || !e.Date.Equal(renderAt) || len(e.To) != 0 {
				t.Errorf("MessageID %q, Date %v, To %q", e.MessageID, e.Date, e.To)
			}
		})
	}
}

func TestRenderOfflineMessage(t *testing.T) {
	berlin := SiteRef{ID: "site-1", Name: "Acme", Timezone: "Europe/Berlin"}
	checkRender(t, []renderCase{{
		name: "everything",
		typ:  TypeOfflineMessage,
		data: &OfflineMessageData{Site: berlin, Message: OfflineMessage{
			ID: "m1", Name: "Zoë Ünal", Email: "zoe@example.com",
			Message: "Hello,\r\nmy order has not arrived.\n\nThanks\n",
			Fields:  map[string]string{"order": "1234", "company": "Ünal GmbH\nE-mail: fake@example.net", "empty": ""},
			Page:    "https://acme.example/shop", Lang: "de", Timezone: "Europe/Vienna", CreatedAt: renderAt,
		}},
		wantSubject: "[Acme] Offline message from Zoë Ünal",
		wantReplyTo: "zoe@example.com", wantName: "Zoë Ünal",
		wantText: `Hello,
my order has not arrived.

Thanks

Name: Zoë Ünal
E-mail: zoe@example.com
company: Ünal GmbH
  E-mail: fake@example.net
order: 1234
Page: https://acme.example/shop
Language: de
Visitor time zone: Europe/Vienna
Received: Wed 2 Dec 2026 16:59 CET

Reply to this e-mail to answer the visitor.
`,
	}, {
		name: "no name, no optional fields, unknown zone",
		typ:  TypeOfflineMessage,
		data: &OfflineMessageData{Site: SiteRef{ID: "site-2", Timezone: "Mars/Olympus"}, Message: OfflineMessage{
			Email: "anon@example.com", Message: "Call me",
		}},
		wantSubject: "[site-2] Offline message from anon@example.com",
		wantReplyTo: "anon@example.com",
		wantText: `Call me

E-mail: anon@example.com
Received: Wed 2 Dec 2026 15:59 UTC

Reply to this e-mail to answer the visitor.
`,
	}, {
		name:        "nothing at all",
		typ:         TypeOfflineMessage,
		data:        &OfflineMessageData{Site: SiteRef{Name: "Acme"}, Message: OfflineMessage{Name: " \r\n", CreatedAt: renderAt.Add(time.Hour)}},
		wantSubject: "[Acme] Offline message from a visitor",
		wantName:    "",
		wantText: `(no message)

Received: Wed 2 Dec 2026 16:59 UTC
`,
	}, {
		name: "CJK name, a name with a line break",
		typ:  TypeOfflineMessage,
		data: &OfflineMessageData{Site: SiteRef{Name: "Acme", Timezone: "Asia/Tokyo"}, Message: OfflineMessage{
			Name: "山田\r\n太郎", Email: "yamada@example.jp", Message: "こんにちは", CreatedAt: renderAt,
		}},
		wantSubject: "[Acme] Offline message from 山田 太郎",
		wantReplyTo: "yamada@example.jp", wantName: "山田\r\n太郎",
		wantText: `こんにちは

Name: 山田
  太郎
E-mail: yamada@example.jp
Received: Thu 3 Dec 2026 00:59 JST

Reply to this e-mail to answer the visitor.
`,
	}})
}

func TestRenderConversation(t *testing.T) {
	started := renderAt.Add(-10 * time.Minute)
	assigned := renderAt.Add(-9 * time.Minute)
	checkRender(t, []renderCase{{
		name: "full transcript",
		typ:  TypeConversation,
		data: &ConversationData{
			Site: SiteRef{Name: "Acme", Timezone: "Europe/Berlin"},
			Conversation: Conversation{ID: "c1", VisitorName: "Ann", VisitorEmail: "ann@example.com", Page: "https://acme.example/",
				AgentName: "Bob", CreatedAt: started, AssignedAt: &assigned, EndedAt: renderAt, EndedBy: "visitor"},
			Transcript: []TranscriptLine{
				{Seq: 1, From: "visitor", Text: "Hi, I have a question", At: started},
				{Seq: 2, From: "system", Text: "Bob joined the chat", At: assigned},
				{Seq: 3, From: "agent", AgentName: "Bob", Text: "Hello Ann!\nHow can I help?\n\nBob", At: assigned.Add(30 * time.Second)},
				{Seq: 4, From: "agent", Text: "(a colleague)", At: renderAt.Add(-time.Minute)},
			},
		},
		wantSubject: "[Acme] Chat transcript: Ann with Bob",
		wantReplyTo: "ann@example.com", wantName: "Ann",
		wantText: `Visitor: Ann <ann@example.com>
Agent: Bob
Page: https://acme.example/
Started: Wed 2 Dec 2026 16:49 CET
Assigned: Wed 2 Dec 2026 16:50 CET
Ended: Wed 2 Dec 2026 16:59 CET by the visitor

16:49 Ann (visitor): Hi, I have a question
16:50 system: Bob joined the chat
16:50 Bob: Hello Ann!
      How can I help?

      Bob
16:58 Bob: (a colleague)
`,
	}, {
		name: "anonymous visitor, never assigned, over midnight in Tokyo",
		typ:  TypeConversation,
		data: &ConversationData{
			Site:         SiteRef{Name: "東京ショップ", Timezone: "Asia/Tokyo"},
			Conversation: Conversation{ID: "c2", CreatedAt: renderAt.Add(-2 * time.Minute), EndedAt: renderAt.Add(2 * time.Minute), EndedBy: "system"},
			Transcript: []TranscriptLine{
				{Seq: 1, From: "visitor", Text: "もしもし", At: renderAt.Add(-2 * time.Minute)},
				{Seq: 2, From: "visitor", Text: "誰かいますか？", At: renderAt.Add(90 * time.Second)},
			},
		},
		wantSubject: "[東京ショップ] Chat transcript: Visitor with no agent",
		wantText: `Visitor: anonymous
Started: Thu 3 Dec 2026 00:57 JST
Assigned: never
Ended: Thu 3 Dec 2026 01:01 JST by the system

00:57 visitor: もしもし
01:00 visitor: 誰かいますか？
`,
	}, {
		name: "day change, visitor known by e-mail only, UTF-8 agent",
		typ:  TypeConversation,
		data: &ConversationData{
			Site: SiteRef{Name: "Acme", Timezone: "Europe/Berlin"},
			Conversation: Conversation{ID: "c3", VisitorEmail: "zoe@example.com", AgentName: "Zoë Ünal",
				CreatedAt: time.Date(2026, 12, 2, 22, 50, 0, 0, time.UTC), AssignedAt: ptr(time.Date(2026, 12, 2, 22, 51, 0, 0, time.UTC)),
				EndedAt: time.Date(2026, 12, 2, 23, 5, 0, 0, time.UTC), EndedBy: "agent"},
			Transcript: []TranscriptLine{
				{Seq: 1, From: "visitor", Text: "late question", At: time.Date(2026, 12, 2, 22, 50, 0, 0, time.UTC)},
				{Seq: 2, From: "agent", AgentName: "Zoë Ünal", Text: "still here", At: time.Date(2026, 12, 2, 23, 1, 0, 0, time.UTC)},
			},
		},
		wantSubject: "[Acme] Chat transcript: zoe@example.com with Zoë Ünal",
		wantReplyTo: "zoe@example.com",
		wantText: `Visitor: zoe@example.com
Agent: Zoë Ünal
Started: Wed 2 Dec 2026 23:50 CET
Assigned: Wed 2 Dec 2026 23:51 CET
Ended: Thu 3 Dec 2026 00:05 CET by Zoë Ünal (agent)

23:50 visitor: late question
-- Thu 3 Dec 2026 --
00:01 Zoë Ünal: still here
`,
	}, {
		name:        "no messages",
		typ:         TypeConversation,
		data:        &ConversationData{Site: SiteRef{Name: "Acme"}, Conversation: Conversation{VisitorName: "Ann", AgentName: "Bob", CreatedAt: renderAt, EndedAt: renderAt}},
		wantSubject: "[Acme] Chat transcript: Ann with Bob",
		wantName:    "Ann",
		wantText: `Visitor: Ann
Agent: Bob
Started: Wed 2 Dec 2026 15:59 UTC
Assigned: never
Ended: Wed 2 Dec 2026 15:59 UTC

(no messages)
`,
	}})
}

func TestRenderStatusChanged(t *testing.T) {
	berlin := SiteRef{ID: "site-1", Name: "Acme", Timezone: "Europe/Berlin"}
	since := renderAt.Add(-time.Minute)
	opens := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	closes := time.Date(2026, 12, 2, 17, 0, 0, 0, time.UTC)
	prevSince := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	checkRender(t, []renderCase{{
		name: "offline outside hours",
		typ:  TypeStatusChanged,
		data: &StatusChangedData{Site: berlin, Status: Status{Reason: "outside_hours", OpensAt: &opens}, Since: since,
			Previous: &Status{Online: true, Reason: "open", Since: &prevSince}, AfterSeconds: 60},
		wantSubject: "[Acme] Chat is now offline (outside hours)",
		wantText: `The chat on Acme is now offline: outside opening hours.

Status: offline
Reason: outside opening hours
Since: Wed 2 Dec 2026 16:58 CET
Previous status: online since Wed 2 Dec 2026 09:00 CET
Held for: 60 seconds before this alert
Next opening: Thu 3 Dec 2026 09:00 CET
`,
	}, {
		name: "offline, no agents",
		typ:  TypeStatusChanged,
		data: &StatusChangedData{Site: berlin, Status: Status{Reason: "no_agents", ClosesAt: &closes}, Since: since,
			Previous: &Status{Online: true, Reason: "open"}, AfterSeconds: 1},
		wantSubject: "[Acme] Chat is now offline (no agents)",
		wantText: `The chat on Acme is now offline: no agent is available.

Status: offline
Reason: no agent is available
Since: Wed 2 Dec 2026 16:58 CET
Previous status: online
Held for: 1 second before this alert
Next closing: Wed 2 Dec 2026 18:00 CET
`,
	}, {
		name:        "paused, nothing optional",
		typ:         TypeStatusChanged,
		data:        &StatusChangedData{Site: SiteRef{ID: "site-9"}, Status: Status{Reason: "paused"}},
		wantSubject: "[site-9] Chat is now offline (paused)",
		wantText: `The chat on site-9 is now offline: the site is paused (mode offline).

Status: offline
Reason: the site is paused (mode offline)
`,
	}, {
		name: "online again",
		typ:  TypeStatusChanged,
		data: &StatusChangedData{Site: SiteRef{Name: "Zoë's Café", Timezone: "America/New_York"},
			Status:   Status{Online: true, Reason: "open", Since: &since, ClosesAt: &closes},
			Previous: &Status{Reason: "no_agents", Since: &prevSince}, AfterSeconds: 120},
		wantSubject: "[Zoë's Café] Chat is now online",
		wantText: `The chat on Zoë's Café is now online.

Status: online
Reason: within opening hours and agents are available
Since: Wed 2 Dec 2026 10:58 EST
Previous status: offline (no agents) since Wed 2 Dec 2026 03:00 EST
Held for: 120 seconds before this alert
Next closing: Wed 2 Dec 2026 12:00 EST
`,
	}})
}

func TestRenderEmailErrors(t *testing.T) {
	tests := []struct {
		name, eventID, typ string
		data               any
		want               string
	}{
		{"unknown type", "e1", "agent.created", &OfflineMessageData{}, "unknown event type"},
		{"mismatched data", "e1", TypeOfflineMessage, &ConversationData{}, "wants a non-nil *OfflineMessageData, got *notify.ConversationData"},
		{"value instead of pointer", "e1", TypeStatusChanged, StatusChangedData{}, "wants a non-nil *StatusChangedData, got notify.StatusChangedData"},
		{"nil pointer", "e1", TypeConversation, (*ConversationData)(nil), "got *notify.ConversationData"},
		{"nil", "e1", TypeConversation, nil, "got <nil>"},
		{"empty event id", "", TypeOfflineMessage, &OfflineMessageData{}, "empty event id"},
		{"event id unfit for a Message-ID", "a b", TypeOfflineMessage, &OfflineMessageData{}, "bad Message-ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := RenderEmail(tt.eventID, tt.typ, renderAt, tt.data)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("RenderEmail error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// A rendered e-mail goes through buildMessage whole: whatever a visitor typed.
func TestRenderedEmailBuilds(t *testing.T) {
	e, err := RenderEmail("ev", TypeOfflineMessage, renderAt, &OfflineMessageData{
		Site: SiteRef{Name: "Acme\r\nBcc: x@example.net"},
		Message: OfflineMessage{Name: "Eve\r\nBcc: victim@example.net", Email: "eve@example.com",
			Message: ".\r\n.\n..\nFrom me"},
	})
	if err != nil {
		t.Fatal(err)
	}
	e.To = []string{"team@example.com"}
	raw, _, err := buildMessage(&mail.Address{Address: "desk@example.com"}, e, renderAt)
	if err != nil {
		t.Fatal(err)
	}
	checkWellFormed(t, raw)
}
