package redisstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/livedesk/gateway/store"
)

// convsPerRound is how many conversations ExportMessages looks at per round trip.
const convsPerRound = 256

// ExportMessages pages through the messages by conversation (the ids in convs),
// then seq. Per round it reads the lengths of the next conversations' lists in one
// pipeline and the slices it needs of them in another.
func (e *exporter) ExportMessages(ctx context.Context, cursor string, limit int) (store.Page[*store.Message], error) {
	var page store.Page[*store.Message]
	if limit <= 0 {
		return page, e.fail("messages", nil, limit)
	}
	conv, seqText, err := store.SplitCursor(cursor)
	if err != nil {
		return page, err
	}
	afterSeq, err := strconv.ParseInt(cmpOr(seqText, "0"), 10, 64)
	if err != nil || afterSeq < 0 {
		return page, fmt.Errorf("redis: export messages: malformed cursor %q", cursor)
	}
	var ids []string
	if cursor != "" {
		ids = append(ids, conv) // the rest of the conversation the cursor is in
	}
	for {
		more, _, err := e.zpage(ctx, e.s.k.convs(), conv, convsPerRound)
		if err != nil {
			return page, e.fail("messages", err, limit)
		}
		ids = append(ids, more...)
		if len(ids) == 0 {
			return page, nil
		}
		lens := make([]*redis.IntCmd, len(ids))
		if _, err := e.s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, id := range ids {
				lens[i] = p.LLen(ctx, e.s.k.msgs(id))
			}
			return nil
		}); err != nil {
			return page, e.fail("messages", err, limit)
		}
		type slice struct {
			conv     string
			from, to int64 // seqs from+1 .. to
		}
		var plan []slice
		want := limit - len(page.Records)
		for i, id := range ids {
			from := int64(0)
			if id == conv && cursor != "" {
				from = afterSeq
			}
			to := min(lens[i].Val(), from+int64(want))
			if to > from {
				plan = append(plan, slice{id, from, to})
				want -= int(to - from)
			}
		}
		items := make([]*redis.StringSliceCmd, len(plan))
		if _, err := e.s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, sl := range plan {
				items[i] = p.LRange(ctx, e.s.k.msgs(sl.conv), sl.from, sl.to-1)
			}
			return nil
		}); err != nil {
			return page, e.fail("messages", err, limit)
		}
		for i, sl := range plan {
			for j, data := range items[i].Val() {
				m := new(store.Message)
				if err := decode(e.s.k.msgs(sl.conv), data, m); err != nil {
					return page, e.fail("messages", err, limit)
				}
				m.Seq = sl.from + int64(j) + 1 // the position is the seq
				page.Records = append(page.Records, m)
				page.Next = store.JoinCursor(sl.conv, strconv.FormatInt(m.Seq, 10))
			}
		}
		if len(page.Records) == limit {
			return page, nil
		}
		if len(more) < convsPerRound {
			page.Next = ""
			return page, nil
		}
		conv, ids, cursor = more[len(more)-1], nil, ""
	}
}

// cmpOr is s, or def when s is empty.
func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// ExportVisitorCounters pages through the sites that gave visitor numbers, by
// site id, each with the last number it gave (its hash's field "").
func (e *exporter) ExportVisitorCounters(ctx context.Context, cursor string, limit int) (store.Page[store.VisitorCounter], error) {
	var page store.Page[store.VisitorCounter]
	sites, err := e.scan(ctx, e.s.k.visitorNumbers(""))
	if err != nil || limit <= 0 {
		return page, e.fail("visitor counters", err, limit)
	}
	ids, next := pageOf(sites, cursor, limit)
	lasts := make([]*redis.StringCmd, len(ids))
	if _, err := e.s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			lasts[i] = p.HGet(ctx, e.s.k.visitorNumbers(id), "")
		}
		return nil
	}); err != nil && !errors.Is(err, redis.Nil) {
		return page, e.fail("visitor counters", err, limit)
	}
	for i, id := range ids {
		n, err := lasts[i].Int64()
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil {
			return page, e.fail("visitor counters", dataErr("counter of site "+id, err), limit)
		}
		page.Records = append(page.Records, store.VisitorCounter{SiteID: id, Last: n})
	}
	page.Next = next
	return page, nil
}

// ExportVisitorNumbers pages through the visitor numbers by site, then visitor
// id. A site's hash is read whole (HGETALL) when the page reaches it.
func (e *exporter) ExportVisitorNumbers(ctx context.Context, cursor string, limit int) (store.Page[store.VisitorNumber], error) {
	var page store.Page[store.VisitorNumber]
	sites, err := e.scan(ctx, e.s.k.visitorNumbers(""))
	if err != nil || limit <= 0 {
		return page, e.fail("visitor numbers", err, limit)
	}
	byVisitor := map[[2]string]int64{}
	inner := func(site, after string, n int) ([]string, error) {
		entries, err := e.visitorEntries(ctx, site)
		if err != nil {
			return nil, err
		}
		i, _ := slices.BinarySearchFunc(entries, after, func(v store.VisitorNumber, t string) int { return strings.Compare(v.VisitorID, t) })
		if after != "" && i < len(entries) && entries[i].VisitorID == after {
			i++
		}
		var out []string
		for _, v := range entries[i:min(len(entries), i+n)] {
			out = append(out, v.VisitorID)
			byVisitor[[2]string{site, v.VisitorID}] = v.Number
		}
		return out, nil
	}
	pairs, next, err := walk(cursor, limit, outerOf(sites), inner)
	for _, p := range pairs {
		page.Records = append(page.Records, store.VisitorNumber{SiteID: p[0], VisitorID: p[1], Number: byVisitor[p]})
	}
	page.Next = next
	return page, e.fail("visitor numbers", err, limit)
}

// visitorEntries is the site's visitor numbers sorted by visitor, read once.
func (e *exporter) visitorEntries(ctx context.Context, site string) ([]store.VisitorNumber, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.vnSite == site && e.vnEntries != nil {
		return e.vnEntries, nil
	}
	all, err := e.s.rdb.HGetAll(ctx, e.s.k.visitorNumbers(site)).Result()
	if err != nil {
		return nil, err
	}
	entries := make([]store.VisitorNumber, 0, len(all))
	for visitor, n := range all {
		if visitor == "" {
			continue // the counter
		}
		num, err := strconv.ParseInt(n, 10, 64)
		if err != nil {
			return nil, dataErr(fmt.Sprintf("visitor number of %q on site %q", visitor, site), err)
		}
		entries = append(entries, store.VisitorNumber{SiteID: site, VisitorID: visitor, Number: num})
	}
	slices.SortFunc(entries, func(a, b store.VisitorNumber) int { return strings.Compare(a.VisitorID, b.VisitorID) })
	e.vnSite, e.vnEntries = site, entries
	return entries, nil
}

// counts counts each table's records: the indexes' sizes, the message lists'
// lengths, the scanned per-site keys'.
func (e *exporter) counts(ctx context.Context) (map[string]int64, error) {
	k := e.s.k
	out := map[string]int64{}
	var cards [4]*redis.IntCmd
	if _, err := e.s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, index := range []string{k.sites(), k.agents(), k.convs(), k.notifs()} {
			cards[i] = p.ZCard(ctx, index)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	out[store.TableSites], out[store.TableAgents] = cards[0].Val(), cards[1].Val()
	out[store.TableConversations], out[store.TableNotifications] = cards[2].Val(), cards[3].Val()
	settings, err := e.scan(ctx, k.setting(""))
	if err != nil {
		return nil, err
	}
	out[store.TableSettings] = int64(len(settings))
	sites, err := e.s.rdb.ZRange(ctx, k.sites(), 0, -1).Result()
	if err != nil {
		return nil, err
	}
	if out[store.TableDepartments], err = e.sum(ctx, sites, func(p redis.Pipeliner, id string) func() int64 { return p.ZCard(ctx, k.deptSite(id)).Val }); err != nil {
		return nil, err
	}
	offline, err := e.scan(ctx, k.offline(""))
	if err != nil {
		return nil, err
	}
	if out[store.TableOffline], err = e.sum(ctx, offline, func(p redis.Pipeliner, id string) func() int64 { return p.ZCard(ctx, k.offline(id)).Val }); err != nil {
		return nil, err
	}
	vn, err := e.scan(ctx, k.visitorNumbers(""))
	if err != nil {
		return nil, err
	}
	fields, err := e.sum(ctx, vn, func(p redis.Pipeliner, id string) func() int64 { return p.HLen(ctx, k.visitorNumbers(id)).Val })
	if err != nil {
		return nil, err
	}
	counters, err := e.sum(ctx, vn, func(p redis.Pipeliner, id string) func() int64 {
		has := p.HExists(ctx, k.visitorNumbers(id), "")
		return func() int64 {
			if has.Val() {
				return 1
			}
			return 0
		}
	})
	if err != nil {
		return nil, err
	}
	out[store.TableVisitorCounters], out[store.TableVisitorNumbers] = counters, fields-counters
	if out[store.TableVisitorErasures], err = e.countErasures(ctx); err != nil {
		return nil, err
	}
	for cursor := ""; ; {
		ids, next, err := e.zpage(ctx, k.convs(), cursor, 1000)
		if err != nil {
			return nil, err
		}
		n, err := e.sum(ctx, ids, func(p redis.Pipeliner, id string) func() int64 { return p.LLen(ctx, k.msgs(id)).Val })
		if err != nil {
			return nil, err
		}
		out[store.TableMessages] += n
		if next == "" {
			return out, nil
		}
		cursor = next
	}
}

// sum adds up what queue reads of each id, a pipeline per thousand ids.
func (e *exporter) sum(ctx context.Context, ids []string, queue func(p redis.Pipeliner, id string) func() int64) (int64, error) {
	var total int64
	for part := range slices.Chunk(ids, 1000) {
		reads := make([]func() int64, len(part))
		if _, err := e.s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, id := range part {
				reads[i] = queue(p, id)
			}
			return nil
		}); err != nil {
			return 0, err
		}
		for _, r := range reads {
			total += r()
		}
	}
	return total, nil
}

// ExportVisitorErasures pages through the erased visitors' tombstones by site,
// then visitor id. A site's hash is read whole (HKEYS) when the page reaches it.
func (e *exporter) ExportVisitorErasures(ctx context.Context, cursor string, limit int) (store.Page[store.VisitorErasure], error) {
	var page store.Page[store.VisitorErasure]
	sites, err := e.scan(ctx, e.s.k.visitorErased(""))
	if err != nil || limit <= 0 {
		return page, e.fail("erased visitors", err, limit)
	}
	inner := func(site, after string, n int) ([]string, error) {
		ids, err := e.erasedIDs(ctx, site)
		if err != nil {
			return nil, err
		}
		i, found := slices.BinarySearch(ids, after)
		if after != "" && found {
			i++
		}
		return slices.Clone(ids[i:min(len(ids), i+n)]), nil
	}
	pairs, next, err := walk(cursor, limit, outerOf(sites), inner)
	for _, p := range pairs {
		page.Records = append(page.Records, store.VisitorErasure{SiteID: p[0], VisitorID: p[1]})
	}
	page.Next = next
	return page, e.fail("erased visitors", err, limit)
}

// erasedIDs is the site's erased visitors, sorted, read once.
func (e *exporter) erasedIDs(ctx context.Context, site string) ([]string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.erSite == site && e.erIDs != nil {
		return e.erIDs, nil
	}
	ids, err := e.s.rdb.HKeys(ctx, e.s.k.visitorErased(site)).Result()
	if err != nil {
		return nil, err
	}
	slices.Sort(ids)
	e.erSite, e.erIDs = site, ids
	return ids, nil
}

// countErasures counts the tombstones of every site.
func (e *exporter) countErasures(ctx context.Context) (int64, error) {
	sites, err := e.scan(ctx, e.s.k.visitorErased(""))
	if err != nil {
		return 0, err
	}
	return e.sum(ctx, sites, func(p redis.Pipeliner, id string) func() int64 {
		return p.HLen(ctx, e.s.k.visitorErased(id)).Val
	})
}
