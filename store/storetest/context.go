package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/livedesk/gateway/store"
)

var contextTests = []test{
	{"CancelledFailsAndWritesNothing", func(t *testing.T, s store.Store) {
		site := mustCreateSite(t, s, fullSite("Shop"))
		owner := mustCreateAgent(t, s, fullAgent("owner@shop.example", store.RoleOwner))
		agent := mustCreateAgent(t, s, fullAgent("agent@shop.example", store.RoleAgent))
		conv := mustCreateConversation(t, s, fullConversation(site.ID, "visitor-1", store.StateOpen))
		mustAppend(t, s, conv.ID, "f1", "hello")
		offline := mustAddOffline(t, s, fullOffline(site.ID, "visitor-1", "f1", "later"))
		ok(t, s.PutSetting(ctxT(t), "key", []byte("value")), "PutSetting")
		note := fullNotification("note-1", site.ID, 1, 2)
		mustAddNotes(t, s, 1, note)
		newNote := fullNotification("note-2", site.ID, 3, 4)

		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		called := false
		mark := func() error { called = true; return nil }
		calls := map[string]func() error{
			"CreateSite": func() error { return s.CreateSite(ctx, fullSite("New")) },
			"GetSite":    func() error { _, err := s.GetSite(ctx, site.ID); return err },
			"ListSites":  func() error { _, err := s.ListSites(ctx); return err },
			"UpdateSite": func() error {
				_, err := s.UpdateSite(ctx, site.ID, func(*store.Site) error { return mark() })
				return err
			},
			"DeleteSite":      func() error { return s.DeleteSite(ctx, site.ID) },
			"CreateAgent":     func() error { return s.CreateAgent(ctx, fullAgent("new@shop.example", store.RoleAgent)) },
			"GetAgent":        func() error { _, err := s.GetAgent(ctx, owner.ID); return err },
			"GetAgentByEmail": func() error { _, err := s.GetAgentByEmail(ctx, owner.Email); return err },
			"ListAgents":      func() error { _, err := s.ListAgents(ctx); return err },
			"UpdateAgent": func() error {
				_, err := s.UpdateAgent(ctx, owner.ID, func(*store.Agent) error { return mark() })
				return err
			},
			"DeleteAgent": func() error { return s.DeleteAgent(ctx, agent.ID) },
			"CreateConversation": func() error {
				return s.CreateConversation(ctx, fullConversation(site.ID, "visitor-2", store.StateQueued))
			},
			"CreateConversation with a first message": func() error {
				return s.CreateConversation(ctx, fullConversation(site.ID, "visitor-3", store.StateQueued),
					&store.Message{From: store.FromVisitor, Text: "x", ClientID: "start-3"})
			},
			"GetConversation": func() error { _, err := s.GetConversation(ctx, conv.ID); return err },
			"UpdateConversation": func() error {
				_, err := s.UpdateConversation(ctx, conv.ID, func(*store.Conversation) error { return mark() }, newNote)
				return err
			},
			"ListConversations": func() error {
				_, err := s.ListConversations(ctx, store.ConversationFilter{})
				return err
			},
			"AppendMessage": func() error {
				_, _, err := s.AppendMessage(ctx, &store.Message{ConversationID: conv.ID, From: store.FromVisitor, Text: "x"})
				return err
			},
			"AppendLive": func() error {
				_, _, _, err := s.AppendLive(ctx, &store.Message{ConversationID: conv.ID, From: store.FromVisitor, Text: "x"}, "visitor-1")
				return err
			},
			"ListMessages": func() error { _, err := s.ListMessages(ctx, conv.ID, 0, 0); return err },
			"AddOfflineMessage": func() error {
				_, _, err := s.AddOfflineMessage(ctx, fullOffline(site.ID, "visitor-2", "", "x"), newNote)
				return err
			},
			"ListOfflineMessages": func() error { _, err := s.ListOfflineMessages(ctx, site.ID, "", 0); return err },
			"ListOfflineByState": func() error {
				_, err := s.ListOfflineByState(ctx, site.ID, store.OfflineNew, "", 0)
				return err
			},
			"SetOfflineState": func() error {
				_, _, err := s.SetOfflineState(ctx, site.ID, offline.ID, store.OfflineDone)
				return err
			},
			"CountOffline": func() error { _, err := s.CountOffline(ctx, site.ID); return err },
			"GetSetting":   func() error { _, err := s.GetSetting(ctx, "key"); return err },
			"PutSetting":   func() error { return s.PutSetting(ctx, "key", []byte("changed")) },
			"PutSettingIfAbsent": func() error {
				_, err := s.PutSettingIfAbsent(ctx, "other", []byte("x"))
				return err
			},
			"AddNotifications": func() error { _, err := s.AddNotifications(ctx, newNote); return err },
			"GetNotification":  func() error { _, err := s.GetNotification(ctx, note.ID); return err },
			"UpdateNotification": func() error {
				_, err := s.UpdateNotification(ctx, note.ID, func(*store.Notification) error { return mark() })
				return err
			},
			"DueNotifications": func() error { _, err := s.DueNotifications(ctx, at(10), 0); return err },
			"ListNotifications": func() error {
				_, err := s.ListNotifications(ctx, store.NotificationFilter{})
				return err
			},
			"OutboxStats": func() error { _, err := s.OutboxStats(ctx); return err },
			"VisitorNumber": func() error {
				_, err := s.VisitorNumber(ctx, site.ID, "visitor-9")
				return err
			},
			"Ping": func() error { return s.Ping(ctx) },
		}
		for name, call := range calls {
			err := call()
			if err == nil {
				t.Errorf("%s with a cancelled context: no error", name)
			} else if !errors.Is(err, context.Canceled) {
				t.Errorf("%s with a cancelled context: got %v, want one that is context.Canceled", name, err)
			}
		}
		if called {
			t.Error("an update function ran with a cancelled context")
		}

		// Nothing changed.
		sites, err := s.ListSites(ctxT(t))
		ok(t, err, "ListSites")
		same(t, sites, []*store.Site{site}, "sites")
		agents, err := s.ListAgents(ctxT(t))
		ok(t, err, "ListAgents")
		equal(t, len(agents), 2, "agents")
		convs, err := s.ListConversations(ctxT(t), store.ConversationFilter{})
		ok(t, err, "ListConversations")
		equal(t, len(convs), 1, "conversations")
		msgs, err := s.ListMessages(ctxT(t), conv.ID, 0, 0)
		ok(t, err, "ListMessages")
		equal(t, len(msgs), 1, "messages")
		same(t, listOffline(t, s, site.ID, "", 0), []*store.OfflineMessage{offline}, "offline messages")
		v, err := s.GetSetting(ctxT(t), "key")
		ok(t, err, "GetSetting")
		equal(t, string(v), "value", "setting")
		_, err = s.GetSetting(ctxT(t), "other")
		isErr(t, err, store.ErrNotFound, "setting put with a cancelled context")
		same(t, getNote(t, s, note.ID), note, "notification")
		noNote(t, s, newNote.ID)
		n, err := s.VisitorNumber(ctxT(t), site.ID, "visitor-10")
		ok(t, err, "VisitorNumber")
		equal(t, n, int64(1), "first visitor number after a cancelled VisitorNumber")
	}},
}
