package gateway

import (
	"context"
	"testing"
	"time"

	"github.com/livedesk/gateway/internal/webhooktest"
	"github.com/livedesk/gateway/notify"
	"github.com/livedesk/gateway/store"
)

// Two nodes: the status change that holds is announced once, and its webhook is
// delivered once, although both nodes run an outbox worker.
func TestClusterPresenceAlertOnceAcrossNodes(t *testing.T) {
	tc := newTestCluster(t, 2)
	hook := webhooktest.Start(t)
	f := tc.nodes[0]
	f.mustDo("PATCH", "/api/v1/sites/"+f.siteA.ID, f.tokens["admin"], map[string]any{
		"notify":          map[string]any{"webhook_secret": hookSecret},
		"presence_alerts": map[string]any{"webhook_url": hook.URL, "after_seconds": 60},
	}, 200)
	tc.deskSetup(1)
	v, w := tc.nodes[1].visitor(f.siteA.ID, nil)
	if st := status(w); st["online"] != true {
		t.Fatalf("welcome status %v", st)
	}
	tc.clock.Advance(2 * time.Minute) // the first status becomes the baseline
	alerts := func() []*store.Notification {
		list, err := f.store.ListNotifications(context.Background(), store.NotificationFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return list
	}
	if n := len(alerts()); n != 0 {
		t.Fatalf("%d notifications for the first status", n)
	}
	// The owner pauses the site through node 0; the leader's desk decides.
	tc.nodes[0].mustDo("PUT", "/api/v1/sites/"+f.siteA.ID+"/mode", f.tokens["admin"], map[string]any{"mode": "offline"}, 200)
	if st := status(v.expect("status")); st["reason"] != "paused" {
		t.Fatalf("status %v", st)
	}
	tc.clock.Advance(59 * time.Second)
	if n := len(alerts()); n != 0 {
		t.Fatalf("alert before after_seconds")
	}
	tc.clock.Advance(time.Second)
	got := alerts()
	if len(got) != 1 || got[0].Type != notify.TypeStatusChanged || got[0].Channel != store.ChannelWebhook {
		t.Fatalf("alerts %+v", got)
	}
	b := hookBody(t, hook.Wait(t, 1, frameWait)[0])
	if b.ID != got[0].EventID {
		t.Fatalf("webhook id %s, event %s", b.ID, got[0].EventID)
	}
	// Let both workers poll many times: still one delivery, one alert.
	for i := 0; i < 10; i++ {
		tc.clock.Advance(3 * time.Second)
		time.Sleep(20 * time.Millisecond)
	}
	if n := len(hook.Requests()); n != 1 {
		t.Fatalf("%d webhook requests, want 1", n)
	}
	if got := alerts(); len(got) != 1 || got[0].State != store.NotificationDelivered || got[0].Attempts != 1 {
		t.Fatalf("after polling: %+v", got)
	}
}
