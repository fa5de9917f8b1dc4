package main

import (
	"testing"

	"github.com/livedesk/gateway/internal/pgtest"
	"github.com/livedesk/gateway/internal/redistest"
	"github.com/livedesk/gateway/store"
)

// A small data set has what the flags asked for, readable through the store, on
// PostgreSQL (bulk) and on Redis (one call per record).
func TestSeedSmall(t *testing.T) {
	for _, tc := range []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"postgres", func(t *testing.T) string { return pgtest.Start(t).URL() }},
		{"redis", func(t *testing.T) string { return redistest.Start(t).URL() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := config{url: tc.url(t), messages: 3000, offline: 300, sites: 3, departments: 2, agents: 2,
				minMsgs: 10, maxMsgs: 20, live: 20, missed: 0.1, days: 30, batch: 50, workers: 2, seed: 1}
			if err := c.check(); err != nil {
				t.Fatal(err)
			}
			ctx := t.Context()
			if err := run(ctx, c); err != nil {
				t.Fatal(err)
			}
			snk, err := openSink(ctx, c.url)
			if err != nil {
				t.Fatal(err)
			}
			defer snk.Close()
			checkSeeded(t, snk.store(), c)
		})
	}
}

// checkSeeded checks, through the store, what c asked run to write.
func checkSeeded(t *testing.T, s store.Store, c config) {
	ctx := t.Context()
	sites, err := s.ListSites(ctx)
	if err != nil || len(sites) != c.sites {
		t.Fatalf("sites: %d %v", len(sites), err)
	}
	var msgs, convs, live, offline int
	var biggest string
	most := 0
	for _, st := range sites {
		n := 0
		for before := ""; ; {
			page, err := s.ListConversations(ctx, store.ConversationFilter{SiteID: st.ID, Before: before, Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			for _, conv := range page {
				msgs += int(conv.LastSeq)
				if conv.State == store.StateQueued || conv.State == store.StateOpen {
					live++
				}
			}
			n += len(page)
			if len(page) < 500 {
				break
			}
			before = page[len(page)-1].ID
		}
		convs += n
		if n > most {
			biggest, most = st.ID, n
		}
		counts, err := s.CountOffline(ctx, st.ID)
		if err != nil {
			t.Fatal(err)
		}
		offline += counts.New + counts.Read + counts.Done
	}
	if msgs > c.messages || msgs < c.messages*9/10 || offline != c.offline || live != c.live || convs < c.messages/c.maxMsgs {
		t.Fatalf("messages %d, conversations %d, live %d, offline %d", msgs, convs, live, offline)
	}
	// The newest ended conversation of the biggest site reads back whole, with its
	// visitor's number and its messages 1..LastSeq.
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
