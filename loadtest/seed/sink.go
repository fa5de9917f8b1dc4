package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/livedesk/gateway/store"
	"github.com/livedesk/gateway/store/postgres"
	redisstore "github.com/livedesk/gateway/store/redis"
)

// sink is where the generated history goes: a store, and the bulk way to write
// into it.
type sink interface {
	store() store.Store
	// conversations stores a batch of conversations with their messages.
	conversations(ctx context.Context, b []postgres.SeedConversation) error
	// offline stores a batch of offline messages in their states.
	offline(ctx context.Context, b []*store.OfflineMessage) error
	// visitorNumbers gives the site's visitors the numbers from first on, in order;
	// a site that gave other numbers before is an error.
	visitorNumbers(ctx context.Context, siteID string, first int64, visitors []string) error
	// finish runs after the last write (PostgreSQL: ANALYZE).
	finish(ctx context.Context) error
	Close() error
}

// openSink opens the store rawURL names: postgres:// (or postgresql://) is written
// with COPY (the store's Seed functions), redis:// through the Store interface, one
// call per record, as the gateway writes.
func openSink(ctx context.Context, rawURL string) (sink, error) {
	switch {
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		s, err := postgres.Open(ctx, rawURL)
		if err != nil {
			return nil, err
		}
		return pgSink{s}, nil
	case strings.HasPrefix(rawURL, "redis://"), strings.HasPrefix(rawURL, "rediss://"):
		s, err := redisstore.Open(ctx, rawURL)
		if err != nil {
			return nil, err
		}
		return storeSink{s}, nil
	}
	return nil, fmt.Errorf("-url: want postgres://... or redis://..., not %q", rawURL)
}

// pgSink writes into PostgreSQL in bulk.
type pgSink struct{ *postgres.Store }

func (p pgSink) store() store.Store { return p.Store }

func (p pgSink) conversations(ctx context.Context, b []postgres.SeedConversation) error {
	return p.SeedConversations(ctx, b)
}

func (p pgSink) offline(ctx context.Context, b []*store.OfflineMessage) error {
	return p.SeedOffline(ctx, b)
}

func (p pgSink) visitorNumbers(ctx context.Context, siteID string, first int64, visitors []string) error {
	nums, err := p.SeedVisitorNumbers(ctx, siteID, visitors)
	if err == nil && len(nums) > 0 && nums[0] != first {
		err = fmt.Errorf("site %s had visitor numbers already: seed an empty database", siteID)
	}
	return err
}

func (p pgSink) finish(ctx context.Context) error {
	fmt.Println("analyze")
	_, err := p.Pool().Exec(ctx, "ANALYZE")
	return err
}

// storeSink writes through the Store interface (Redis).
type storeSink struct {
	s interface {
		store.Store
		Close() error
	}
}

func (w storeSink) store() store.Store { return w.s }

func (w storeSink) Close() error { return w.s.Close() }

func (w storeSink) conversations(ctx context.Context, b []postgres.SeedConversation) error {
	for _, sc := range b {
		if err := w.s.CreateConversation(ctx, sc.Conversation, sc.Messages...); err != nil {
			return err
		}
	}
	return nil
}

func (w storeSink) offline(ctx context.Context, b []*store.OfflineMessage) error {
	for _, m := range b {
		state := m.State
		stored, _, err := w.s.AddOfflineMessage(ctx, m)
		if err != nil {
			return err
		}
		if state != store.OfflineNew {
			if _, _, err := w.s.SetOfflineState(ctx, stored.SiteID, stored.ID, state); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w storeSink) visitorNumbers(ctx context.Context, siteID string, first int64, visitors []string) error {
	for i, v := range visitors {
		n, err := w.s.VisitorNumber(ctx, siteID, v)
		if err != nil {
			return err
		}
		if n != first+int64(i) {
			return fmt.Errorf("site %s gave visitor number %d, want %d: seed an empty store", siteID, n, first+int64(i))
		}
	}
	return nil
}

func (storeSink) finish(context.Context) error { return nil }
