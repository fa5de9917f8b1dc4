package redisstore_test

import (
	"fmt"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/livedesk/gateway/internal/redistest"
	"github.com/livedesk/gateway/store/storetest"
)

// Offline messages written before states existed (records without a "state"
// field, in no state set) read as new and can be moved on.
func TestOfflineWithoutStateIsNew(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	prefix := newPrefix("legacy")
	ctx := t.Context()
	var ids []string
	for i := range 3 {
		id := fmt.Sprintf("0190a1b2-0000-7000-8000-00000000000%d", i)
		ids = append(ids, id)
		rec := fmt.Sprintf(`{"id":%q,"site_id":"site-1","visitor_id":"v","name":"N","email":"v@mail.example","message":"m%d","fields":{},"page":"","created_at":"2025-01-02T03:04:05Z"}`, id, i)
		must(t, srv.Client().HSet(ctx, prefix+"offline_rec:site-1", id, rec).Err())
		must(t, srv.Client().ZAdd(ctx, prefix+"offline:site-1", redis.Z{Member: id}).Err())
	}
	storetest.LegacyOffline(t, newStoreOn(t, srv.Client(), prefix), "site-1", ids)
}
