package redisstore

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/livedesk/gateway/store"
)

// The outbox's indexes (layout in doc.go). Listing walks, newest first, a sorted set
// of ids with score 0 (ZREVRANGEBYLEX, "before an id" is the bound "(id"): notifs
// for all, or the one of notif_state, notif_site and notif_site_state that holds
// exactly the ids a filter matches. The delivery queue is two sorted sets that hold
// the pending notifications only: notif_due by NextAttemptAt, notif_pending by
// CreatedAt, each scored and named by zTime.
//
// A notification's record and its index entries change together: in one Lua script
// when it is added (addNotificationsLua), in one MULTI/EXEC under WATCH of the record
// when it is updated (queueNotifWrite).

// zTime returns the score and member of id at t in notif_due or notif_pending. The
// score is t in Unix milliseconds (a float64 holds that exactly for any time.Time
// within some 285,000 years of 1970); the member starts with the rest of the
// nanoseconds, six digits, then ":" and the id. Sorted sets order by score, then
// member, so the order is time order to the nanosecond, then id order.
func zTime(t time.Time, id string) (score int64, member string) {
	return t.UnixMilli(), fmt.Sprintf("%06d:%s", t.Nanosecond()%1e6, id)
}

// zTimeOf returns the time and id zTime made score and member of.
func zTimeOf(score float64, member string) (time.Time, string, error) {
	if len(member) < 7 || member[6] != ':' {
		return time.Time{}, "", dataErr(fmt.Sprintf("outbox index member %q", member), nil)
	}
	sub, err := strconv.Atoi(member[:6])
	if err != nil {
		return time.Time{}, "", dataErr(fmt.Sprintf("outbox index member %q", member), err)
	}
	t := time.UnixMilli(int64(score)).Add(time.Duration(sub)).UTC()
	return t, member[7:], nil
}

// notifIndexes returns the lex indexes n belongs in (its State is never empty:
// validateNotification sees to that).
func (k keys) notifIndexes(n *store.Notification) []string {
	out := []string{k.notifs(), k.notifState(n.State)}
	if n.SiteID != "" {
		out = append(out, k.notifSite(n.SiteID), k.notifSiteState(n.SiteID, n.State))
	}
	return out
}

// notifFilterIndex returns the lex index that holds exactly the notifications
// matching f.
func (k keys) notifFilterIndex(f store.NotificationFilter) string {
	switch {
	case f.SiteID != "" && f.State != "":
		return k.notifSiteState(f.SiteID, f.State)
	case f.SiteID != "":
		return k.notifSite(f.SiteID)
	case f.State != "":
		return k.notifState(f.State)
	}
	return k.notifs()
}

// notifMatches reports whether n passes f's State and SiteID (a record read after
// its index entry may have changed in between).
func notifMatches(n *store.Notification, f store.NotificationFilter) bool {
	return (f.State == "" || n.State == f.State) && (f.SiteID == "" || n.SiteID == f.SiteID)
}

// notifScriptArgs returns the KEYS and ARGV with which add_notifications stores ws
// (see addNotificationsLua); both nil when ws is empty.
func (k keys) notifScriptArgs(ws []notifWrite) (keys []string, args []any) {
	if len(ws) == 0 {
		return nil, nil
	}
	keys = []string{k.notifDue(), k.notifPending()}
	for _, w := range ws {
		idx := k.notifIndexes(&w.n)
		keys = append(keys, k.notif(w.n.ID))
		keys = append(keys, idx...)
		pending := "0"
		if w.n.State == store.NotificationPending {
			pending = "1"
		}
		dueScore, dueMember := zTime(w.n.NextAttemptAt, w.n.ID)
		pendScore, pendMember := zTime(w.n.CreatedAt, w.n.ID)
		args = append(args, w.n.ID, w.data, len(idx), pending,
			dueScore, dueMember, pendScore, pendMember)
	}
	return keys, args
}

// queueNotifWrite queues, in p (a MULTI), storing cur as data and moving its index
// entries from where old had them to where cur needs them.
func (k keys) queueNotifWrite(ctx context.Context, p redis.Pipeliner, old, cur *store.Notification, data []byte) {
	id := cur.ID
	p.Set(ctx, k.notif(id), data, 0)
	queueIndexMove(ctx, p, id, k.notifIndexes(old), k.notifIndexes(cur))
	if old.State == store.NotificationPending {
		_, due := zTime(old.NextAttemptAt, id)
		_, pend := zTime(old.CreatedAt, id)
		p.ZRem(ctx, k.notifDue(), due)
		p.ZRem(ctx, k.notifPending(), pend)
	}
	if cur.State == store.NotificationPending {
		dueScore, due := zTime(cur.NextAttemptAt, id)
		pendScore, pend := zTime(cur.CreatedAt, id)
		p.ZAdd(ctx, k.notifDue(), redis.Z{Score: float64(dueScore), Member: due})
		p.ZAdd(ctx, k.notifPending(), redis.Z{Score: float64(pendScore), Member: pend})
	}
}
