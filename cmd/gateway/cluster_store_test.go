package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// The process-level cluster scenarios run on each store the cluster can keep its
// data in: Redis, or PostgreSQL with Redis only for pub/sub, presence and the lease.

// clusterStore names the store of a process cluster.
type clusterStore struct {
	name     string
	postgres bool
}

// clusterStores are the stores every process-level cluster scenario runs on.
var clusterStores = []clusterStore{{"redis store", false}, {"postgres store", true}}

// forEachStore runs scenario as a subtest on a new cluster of each store.
func forEachStore(t *testing.T, scenario func(t *testing.T, pc *procCluster)) {
	for _, st := range clusterStores {
		t.Run(st.name, func(t *testing.T) { scenario(t, startProcCluster(t, st)) })
	}
}

// clusterKeys are the only keys a cluster on PostgreSQL may hold in Redis: the
// lease (cluster/lease.go) and the outbox claims (notify.NewRedisClaims). Exact
// names, or prefixes when they end in ':'.
var clusterKeys = []string{"ld:leader", "ld:leader:epoch", "ld:outbox:claim:"}

// checkDurable, on the PostgreSQL store, checks that Redis holds none of the
// durable records (only clusterKeys) and that conversation cid's messages in
// PostgreSQL are exactly want (seq -> text), each once. On the Redis store it does
// nothing: the scenario has read them through the API.
func (pc *procCluster) checkDurable(cid string, want map[int64]string) {
	t := pc.t
	t.Helper()
	if pc.pg == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	keys, err := pc.redis.Client().Keys(ctx, "*").Result()
	if err != nil {
		t.Fatalf("redis KEYS: %v", err)
	}
	for _, k := range keys {
		if !isClusterKey(k) {
			t.Errorf("redis holds %q: with PostgreSQL as the store only the cluster's keys %v belong there", k, clusterKeys)
		}
	}
	got := pc.storedMessages(ctx, cid)
	if len(got) != len(want) {
		t.Errorf("PostgreSQL holds %d messages of %s, want %d: %v", len(got), cid, len(want), got)
	}
	for seq, text := range want {
		if got[seq] != text {
			t.Errorf("PostgreSQL message %d of %s is %q, want %q", seq, cid, got[seq], text)
		}
	}
}

func isClusterKey(k string) bool {
	for _, c := range clusterKeys {
		if k == c || (strings.HasSuffix(c, ":") && strings.HasPrefix(k, c)) {
			return true
		}
	}
	return false
}

// storedMessages reads conversation cid's messages straight from PostgreSQL:
// seq -> text (a seq stored twice would be a key violation, a text twice shows as
// two seqs).
func (pc *procCluster) storedMessages(ctx context.Context, cid string) map[int64]string {
	t := pc.t
	t.Helper()
	conn, err := pgx.Connect(ctx, pc.pg.URL())
	if err != nil {
		t.Fatalf("connect to PostgreSQL: %v", err)
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(ctx, "SELECT seq, data->>'text' FROM messages WHERE conversation_id = $1", cid)
	if err != nil {
		t.Fatalf("read messages of %s: %v", cid, err)
	}
	out := map[int64]string{}
	var seq int64
	var text string
	if _, err := pgx.ForEachRow(rows, []any{&seq, &text}, func() error { out[seq] = text; return nil }); err != nil {
		t.Fatalf("read messages of %s: %v", cid, err)
	}
	return out
}
