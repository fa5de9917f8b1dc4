// Package copiertest fills a store with every kind of record and checks that a
// copy of it holds them field for field, for the tests and the benchmark of
// store/copier and gateway migrate-data.
package copiertest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/livedesk/gateway/routing/schedule"
	"github.com/livedesk/gateway/store"
)

// Secret is the setting Seed stores as the gateway's secret would be.
const Secret = "jwt_secret"

// zone makes the fixtures' times carry an offset other than UTC.
var zone = time.FixedZone("UTC+2", 2*60*60)

// at is a fixed instant with nanoseconds, n minutes after a base time.
func at(n int) time.Time {
	return time.Date(2026, 3, 14, 9, 26, 53, 589793238, zone).Add(time.Duration(n) * time.Minute)
}

// Seeded names what Seed wrote, for the checks.
type Seeded struct {
	Sites    []string
	Visitors [][2]string // site, visitor: each has a number
	// ClientIDs are a message's conversation and client id, to resend.
	ClientIDs [][2]string
	// Erased are the erased visitors (not among Visitors).
	Erased []Erased
}

// Erased is a visitor Seed erased and the number it had (0 for none).
type Erased struct {
	Site, Visitor string
	Number        int64
}

// Seed writes to s every kind of record in every state it has: two sites (with
// departments, one of them with its own hours), agents (one without an e-mail),
// settings (the secret among them), conversations queued, open with a handoff,
// and ended with messages from every author (with and without client ids),
// offline messages new, read and done, notifications pending, delivered and
// failed, visitor numbers (also on a site that does not exist) and erased
// visitors (with and without a number).
func Seed(ctx context.Context, s store.Store) (Seeded, error) {
	var out Seeded
	week := schedule.Schedule{Timezone: "Europe/Paris"}
	for i, name := range []string{"Shop", "Help desk"} {
		site := &store.Site{Name: name, Mode: store.ModeAuto, Schedule: week, AllowedOrigins: []string{"https://shop.example"},
			ClosingSoonMinutes: 10 + i, QueueTimeoutSeconds: 60, ShiftEnd: store.ShiftEndHandover,
			OfflineForm: store.OfflineForm{Enabled: true, Fields: []store.FormField{{Name: "order", Label: "Order", Labels: map[string]string{"fr": "Commande"}, Type: "text"}}},
			Notify:      store.Notify{Emails: []string{"desk@shop.example"}, WebhookURL: "https://hooks.example/x", WebhookSecret: "whs"},
			CreatedAt:   at(i), UpdatedAt: at(i + 1)}
		if err := s.CreateSite(ctx, site); err != nil {
			return out, err
		}
		out.Sites = append(out.Sites, site.ID)
		for j, dn := range []string{"Sales", "Support"} {
			d := &store.Department{SiteID: site.ID, Name: dn, Position: j, Agents: []string{"a1"}, Notify: store.DepartmentNotify{Emails: []string{"sales@shop.example"}},
				CreatedAt: at(j), UpdatedAt: at(j)}
			if j == 1 {
				d.Schedule = &week
			}
			if err := s.CreateDepartment(ctx, d); err != nil {
				return out, err
			}
		}
	}
	for i, email := range []string{"owner@shop.example", "", "Agent@Shop.example"} {
		a := &store.Agent{Email: email, Name: fmt.Sprintf("Agent %d", i), Role: []string{store.RoleOwner, store.RoleAgent, store.RoleAdmin}[i],
			Sites: out.Sites[:i%2+1], MaxChats: 3, Presence: store.PresenceAway, PasswordHash: "$2a$10$hash", TokenVersion: int64(i + 4),
			HadSocket: i == 2, CreatedAt: at(i), UpdatedAt: at(i + 2)}
		if err := s.CreateAgent(ctx, a); err != nil {
			return out, err
		}
	}
	for key, v := range map[string][]byte{Secret: []byte("0123456789abcdef\x00\xff"), "empty": {}, "json": []byte(`{"a":1}`)} {
		if err := s.PutSetting(ctx, key, v); err != nil {
			return out, err
		}
	}
	for i, site := range append(append([]string{}, out.Sites...), "no-such-site") {
		for j := range 2 + i {
			v := fmt.Sprintf("visitor-%d-%d", i, j)
			if _, err := s.VisitorNumber(ctx, site, v); err != nil {
				return out, err
			}
			out.Visitors = append(out.Visitors, [2]string{site, v})
		}
	}
	if err := seedErased(ctx, s, out.Sites, &out); err != nil {
		return out, err
	}
	if err := seedChats(ctx, s, out.Sites[0], &out); err != nil {
		return out, err
	}
	return out, seedOffline(ctx, s, out.Sites)
}

// seedErased erases a visitor with a number (the last its site gave) on the
// first site and on a site that does not exist, and one without a number on
// the second site.
func seedErased(ctx context.Context, s store.Store, sites []string, out *Seeded) error {
	for i, site := range []string{sites[0], sites[1], "no-such-site"} {
		e := Erased{Site: site, Visitor: fmt.Sprintf("erased-%d", i)}
		if i != 1 {
			var err error
			if e.Number, err = s.VisitorNumber(ctx, site, e.Visitor); err != nil {
				return err
			}
		}
		had, err := s.MarkVisitorErased(ctx, site, e.Visitor)
		if err != nil {
			return err
		}
		if had != (e.Number > 0) {
			return fmt.Errorf("erase %s of %s: had a number %v, want %v", e.Visitor, site, had, e.Number > 0)
		}
		out.Erased = append(out.Erased, e)
	}
	return nil
}

// seedChats writes a queued, an open (handed off) and an ended conversation.
func seedChats(ctx context.Context, s store.Store, site string, out *Seeded) error {
	for i, state := range []string{store.StateQueued, store.StateOpen, store.StateEnded} {
		c := &store.Conversation{SiteID: site, VisitorID: fmt.Sprintf("visitor-0-%d", i%2), VisitorName: "Ann", VisitorEmail: "ann@example.com",
			Page: "https://shop.example/cart", VisitorLang: "fr", VisitorTimezone: "Europe/Paris", VisitorNumber: int64(i%2 + 1),
			State: store.StateQueued, CreatedAt: at(10 * i), StartID: fmt.Sprintf("start-%d", i)}
		first := &store.Message{From: store.FromVisitor, Text: "Hello", At: at(10 * i), ClientID: fmt.Sprintf("c%d-1", i)}
		if err := s.CreateConversation(ctx, c, first); err != nil {
			return err
		}
		out.ClientIDs = append(out.ClientIDs, [2]string{c.ID, first.ClientID})
		if state == store.StateQueued {
			continue
		}
		_, err := s.UpdateConversation(ctx, c.ID, func(c *store.Conversation) error {
			c.State, c.AgentID, c.AgentName, c.AssignedAt = store.StateOpen, "a1", "Bob", ptr(at(10*i+1))
			c.Handoff = &store.Handoff{FromAgentID: "a2", FromAgentName: "Eve", Note: "VIP", At: at(10*i + 1)}
			return nil
		})
		if err != nil {
			return err
		}
		for j, m := range []store.Message{
			{From: store.FromAgent, AgentID: "a1", AgentName: "Bob", Text: "Hi, how can I help?", ClientID: fmt.Sprintf("c%d-2", i)},
			{From: store.FromSystem, Text: "Bob joined"},
			{From: store.FromVisitor, Text: "My order \"A-1\" is late ✓", ClientID: fmt.Sprintf("c%d-3", i)},
		} {
			m.ConversationID, m.At = c.ID, at(10*i+2+j)
			if _, _, err := s.AppendMessage(ctx, &m); err != nil {
				return err
			}
		}
		if state == store.StateEnded {
			_, err := s.UpdateConversation(ctx, c.ID, func(c *store.Conversation) error {
				c.State, c.EndedAt, c.EndedBy, c.Handoff = store.StateEnded, ptr(at(10*i+8)), "agent", nil
				return nil
			}, note("transcript-"+c.ID, site, store.NotificationDelivered, 10*i+8))
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// seedOffline writes offline messages in every state, with their notifications.
func seedOffline(ctx context.Context, s store.Store, sites []string) error {
	for i, state := range []string{store.OfflineNew, store.OfflineRead, store.OfflineDone, store.OfflineNew} {
		m := &store.OfflineMessage{SiteID: sites[i%2], VisitorID: fmt.Sprintf("visitor-%d-0", i%2), Name: "Ann", Email: "ann@example.com",
			Message: "Call me", Fields: map[string]string{"order": "A-1"}, Page: "https://shop.example", Lang: "pt-BR", Timezone: "America/Sao_Paulo",
			VisitorNumber: 1, CreatedAt: at(40 + i), ClientID: fmt.Sprintf("off-%d", i)}
		if i == 3 {
			m.ClientID = "" // no client id: nothing to resend
		}
		stored, _, err := s.AddOfflineMessage(ctx, m, note(fmt.Sprintf("offline-%d", i), m.SiteID, []string{
			store.NotificationPending, store.NotificationFailed, store.NotificationDelivered, store.NotificationPending}[i], 40+i))
		if err != nil {
			return err
		}
		if state != store.OfflineNew {
			if _, _, err := s.SetOfflineState(ctx, m.SiteID, stored.ID, state); err != nil {
				return err
			}
		}
	}
	return nil
}

// note is a notification of the fixtures, in state, made n minutes in.
func note(id, site, state string, n int) *store.Notification {
	out := &store.Notification{ID: fmt.Sprintf("0190%04d-%s", n, id), EventID: "event-" + id, Type: "offline_message", SiteID: site,
		Channel: store.ChannelWebhook, URL: "https://hooks.example/x", Secret: "whs",
		Data:  json.RawMessage(`{"id":"` + id + `","n":[1,2.5,null],"s":"\u00e9"}`),
		State: state, Attempts: 1, CreatedAt: at(n), NextAttemptAt: at(n + 1)}
	if state != store.NotificationPending {
		out.LastAttemptAt, out.LastError = ptr(at(n+1)), "503"
	}
	if state == store.NotificationDelivered {
		out.DeliveredAt = ptr(at(n + 1))
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// SeedMessages writes convs conversations of perConv messages each to site
// (each conversation in one CreateConversation, workers at once), for the
// benchmark; each message has a client id.
func SeedMessages(ctx context.Context, s store.Store, site string, convs, perConv, workers int) error {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				c := &store.Conversation{SiteID: site, VisitorID: fmt.Sprintf("bench-%d", i), State: store.StateEnded, CreatedAt: at(i % 1000)}
				msgs := make([]*store.Message, perConv)
				for j := range msgs {
					msgs[j] = &store.Message{From: store.FromVisitor, Text: "A message of about the length people write in a chat.",
						At: at(i%1000 + j), ClientID: fmt.Sprintf("b%d-%d", i, j)}
				}
				if err := s.CreateConversation(ctx, c, msgs...); err != nil {
					mu.Lock()
					first = cmpOr(first, err)
					mu.Unlock()
				}
			}
		}()
	}
	for i := range convs {
		next <- i
	}
	close(next)
	wg.Wait()
	return first
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
