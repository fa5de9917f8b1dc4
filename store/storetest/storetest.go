// Package storetest is the contract suite every store.Store implementation must pass
// unchanged: the embedded bbolt store and the Redis store alike. It knows nothing of
// either; it holds each implementation to the promises in store.go's doc comments.
//
// Use it from an implementation's tests:
//
//	func TestContract(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store {
//			s, err := mystore.Open(...)
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/livedesk/gateway/routing/schedule"
	"github.com/livedesk/gateway/store"
)

// Run runs the contract suite. open must return a fresh, empty store for the
// subtest it is given and arrange for closing it (t.Cleanup); the suite never calls
// Close. Subtests do not run in parallel with each other, so open may reuse one
// backing server as long as it empties it.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	groups := []struct {
		name  string
		tests []test
	}{
		{"Site", siteTests},
		{"Department", departmentTests},
		{"Agent", agentTests},
		{"Conversation", conversationTests},
		{"Message", messageTests},
		{"Offline", offlineTests},
		{"OfflineState", offlineStateTests},
		{"Notification", notificationTests},
		{"Setting", settingTests},
		{"VisitorNumber", visitorNumberTests},
		{"Retention", retentionTests},
		{"VisitorData", visitorDataTests},
		{"Context", contextTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) {
					tc.fn(t, open(t))
				})
			}
		})
	}
}

// test is one subtest of the suite, run against a fresh store.
type test struct {
	name string
	fn   func(t *testing.T, s store.Store)
}

// ctxT returns a context that ends with the test (and after a minute at most, so a
// store that hangs fails instead of stalling the run).
func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// zone is a non-UTC zone for the fixtures' times: a store must keep the instant,
// whatever zone it hands back.
var zone = time.FixedZone("UTC+2", 2*60*60)

// at returns a fixed instant with nanoseconds, n minutes after a base time.
func at(n int) time.Time {
	return time.Date(2026, 3, 29, 1, 30, 0, 123456789, zone).Add(time.Duration(n) * time.Minute)
}

func ptr[T any](v T) *T { return &v }

// fullSchedule returns a schedule with every field set.
func fullSchedule() schedule.Schedule {
	s := schedule.AlwaysOpen()
	s.Enabled = true
	s.Timezone = "Europe/Prague"
	s.Weekly["mon"] = []schedule.Interval{{From: "09:00", To: "12:00"}, {From: "13:00", To: "17:30"}}
	s.Weekly["fri"] = []schedule.Interval{{From: "22:00", To: "06:00"}}
	s.Exceptions = []schedule.Exception{
		{Date: "2026-12-24", Intervals: []schedule.Interval{}},
		{Date: "2026-12-31", Intervals: []schedule.Interval{{From: "09:00", To: "12:00"}}},
	}
	return s
}

// fullSite returns a site with every field set (ID left empty).
func fullSite(name string) *store.Site {
	return &store.Site{
		Name:                name,
		Mode:                store.ModeAuto,
		Schedule:            fullSchedule(),
		AllowedOrigins:      []string{"https://shop.example", "https://www.shop.example"},
		ClosingSoonMinutes:  10,
		QueueTimeoutSeconds: 300,
		OfflineForm: store.OfflineForm{Enabled: true, Fields: []store.FormField{
			{Name: "order", Label: "Order number", Type: "text", Required: true},
			{Name: "phone", Label: "Phone", Type: "tel"},
		}},
		Notify: store.Notify{
			Emails:        []string{"desk@shop.example", "boss@shop.example"},
			WebhookURL:    "https://hooks.shop.example/offline",
			WebhookSecret: "s3cret",
		},
		PresenceAlerts: store.PresenceAlerts{
			Emails:       []string{"boss@shop.example"},
			WebhookURL:   "https://hooks.shop.example/presence",
			AfterSeconds: 120,
		},
		ShiftEnd:      store.ShiftEndHandover,
		RetentionDays: ptr(90),
		CreatedAt:     at(0),
		UpdatedAt:     at(1),
	}
}

// fullAgent returns an agent with every field set (ID left empty).
func fullAgent(email, role string) *store.Agent {
	sch := fullSchedule()
	return &store.Agent{
		Email:               email,
		Name:                "Agent " + email,
		Role:                role,
		Sites:               []string{"site-1", "site-2"},
		MaxChats:            4,
		IdleMinutes:         15,
		ShiftWarningMinutes: 10,
		Schedule:            &sch,
		Presence:            store.PresenceOnline,
		PasswordHash:        "$2a$10$abcdefghijklmnopqrstuuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0",
		TokenVersion:        7,
		CreatedAt:           at(2),
		UpdatedAt:           at(3),
	}
}

// fullConversation returns a conversation with every field set but ID and LastSeq.
func fullConversation(siteID, visitorID, state string) *store.Conversation {
	return &store.Conversation{
		SiteID:       siteID,
		VisitorID:    visitorID,
		VisitorName:  "Visitor " + visitorID,
		VisitorEmail: visitorID + "@mail.example",
		Page:         "https://shop.example/cart?x=1",
		State:        state,
		AgentID:      "agent-1",
		AgentName:    "Ann",
		CreatedAt:    at(4),
		AssignedAt:   ptr(at(5)),
		EndedAt:      ptr(at(6)),
		EndedBy:      "visitor",
		// The rest of the hello and the visitor's number (extensions).
		VisitorLang:     "pt-BR",
		VisitorTimezone: "America/Sao_Paulo",
		VisitorNumber:   1042,
		DepartmentID:    "dept-support",
	}
}

// mustCreateSite creates a site or fails the test.
func mustCreateSite(t *testing.T, s store.Store, site *store.Site) *store.Site {
	t.Helper()
	ok(t, s.CreateSite(ctxT(t), site), "CreateSite")
	return site
}

// mustCreateAgent creates an agent or fails the test.
func mustCreateAgent(t *testing.T, s store.Store, a *store.Agent) *store.Agent {
	t.Helper()
	ok(t, s.CreateAgent(ctxT(t), a), fmt.Sprintf("CreateAgent %s", a.Email))
	return a
}

// mustCreateConversation creates a conversation or fails the test.
func mustCreateConversation(t *testing.T, s store.Store, c *store.Conversation) *store.Conversation {
	t.Helper()
	ok(t, s.CreateConversation(ctxT(t), c), "CreateConversation")
	return c
}

// mustAppend appends a message with the given client id and text or fails the test.
// storedMessages checks that the conversation holds exactly want (ListMessages) and
// that its LastSeq is the last one's Seq.
func storedMessages(t *testing.T, s store.Store, convID string, want []*store.Message) {
	t.Helper()
	list, err := s.ListMessages(ctxT(t), convID, 0, 1000)
	ok(t, err, "ListMessages")
	same(t, list, want, "ListMessages")
	conv, err := s.GetConversation(ctxT(t), convID)
	ok(t, err, "GetConversation")
	var last int64
	if len(want) > 0 {
		last = want[len(want)-1].Seq
	}
	equal(t, conv.LastSeq, last, "LastSeq")
}

func mustAppend(t *testing.T, s store.Store, convID, clientID, text string) *store.Message {
	t.Helper()
	m, dup, err := s.AppendMessage(ctxT(t), &store.Message{
		ConversationID: convID, From: store.FromVisitor, Text: text, ClientID: clientID,
	})
	ok(t, err, "AppendMessage")
	equal(t, dup, false, "AppendMessage duplicate")
	return m
}

// errTest is what update functions in the suite return to abort.
var errTest = fmt.Errorf("storetest: abort this update")
