package redisstore

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"

	"github.com/livedesk/gateway/store"
)

// exporter is the store.Exporter of a Redis store. The tables with an index of
// every id (sites, agents, conversations, notifications, and through the sites
// the departments) page through that sorted set; the per-site ones that outlive
// their site (offline messages, visitor numbers, erased visitors) and the settings have no such
// index, so their keys are found once per exporter with SCAN and kept, sorted.
type exporter struct {
	s *Store

	mu      sync.Mutex
	scanned map[string][]string // key stem (as k.setting("")) -> sorted ids after it
	// vnSite's visitor numbers, sorted by visitor: a site's hash is read whole
	// once, then paged through.
	vnSite    string
	vnEntries []store.VisitorNumber
	// erSite's erased visitors, sorted, likewise.
	erSite string
	erIDs  []string
}

var _ store.Exporter = (*exporter)(nil)

// Exporter returns an exporter of everything the store holds (store.Exporter). It
// only reads. Its Close does not close the store.
func (s *Store) Exporter() store.Exporter {
	return &exporter{s: s, scanned: map[string][]string{}}
}

// Close forgets what the exporter found.
func (e *exporter) Close() error { return nil }

// ExportSettings pages through the settings by key.
func (e *exporter) ExportSettings(ctx context.Context, cursor string, limit int) (store.Page[store.Setting], error) {
	var page store.Page[store.Setting]
	keys, err := e.scan(ctx, e.s.k.setting(""))
	if err != nil || limit <= 0 {
		return page, e.fail("settings", err, limit)
	}
	names, next := pageOf(keys, cursor, limit)
	if len(names) == 0 {
		return page, nil
	}
	full := make([]string, len(names))
	for i, n := range names {
		full[i] = e.s.k.setting(n)
	}
	vals, err := e.s.rdb.MGet(ctx, full...).Result()
	if err != nil {
		return page, e.fail("settings", err, limit)
	}
	for i, v := range vals {
		if s, ok := v.(string); ok {
			page.Records = append(page.Records, store.Setting{Key: names[i], Value: []byte(s)})
		}
	}
	page.Next = next
	return page, nil
}

// ExportSites pages through the sites by id.
func (e *exporter) ExportSites(ctx context.Context, cursor string, limit int) (store.Page[*store.Site], error) {
	return exportIndexed[store.Site](ctx, e, "sites", e.s.k.sites(), e.s.k.site, cursor, limit)
}

// ExportAgents pages through the agents by id.
func (e *exporter) ExportAgents(ctx context.Context, cursor string, limit int) (store.Page[*store.Agent], error) {
	return exportIndexed[store.Agent](ctx, e, "agents", e.s.k.agents(), e.s.k.agent, cursor, limit)
}

// ExportNotifications pages through the notifications by id.
func (e *exporter) ExportNotifications(ctx context.Context, cursor string, limit int) (store.Page[*store.Notification], error) {
	return exportIndexed[store.Notification](ctx, e, "notifications", e.s.k.notifs(), e.s.k.notif, cursor, limit)
}

// ExportConversations pages through the conversations by id, each with its
// LastSeq (its message list's length).
func (e *exporter) ExportConversations(ctx context.Context, cursor string, limit int) (store.Page[*store.Conversation], error) {
	var page store.Page[*store.Conversation]
	if limit <= 0 {
		return page, e.fail("conversations", nil, limit)
	}
	ids, next, err := e.zpage(ctx, e.s.k.convs(), cursor, limit)
	if err == nil {
		page.Records, err = e.s.getConversations(ctx, ids)
	}
	page.Next = next
	return page, e.fail("conversations", err, limit)
}

// ExportDepartments pages through the departments by site, then id.
func (e *exporter) ExportDepartments(ctx context.Context, cursor string, limit int) (store.Page[*store.Department], error) {
	var page store.Page[*store.Department]
	if limit <= 0 {
		return page, e.fail("departments", nil, limit)
	}
	outer := func(after string) (string, error) {
		ids, _, err := e.zpage(ctx, e.s.k.sites(), after, 1)
		if len(ids) == 0 {
			return "", err
		}
		return ids[0], err
	}
	inner := func(site, after string, n int) ([]string, error) {
		ids, _, err := e.zpage(ctx, e.s.k.deptSite(site), after, n)
		return ids, err
	}
	pairs, next, err := walk(cursor, limit, outer, inner)
	if err == nil && len(pairs) > 0 {
		names := make([]string, len(pairs))
		for i, p := range pairs {
			names[i] = e.s.k.dept(p[1])
		}
		page.Records, err = mgetRecords[store.Department](ctx, e.s.rdb, names)
	}
	page.Next = next
	return page, e.fail("departments", err, limit)
}

// ExportOffline pages through the offline messages by site, then id, with their
// state filled.
func (e *exporter) ExportOffline(ctx context.Context, cursor string, limit int) (store.Page[*store.OfflineMessage], error) {
	var page store.Page[*store.OfflineMessage]
	sites, err := e.scan(ctx, e.s.k.offline(""))
	if err != nil || limit <= 0 {
		return page, e.fail("offline messages", err, limit)
	}
	inner := func(site, after string, n int) ([]string, error) {
		ids, _, err := e.zpage(ctx, e.s.k.offline(site), after, n)
		return ids, err
	}
	pairs, next, err := walk(cursor, limit, outerOf(sites), inner)
	for len(pairs) > 0 && err == nil {
		site := pairs[0][0]
		n := 1
		for n < len(pairs) && pairs[n][0] == site {
			n++
		}
		ids := make([]string, n)
		for i := range ids {
			ids[i] = pairs[i][1]
		}
		pairs = pairs[n:]
		var vals []any
		if vals, err = e.s.rdb.HMGet(ctx, e.s.k.offlineRec(site), ids...).Result(); err != nil {
			break
		}
		for _, v := range vals {
			data, ok := v.(string)
			if !ok {
				continue // removed meanwhile
			}
			m := new(store.OfflineMessage)
			if err = decode(e.s.k.offlineRec(site), data, m); err != nil {
				break
			}
			m.FillState()
			page.Records = append(page.Records, m)
		}
	}
	page.Next = next
	return page, e.fail("offline messages", err, limit)
}

// ExportCounts counts each table's records by their indexes.
func (e *exporter) ExportCounts(ctx context.Context) (map[string]int64, error) {
	out, err := e.counts(ctx)
	if err != nil {
		return nil, e.fail("counts", err, 1)
	}
	return out, nil
}

// exportIndexed pages through the records a sorted set of ids lists.
func exportIndexed[T any](ctx context.Context, e *exporter, what, index string, key func(string) string, cursor string, limit int) (store.Page[*T], error) {
	var page store.Page[*T]
	if limit <= 0 {
		return page, e.fail(what, nil, limit)
	}
	ids, next, err := e.zpage(ctx, index, cursor, limit)
	if err == nil && len(ids) > 0 {
		names := make([]string, len(ids))
		for i, id := range ids {
			names[i] = key(id)
		}
		page.Records, err = mgetRecords[T](ctx, e.s.rdb, names)
	}
	page.Next = next
	return page, e.fail(what, err, limit)
}

// fail wraps an export's error as the store's others are; a bad limit is
// store.ErrBadLimit.
func (e *exporter) fail(what string, err error, limit int) error {
	if limit <= 0 {
		return store.ErrBadLimit
	}
	if err == nil {
		return nil
	}
	return e.s.wrap(context.Background(), "export "+what, err)
}

// zpage lists up to limit ids of a sorted set (score 0) after cursor, in byte
// order; next is the last one when more follow.
func (e *exporter) zpage(ctx context.Context, index, cursor string, limit int) (ids []string, next string, err error) {
	lo := "-"
	if cursor != "" {
		lo = "(" + cursor
	}
	ids, err = e.s.rdb.ZRangeByLex(ctx, index, &redis.ZRangeBy{Min: lo, Max: "+", Count: int64(limit) + 1}).Result()
	if err != nil {
		return nil, "", err
	}
	if len(ids) > limit {
		ids = ids[:limit]
		next = ids[limit-1]
	}
	return ids, next, nil
}

// scan returns the ids of every key that starts with stem (the part after it),
// sorted; found once per exporter.
func (e *exporter) scan(ctx context.Context, stem string) ([]string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if ids, ok := e.scanned[stem]; ok {
		return ids, nil
	}
	var ids []string
	iter := e.s.rdb.Scan(ctx, 0, globEscape(stem)+"*", 1000).Iterator()
	for iter.Next(ctx) {
		ids = append(ids, strings.TrimPrefix(iter.Val(), stem))
	}
	if err := iter.Err(); err != nil {
		return nil, err
	}
	slices.Sort(ids)
	ids = slices.Compact(ids) // SCAN may return a key twice
	e.scanned[stem] = ids
	return ids, nil
}

// globEscape quotes the characters SCAN's MATCH treats as a pattern.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// pageOf is up to limit of the sorted ids after cursor; next is the last one
// when more follow.
func pageOf(ids []string, cursor string, limit int) (page []string, next string) {
	i := 0
	if cursor != "" {
		i, _ = slices.BinarySearch(ids, cursor)
		if i < len(ids) && ids[i] == cursor {
			i++
		}
	}
	page = ids[i:min(len(ids), i+limit)]
	if i+limit < len(ids) {
		next = page[len(page)-1]
	}
	return page, next
}

// outerOf is walk's outer over a sorted list of ids.
func outerOf(ids []string) func(after string) (string, error) {
	return func(after string) (string, error) {
		p, _ := pageOf(ids, after, 1)
		if len(p) == 0 {
			return "", nil
		}
		return p[0], nil
	}
}

// walk fills a page of up to limit (outer, inner) keys of a two-level index
// after cursor (a store.JoinCursor): outer gives the first outer id after one
// ("" when none; after "" the first of all), inner up to n inner keys of an outer
// id after one (all from the first after ""). next continues after the last pair
// ("" when the index is exhausted).
func walk(cursor string, limit int, outer func(after string) (string, error),
	inner func(o, after string, n int) ([]string, error)) (pairs [][2]string, next string, err error) {
	o, after, err := store.SplitCursor(cursor)
	if err != nil {
		return nil, "", err
	}
	if cursor == "" {
		if o, err = outer(""); err != nil || o == "" {
			return nil, "", err
		}
	}
	for {
		if len(pairs) == limit {
			last := pairs[len(pairs)-1]
			return pairs, store.JoinCursor(last[0], last[1]), nil
		}
		ks, err := inner(o, after, limit-len(pairs))
		if err != nil {
			return nil, "", err
		}
		for _, k := range ks {
			pairs = append(pairs, [2]string{o, k})
		}
		if len(pairs) == limit {
			continue
		}
		if o, err = outer(o); err != nil || o == "" {
			return pairs, "", err
		}
		after = ""
	}
}

// mgetRecords reads and decodes the records at keys, in that order, leaving out
// any that is missing (removed meanwhile).
func mgetRecords[T any](ctx context.Context, c redis.Cmdable, keys []string) ([]*T, error) {
	vals, err := c.MGet(ctx, keys...).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, err
	}
	out := make([]*T, 0, len(vals))
	for i, v := range vals {
		data, ok := v.(string)
		if !ok {
			continue
		}
		rec := new(T)
		if err := decode(keys[i], data, rec); err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, nil
}
