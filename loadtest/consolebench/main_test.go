package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/livedesk/gateway/internal/pgtest"
	"github.com/livedesk/gateway/store"
	"github.com/livedesk/gateway/store/postgres"
)

// Every store query runs and answers on a small seeded database.
func TestStoreQueries(t *testing.T) {
	srv := pgtest.Start(t)
	ctx := t.Context()
	s, err := postgres.Open(ctx, srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	site := &store.Site{Name: "s"}
	if err := s.CreateSite(ctx, site); err != nil {
		t.Fatal(err)
	}
	dep := &store.Department{SiteID: site.ID, Name: "d"}
	if err := s.CreateDepartment(ctx, dep); err != nil {
		t.Fatal(err)
	}
	var convs []postgres.SeedConversation
	for i := range 60 {
		convs = append(convs, postgres.SeedConversation{
			Conversation: &store.Conversation{SiteID: site.ID, VisitorID: "v", DepartmentID: dep.ID, State: store.StateEnded, CreatedAt: time.Now()},
			Messages:     []*store.Message{{From: store.FromVisitor, Text: "hi", ClientID: string(rune('a' + i%26))}},
		})
	}
	if err := s.SeedConversations(ctx, convs); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out.json")
	if err := run(ctx, config{url: srv.URL(), n: 2, days: 1, json: out}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var results []result
	if err := json.Unmarshal(data, &results); err != nil {
		t.Fatal(err)
	}
	if len(results) < 20 {
		t.Fatalf("%d results", len(results))
	}
	for _, r := range results {
		if r.Error != "" || r.N != 2 {
			t.Errorf("%s: n %d, error %q", r.Name, r.N, r.Error)
		}
		if r.Name == "conversations (site)" && r.Rows != 50 {
			t.Errorf("%s: %v rows, want 50", r.Name, r.Rows)
		}
	}
}

// An API that is not on loopback is refused before any request.
func TestAPILoopbackOnly(t *testing.T) {
	err := run(t.Context(), config{api: "http://192.0.2.1:8080", n: 1, days: 1})
	if err == nil || !strings.Contains(err.Error(), "loopback only") {
		t.Fatalf("got %v", err)
	}
}

// Cursors are id-shaped, within the span, and differ from run to run.
func TestCursor(t *testing.T) {
	seen := map[string]bool{}
	for i := range 10 {
		c := cursor(i, 30)
		if len(c) != 36 || c[14] != '7' {
			t.Fatalf("cursor %q is not id-shaped", c)
		}
		seen[c] = true
	}
	if len(seen) < 9 {
		t.Fatalf("only %d distinct cursors of 10", len(seen))
	}
}
