package notify

import (
	"testing"
	"time"

	"github.com/livedesk/gateway/store"
)

// The outbox's own items are told apart by the visitor they carry.
func TestCarriesVisitor(t *testing.T) {
	site := &store.Site{ID: "s1", Name: "Shop", Notify: store.Notify{WebhookURL: "https://hooks.example/x"}}
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	o := Outbox{}
	offline, err := o.OfflineMessage(site, nil, &store.OfflineMessage{ID: "m1", SiteID: "s1", VisitorID: "v1", Message: "hi", CreatedAt: at})
	if err != nil {
		t.Fatal(err)
	}
	ended, err := o.ConversationEnded(site, &store.Conversation{ID: "c1", SiteID: "s1", VisitorID: "v1", CreatedAt: at, EndedAt: &at})
	if err != nil {
		t.Fatal(err)
	}
	status, err := o.StatusChanged("e1", &store.Site{ID: "s1", PresenceAlerts: store.PresenceAlerts{WebhookURL: "https://hooks.example/p"}}, at, StatusChangedData{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		n       *store.Notification
		visitor string
		want    bool
	}{
		{"offline message of the visitor", offline[0], "v1", true},
		{"offline message of another", offline[0], "v2", false},
		{"ended conversation of the visitor", ended[0], "v1", true},
		{"ended conversation of another", ended[0], "v2", false},
		{"status change", status[0], "v1", false},
		{"empty visitor id", offline[0], "", false},
		{"data that does not decode", &store.Notification{Type: TypeOfflineMessage, Data: []byte(`[1`)}, "v1", false},
		{"unknown type naming the visitor", &store.Notification{Type: "other", Data: []byte(`{"message":{"visitor_id":"v1"}}`)}, "v1", false},
	} {
		if got := CarriesVisitor(tc.n, tc.visitor); got != tc.want {
			t.Errorf("%s: CarriesVisitor = %v, want %v", tc.name, got, tc.want)
		}
	}
}
