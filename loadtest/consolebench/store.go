package main

import (
	"context"
	"fmt"

	"github.com/livedesk/gateway/store"
	"github.com/livedesk/gateway/store/postgres"
)

// storeQueries opens store/postgres on c.url and returns the store-level queries.
// The store stays open for the process's life.
func storeQueries(ctx context.Context, c config) ([]query, string, error) {
	s, err := postgres.Open(ctx, c.url)
	if err != nil {
		return nil, "", err
	}
	site := c.site
	if site == "" {
		if err := s.Pool().QueryRow(ctx, "SELECT site_id FROM conversations GROUP BY site_id ORDER BY count(*) DESC LIMIT 1").Scan(&site); err != nil {
			return nil, "", fmt.Errorf("find the biggest site: %w", err)
		}
	}
	var convs, msgs int64
	if err := s.Pool().QueryRow(ctx, "SELECT count(*), coalesce(sum(last_seq), 0) FROM conversations WHERE site_id = $1", site).Scan(&convs, &msgs); err != nil {
		return nil, "", err
	}
	deps, err := s.ListDepartments(ctx, site)
	if err != nil {
		return nil, "", err
	}
	if len(deps) == 0 {
		deps = []*store.Department{{}}
	}
	// Visitors of conversations all over the history (and the newest one's).
	var visitors []string
	for i := range 50 {
		before := cursor(i, c.days)
		if i == 0 {
			before = ""
		}
		page, err := s.ListConversations(ctx, store.ConversationFilter{SiteID: site, Before: before, Limit: 1})
		if err != nil {
			return nil, "", err
		}
		for _, conv := range page {
			visitors = append(visitors, conv.VisitorID)
		}
	}
	if len(visitors) == 0 {
		return nil, "", fmt.Errorf("site %s has no conversations", site)
	}
	list := func(f func(i int) store.ConversationFilter) func(context.Context, int) (int, error) {
		return func(ctx context.Context, i int) (int, error) {
			out, err := s.ListConversations(ctx, f(i))
			return len(out), err
		}
	}
	dep := func(i int) string { return deps[i%len(deps)].ID }
	qs := []query{
		{"conversations (site)", list(func(int) store.ConversationFilter { return store.ConversationFilter{SiteID: site} })},
	}
	for _, st := range []string{store.StateQueued, store.StateOpen, store.StateEnded, store.StateMissed} {
		qs = append(qs, query{"conversations (site, " + st + ")", list(func(int) store.ConversationFilter {
			return store.ConversationFilter{SiteID: site, State: st}
		})})
	}
	qs = append(qs,
		query{"conversations (site) page deep", list(func(i int) store.ConversationFilter {
			return store.ConversationFilter{SiteID: site, Before: cursor(i, c.days)}
		})},
		query{"conversations (site, ended) page deep", list(func(i int) store.ConversationFilter {
			return store.ConversationFilter{SiteID: site, State: store.StateEnded, Before: cursor(i, c.days)}
		})},
		query{"conversations (department)", list(func(i int) store.ConversationFilter {
			return store.ConversationFilter{DepartmentID: dep(i)}
		})},
		query{"conversations (site, department)", list(func(i int) store.ConversationFilter {
			return store.ConversationFilter{SiteID: site, DepartmentID: dep(i)}
		})},
		query{"conversations (site, department, ended)", list(func(i int) store.ConversationFilter {
			return store.ConversationFilter{SiteID: site, DepartmentID: dep(i), State: store.StateEnded}
		})},
		// DeleteDepartment's check: the department's queued and open ones, up to 1000.
		query{"conversations (site, department, open) 1000", list(func(i int) store.ConversationFilter {
			return store.ConversationFilter{SiteID: site, DepartmentID: dep(i), State: store.StateOpen, Limit: 1000}
		})},
		query{"conversations (visitor) 1", list(func(i int) store.ConversationFilter {
			return store.ConversationFilter{VisitorID: visitors[i%len(visitors)], Limit: 1}
		})},
		query{"conversations (site, visitor)", list(func(i int) store.ConversationFilter {
			return store.ConversationFilter{SiteID: site, VisitorID: visitors[i%len(visitors)]}
		})},
		query{"conversations (all sites)", list(func(int) store.ConversationFilter { return store.ConversationFilter{} })},
		// The desk's recovery at start: every queued (open) one, 500 a page.
		query{"conversations (all sites, queued) 500", list(func(int) store.ConversationFilter {
			return store.ConversationFilter{State: store.StateQueued, Limit: 500}
		})},
	)
	for _, st := range []string{"", store.OfflineNew, store.OfflineRead, store.OfflineDone} {
		name := "offline (site" + map[bool]string{true: "", false: ", " + st}[st == ""] + ")"
		qs = append(qs, query{name, func(ctx context.Context, _ int) (int, error) {
			out, err := s.ListOfflineByState(ctx, site, st, "", 50)
			return len(out), err
		}})
	}
	qs = append(qs,
		query{"offline (site, new) page deep", func(ctx context.Context, i int) (int, error) {
			out, err := s.ListOfflineByState(ctx, site, store.OfflineNew, cursor(i, c.days), 50)
			return len(out), err
		}},
		query{"offline (site) page deep", func(ctx context.Context, i int) (int, error) {
			out, err := s.ListOfflineByState(ctx, site, "", cursor(i, c.days), 50)
			return len(out), err
		}},
		query{"offline counts (site)", func(ctx context.Context, _ int) (int, error) {
			_, err := s.CountOffline(ctx, site)
			return 1, err
		}},
	)
	return qs, fmt.Sprintf("store/postgres, site %s (%d conversations, %d messages)", site, convs, msgs), nil
}
