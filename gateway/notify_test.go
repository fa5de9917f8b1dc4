package gateway

import (
	"encoding/json"
	"io"
	"mime"
	"mime/quotedprintable"
	"strings"
	"testing"
	"time"

	"github.com/livedesk/gateway/notify"
	"github.com/livedesk/gateway/store"
)

func TestOfflineMessageGoesOutByEmailAndWebhookThroughFailures(t *testing.T) {
	r := newNotifyRig(t)
	r.notifySiteA(60)
	r.hook.Fail(500, 503)
	r.smtp.FailNext(1)

	v, _ := r.visitor(r.siteA.ID, map[string]any{"lang": "de", "timezone": "Europe/Berlin"})
	submit := func() {
		v.send(map[string]any{"type": "offline.submit", "id": "o1", "name": "Zoë Ünal", "email": "zoe@example.org",
			"message": "Bitte rufen Sie mich an — danke!\nZweite Zeile."})
		if m, _ := v.waitFor("offline.received"); m["re"] != "o1" {
			t.Fatalf("offline.received %v", m)
		}
	}
	submit()
	items := r.stored(notify.TypeOfflineMessage)
	if len(items) != 2 || items[0].EventID != items[1].EventID {
		t.Fatalf("want an e-mail and a webhook of one event, got %+v", items)
	}
	// A resend of the same frame stores nothing twice.
	submit()
	if n := len(r.stored(notify.TypeOfflineMessage)); n != 2 {
		t.Fatalf("resend made %d items, want 2", n)
	}

	// Webhook: 500, then 503, then accepted, each with the same id and a valid signature.
	r.advanceUntil(10*time.Second, 20, "third webhook attempt", func() bool { return len(r.hook.Requests()) >= 3 })
	reqs := r.hook.Requests()
	var first notify.WebhookBody
	for i, req := range reqs {
		b := hookBody(t, req)
		if i == 0 {
			first = b
		}
		if b.ID != first.ID || b.Type != notify.TypeOfflineMessage || string(b.Data) != string(first.Data) {
			t.Fatalf("attempt %d sent %+v, first sent %+v", i+1, b, first)
		}
		if req.Header.Get("X-Gateway-Delivery") != b.ID || req.Header.Get("X-Gateway-Event") != b.Type {
			t.Fatalf("headers %v", req.Header)
		}
	}
	var data notify.OfflineMessageData
	if err := json.Unmarshal(first.Data, &data); err != nil {
		t.Fatal(err)
	}
	if data.Site.ID != r.siteA.ID || data.Message.Email != "zoe@example.org" || data.Message.Name != "Zoë Ünal" ||
		data.Message.Lang != "de" || data.Message.Timezone != "Europe/Berlin" || !strings.Contains(data.Message.Message, "Zweite") {
		t.Fatalf("webhook data %+v", data)
	}

	// E-mail: refused once (451), then delivered to both addresses.
	msgs := r.smtp.Wait(t, 1, frameWait)
	if got := strings.Join(msgs[0].To, ","); got != "desk@shop.example,boss@shop.example" {
		t.Fatalf("recipients %s", got)
	}
	m := parseMail(t, msgs[0])
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil || !strings.Contains(subject, "Zoë Ünal") || !strings.Contains(subject, "Site A") {
		t.Fatalf("subject %q (%v)", subject, err)
	}
	replyTo, err := m.Header.AddressList("Reply-To")
	if err != nil || len(replyTo) != 1 || replyTo[0].Address != "zoe@example.org" || replyTo[0].Name != "Zoë Ünal" {
		t.Fatalf("Reply-To %v (%v)", replyTo, err)
	}
	body, _ := io.ReadAll(quotedprintable.NewReader(m.Body))
	if !strings.Contains(string(body), "Bitte rufen Sie mich an — danke!") {
		t.Fatalf("body %s", body)
	}

	// The outbox shows both delivered, with their attempts; the secret never.
	r.advanceUntil(time.Second, 5, "both delivered", func() bool {
		return len(r.stored(notify.TypeOfflineMessage)) == 2 && allDelivered(r.stored(notify.TypeOfflineMessage))
	})
	byChannel := map[string]map[string]any{}
	for _, n := range r.notifications("?state=delivered") {
		byChannel[n["channel"].(string)] = n
	}
	if w := byChannel["webhook"]; w == nil || w["attempts"] != 3.0 || w["delivered_at"] == nil || w["secret"] != nil || w["last_error"] != nil {
		t.Fatalf("webhook item %v", w)
	}
	if e := byChannel["email"]; e == nil || e["attempts"] != 2.0 {
		t.Fatalf("e-mail item %v", e)
	}
	if n := len(r.notifications("?state=pending")); n != 0 {
		t.Fatalf("%d still pending", n)
	}
	// Agents may not read the outbox; a bad state is refused.
	r.mustDo("GET", "/api/v1/notifications", r.tokens["agentA"], nil, 403)
	r.mustDo("GET", "/api/v1/notifications?state=sent", r.tokens["admin"], nil, 400)
	r.mustDo("GET", "/api/v1/notifications?limit=0", r.tokens["admin"], nil, 400)
	r.mustDo("GET", "/api/v1/notifications/"+items[0].ID, r.tokens["owner"], nil, 200)
	r.mustDo("GET", "/api/v1/notifications/nope", r.tokens["owner"], nil, 404)
}

func allDelivered(items []*store.Notification) bool {
	for _, n := range items {
		if n.State != store.NotificationDelivered {
			return false
		}
	}
	return true
}

func TestWebhookRetriedAfterARestartWithTheSameID(t *testing.T) {
	r := newNotifyRig(t)
	r.mustDo("PATCH", "/api/v1/sites/"+r.siteA.ID, r.tokens["admin"], map[string]any{
		"notify": map[string]any{"webhook_url": r.hook.URL, "webhook_secret": hookSecret}}, 200)
	r.hook.Fail(502)
	v, _ := r.visitor(r.siteA.ID, nil)
	v.send(map[string]any{"type": "offline.submit", "id": "o1", "email": "ann@example.org", "message": "hello"})
	v.waitFor("offline.received")
	r.hook.Wait(t, 1, frameWait)
	r.advanceUntil(time.Second, 5, "first failure recorded", func() bool {
		items := r.stored(notify.TypeOfflineMessage)
		return len(items) == 1 && items[0].Attempts == 1
	})
	n := r.stored(notify.TypeOfflineMessage)[0]
	if n.State != store.NotificationPending || !strings.Contains(n.LastError, "502") {
		t.Fatalf("after the failed attempt: %+v", n)
	}

	r.restart()
	r.advanceUntil(5*time.Second, 20, "retry after the restart", func() bool { return len(r.hook.Requests()) >= 2 })
	reqs := r.hook.Requests()
	if a, b := hookBody(t, reqs[0]), hookBody(t, reqs[1]); a.ID != b.ID || a.ID != n.EventID {
		t.Fatalf("ids %s then %s, event %s", a.ID, b.ID, n.EventID)
	}
	r.advanceUntil(time.Second, 5, "delivered", func() bool {
		return r.stored(notify.TypeOfflineMessage)[0].State == store.NotificationDelivered
	})
	if got := r.stored(notify.TypeOfflineMessage)[0]; got.Attempts != 2 || got.LastError != "" {
		t.Fatalf("after the restart: %+v", got)
	}
}

func TestEndedConversationSendsItsTranscript(t *testing.T) {
	r := newNotifyRig(t)
	r.notifySiteA(60)
	agent := r.deskSetup()
	v, _ := r.visitor(r.siteA.ID, nil)
	v.send(map[string]any{"type": "chat.start", "id": "s1", "text": "Où est ma commande ?", "name": "Ann", "email": "ann@example.org"})
	conv := v.expect("chat.assigned")["conversation"].(map[string]any)["id"].(string)
	agent.waitFor("chat.assigned")
	r.clock.Advance(time.Minute)
	agent.send(map[string]any{"type": "message", "id": "a1", "conversation_id": conv, "text": "Elle part demain.\nBonne journée"})
	v.waitFor("message")
	v.send(map[string]any{"type": "chat.end", "id": "e1"})
	v.waitFor("chat.ended")

	reqs := r.hook.Wait(t, 1, frameWait)
	var ended notify.WebhookBody
	for _, req := range reqs {
		if b := hookBody(t, req); b.Type == notify.TypeConversation {
			ended = b
		}
	}
	var data notify.ConversationData
	if err := json.Unmarshal(ended.Data, &data); err != nil {
		t.Fatal(err)
	}
	if data.Conversation.ID != conv || data.Conversation.EndedBy != "visitor" || data.Conversation.AgentID != r.agentA.ID ||
		len(data.Transcript) != 2 || data.Transcript[0].Text != "Où est ma commande ?" || data.Transcript[1].From != "agent" {
		t.Fatalf("conversation.ended data %+v", data)
	}
	msgs := r.smtp.Wait(t, 1, frameWait)
	m := parseMail(t, msgs[0])
	body, _ := io.ReadAll(quotedprintable.NewReader(m.Body))
	for _, want := range []string{"Où est ma commande ?", "Elle part demain.", "Bonne journée"} {
		if !strings.Contains(string(body), want) {
			t.Fatalf("transcript mail lacks %q:\n%s", want, body)
		}
	}
	if rt, _ := m.Header.AddressList("Reply-To"); len(rt) != 1 || rt[0].Address != "ann@example.org" {
		t.Fatalf("Reply-To %v", rt)
	}
}

func TestPresenceAlertOnlyForASustainedChange(t *testing.T) {
	r := newNotifyRig(t)
	r.deskSetup() // site A online from 10:00 Paris, when agentA connects
	r.notifySiteA(60)
	alerts := func() int { return len(r.stored(notify.TypeStatusChanged)) }
	// The first status a site ever has is its baseline: no alert.
	r.clock.Advance(2 * time.Minute)
	if n := alerts(); n != 0 {
		t.Fatalf("%d alerts for the first status", n)
	}
	mode := func(m string) {
		r.mustDo("PUT", "/api/v1/sites/"+r.siteA.ID+"/mode", r.tokens["admin"], map[string]any{"mode": m}, 200)
	}
	// A 30-second flap sends nothing, even long after.
	mode("offline")
	r.clock.Advance(30 * time.Second)
	mode("auto")
	r.clock.Advance(10 * time.Minute)
	if n := alerts(); n != 0 {
		t.Fatalf("%d alerts for a flap", n)
	}
	// Offline that holds: nothing at 59 s, one alert at 60 s, no more later.
	mode("offline")
	since := r.clock.Now()
	r.clock.Advance(59 * time.Second)
	if n := alerts(); n != 0 {
		t.Fatalf("alert before after_seconds")
	}
	r.clock.Advance(time.Second)
	items := r.stored(notify.TypeStatusChanged)
	if len(items) != 2 { // e-mail and webhook of one event
		t.Fatalf("want one alert by e-mail and webhook, got %d items", len(items))
	}
	var data notify.StatusChangedData
	if err := json.Unmarshal(items[0].Data, &data); err != nil {
		t.Fatal(err)
	}
	if data.Status.Online || data.Status.Reason != "paused" || !data.Since.Equal(since) || data.Previous == nil || !data.Previous.Online || data.AfterSeconds != 60 {
		t.Fatalf("alert data %+v", data)
	}
	if items[0].To != nil && items[0].To[0] != "oncall@shop.example" {
		t.Fatalf("alert to %v", items[0].To)
	}
	r.clock.Advance(30 * time.Minute)
	if n := alerts(); n != 2 {
		t.Fatalf("%d alert items after 30 min, want 2", n)
	}
	b := hookBody(t, r.hook.Wait(t, 1, frameWait)[0])
	if b.Type != notify.TypeStatusChanged || b.ID != items[0].EventID {
		t.Fatalf("alert webhook %+v", b)
	}
	// Back online and held: the second alert.
	mode("auto")
	r.clock.Advance(time.Minute)
	if n := alerts(); n != 4 {
		t.Fatalf("%d alert items after going back online, want 4", n)
	}
}

// An item given up can be put back by an admin once the receiver works again.
func TestFailedNotificationRetriedByAnAdmin(t *testing.T) {
	r := newNotifyRig(t, 30*time.Second)
	r.mustDo("PATCH", "/api/v1/sites/"+r.siteA.ID, r.tokens["admin"], map[string]any{
		"notify": map[string]any{"webhook_url": r.hook.URL, "webhook_secret": hookSecret}}, 200)
	r.hook.Fail(500, 500, 500) // attempts at +0, +10 s and +30 s (the window's end)
	v, _ := r.visitor(r.siteA.ID, nil)
	v.send(map[string]any{"type": "offline.submit", "id": "o1", "email": "ann@example.org", "message": "hello"})
	v.waitFor("offline.received")
	r.advanceUntil(5*time.Second, 30, "given up", func() bool {
		items := r.stored(notify.TypeOfflineMessage)
		return len(items) == 1 && items[0].State == store.NotificationFailed
	})
	failed := r.notifications("?state=failed")
	if len(failed) != 1 || failed[0]["last_error"] == nil || failed[0]["next_attempt_at"] != nil {
		t.Fatalf("failed items %v", failed)
	}
	id := failed[0]["id"].(string)
	attempts := failed[0]["attempts"].(float64)
	r.mustDo("POST", "/api/v1/notifications/"+id+"/retry", r.tokens["agentA"], nil, 403)
	r.mustDo("POST", "/api/v1/notifications/nope/retry", r.tokens["admin"], nil, 404)
	got := r.mustDo("POST", "/api/v1/notifications/"+id+"/retry", r.tokens["admin"], nil, 200).json(t)
	if got["state"] != "pending" {
		t.Fatalf("after retry %v", got)
	}
	r.advanceUntil(time.Second, 5, "delivered", func() bool {
		return r.stored(notify.TypeOfflineMessage)[0].State == store.NotificationDelivered
	})
	if n := r.stored(notify.TypeOfflineMessage)[0]; float64(n.Attempts) != attempts+1 {
		t.Fatalf("attempts %d, want %v", n.Attempts, attempts+1)
	}
	r.mustDo("POST", "/api/v1/notifications/"+id+"/retry", r.tokens["admin"], nil, 409)
}
