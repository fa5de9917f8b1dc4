package main

import (
	"testing"

	"github.com/livedesk/gateway/internal/pgtest"
	"github.com/livedesk/gateway/store"
	"github.com/livedesk/gateway/store/postgres"
)

// A small data set has what the flags asked for, readable through the store.
func TestSeedSmall(t *testing.T) {
	srv := pgtest.Start(t)
	c := config{url: srv.URL(), messages: 3000, offline: 500, sites: 3, departments: 2, agents: 2,
		minMsgs: 10, maxMsgs: 20, live: 20, missed: 0.1, days: 30, batch: 50, workers: 2, seed: 1}
	if err := c.check(); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if err := run(ctx, c); err != nil {
		t.Fatal(err)
	}
	s, err := postgres.Open(ctx, srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var msgs, convs, live, offline, numbered int
	for _, q := range []struct {
		sql string
		dst *int
	}{
		{"SELECT count(*) FROM messages", &msgs},
		{"SELECT count(*) FROM conversations", &convs},
		{"SELECT count(*) FROM conversations WHERE state IN ('queued', 'open')", &live},
		{"SELECT count(*) FROM offline_messages", &offline},
		{"SELECT count(*) FROM visitor_numbers", &numbered},
	} {
		if err := s.Pool().QueryRow(ctx, q.sql).Scan(q.dst); err != nil {
			t.Fatal(err)
		}
	}
	if msgs > c.messages || msgs < c.messages*9/10 || offline != c.offline || live != c.live || convs < 3000/20 || numbered == 0 {
		t.Fatalf("messages %d, conversations %d, live %d, offline %d, visitor numbers %d", msgs, convs, live, offline, numbered)
	}
	sites, err := s.ListSites(ctx)
	if err != nil || len(sites) != 3 {
		t.Fatalf("sites: %d %v", len(sites), err)
	}
	// The newest conversation of the biggest site reads back whole, with its
	// visitor's number and its messages 1..LastSeq.
	var biggest string
	if err := s.Pool().QueryRow(ctx, "SELECT site_id FROM conversations GROUP BY site_id ORDER BY count(*) DESC LIMIT 1").Scan(&biggest); err != nil {
		t.Fatal(err)
	}
	list, err := s.ListConversations(ctx, store.ConversationFilter{SiteID: biggest, State: store.StateEnded, Limit: 1})
	if err != nil || len(list) != 1 {
		t.Fatalf("list: %v %v", list, err)
	}
	conv := list[0]
	n, err := s.VisitorNumber(ctx, biggest, conv.VisitorID)
	if err != nil || n != conv.VisitorNumber {
		t.Fatalf("visitor number %d, conversation says %d (%v)", n, conv.VisitorNumber, err)
	}
	got, err := s.ListMessages(ctx, conv.ID, 0, 0)
	if err != nil || int64(len(got)) != conv.LastSeq || got[len(got)-1].Seq != conv.LastSeq || conv.EndedAt == nil {
		t.Fatalf("messages of %+v: %d (%v)", conv, len(got), err)
	}
	counts, err := s.CountOffline(ctx, biggest)
	if err != nil || counts.New == 0 || counts.Read == 0 || counts.Done == 0 {
		t.Fatalf("offline counts %+v %v", counts, err)
	}
}

// Flags that cannot make a data set are refused.
func TestCheck(t *testing.T) {
	good := config{url: "postgres://x", messages: 1, sites: 1, agents: 1, minMsgs: 1, maxMsgs: 1, days: 1, batch: 1, workers: 1}
	if err := good.check(); err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string]func(*config){
		"no url":     func(c *config) { c.url = "" },
		"no sites":   func(c *config) { c.sites = 0 },
		"max < min":  func(c *config) { c.maxMsgs = 0 },
		"missed > 1": func(c *config) { c.missed = 2 },
		"no workers": func(c *config) { c.workers = 0 },
		"negative":   func(c *config) { c.offline = -1 },
	} {
		c := good
		bad(&c)
		if err := c.check(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
