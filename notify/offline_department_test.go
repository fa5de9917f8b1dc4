package notify

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/livedesk/gateway/clock"
	"github.com/livedesk/gateway/internal/smtptest"
	"github.com/livedesk/gateway/store"
)

// The addresses an offline message's e-mail goes to: the site's, plus those of
// the department it was left for, each once.
func TestOfflineMessageRecipients(t *testing.T) {
	site := &store.Site{ID: "s1", Name: "Shop", Notify: store.Notify{Emails: []string{"desk@shop.example", "Boss@shop.example"}}}
	sales := &store.Department{ID: "d1", SiteID: "s1", Name: "Sales",
		Notify: store.DepartmentNotify{Emails: []string{"sales@shop.example", "boss@SHOP.example"}}}
	quiet := &store.Department{ID: "d2", SiteID: "s1", Name: "Support"}
	silentSite := &store.Site{ID: "s2", Name: "Quiet"}
	for _, tc := range []struct {
		name string
		site *store.Site
		dept *store.Department
		want []string // nil: no e-mail item
	}{
		{"site only", site, nil, []string{"desk@shop.example", "Boss@shop.example"}},
		{"department adds its own", site, sales, []string{"desk@shop.example", "Boss@shop.example", "sales@shop.example"}},
		{"department without addresses", site, quiet, []string{"desk@shop.example", "Boss@shop.example"}},
		{"site without addresses", silentSite, sales, []string{"sales@shop.example", "boss@SHOP.example"}},
		{"nobody", silentSite, quiet, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &store.OfflineMessage{ID: "m1", SiteID: tc.site.ID, Message: "hi", CreatedAt: t0}
			if tc.dept != nil {
				m.DepartmentID = tc.dept.ID
			}
			items, err := Outbox{Mail: true}.OfflineMessage(tc.site, tc.dept, m)
			if err != nil {
				t.Fatal(err)
			}
			var to []string
			for _, n := range items {
				if n.Channel == store.ChannelEmail {
					to = n.To
				}
			}
			if !slices.Equal(to, tc.want) {
				t.Fatalf("to %v, want %v", to, tc.want)
			}
		})
	}
	// The site's list is not changed by the join.
	if got := site.Notify.Emails; !slices.Equal(got, []string{"desk@shop.example", "Boss@shop.example"}) {
		t.Fatalf("site's addresses now %v", got)
	}
}

// A message left for a department reaches the department's addresses and the
// site's over a real SMTP server, and its data names the department.
func TestOfflineMessageForADepartmentIsMailedToItsAddresses(t *testing.T) {
	st := openBolt(t)
	mail := smtptest.Start(t)
	cfg, err := ParseSMTPURL(mail.URL())
	if err != nil {
		t.Fatal(err)
	}
	mailer, err := NewSMTP(cfg, "Desk <desk@example.com>", SMTPOptions{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	w := NewWorker(WorkerOptions{Store: st, Clock: clock.NewFake(t0), Webhooks: loopbackWebhooks(time.Second), Mailer: mailer})
	w.Start()
	defer w.Stop()

	site := &store.Site{ID: "s1", Name: "Shop", Notify: store.Notify{Emails: []string{"desk@shop.example"}}}
	dept := &store.Department{ID: "d1", SiteID: "s1", Name: "Sales", Notify: store.DepartmentNotify{Emails: []string{"sales@shop.example"}}}
	m := &store.OfflineMessage{ID: "m1", SiteID: "s1", VisitorID: "v1", Name: "Ann", Email: "ann@example.org",
		Message: "Do you ship to Norway?", DepartmentID: dept.ID, CreatedAt: t0}
	items, err := Outbox{Mail: true}.OfflineMessage(site, dept, m)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.AddOfflineMessage(context.Background(), m, items...); err != nil {
		t.Fatal(err)
	}
	w.Wake()
	got := mail.Wait(t, 1, 10*time.Second)
	if to := strings.Join(got[0].To, ","); to != "desk@shop.example,sales@shop.example" {
		t.Fatalf("recipients %s", to)
	}
	if !strings.Contains(string(got[0].Data), "Do you ship to Norway?") {
		t.Fatalf("mail %s", got[0].Data)
	}
	var data OfflineMessageData
	if err := json.Unmarshal(items[0].Data, &data); err != nil || data.Message.DepartmentID != "d1" {
		t.Fatalf("data %s (%v)", items[0].Data, err)
	}
}
