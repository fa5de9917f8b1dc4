package cluster

import (
	"context"
	"errors"
	"fmt"
	"github.com/livedesk/gateway/internal/rediserr"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Candidate is an agent the calling node found available for the site right now
// (serves it, online, on shift, a live socket somewhere): the Router only applies
// the load rules of PROTOCOL.md §3 to it.
type Candidate struct {
	AgentID  string
	MaxChats int
}

// Router keeps the cluster-wide routing state in Redis: every agent's open
// conversation count and last assignment, and every site's FIFO queue. Each method
// is one Lua script, so decisions are atomic across nodes: two nodes assigning at
// the same instant never push an agent past its MaxChats, and a queued conversation
// is taken off its queue by exactly one of them.
//
// Keys, after the prefix:
//
//	open             HASH agent -> open conversations (absent = 0)
//	lastasg          HASH agent -> last assignment (rtStamp of unix nanoseconds)
//	queue:<site>     ZSET conversation -> turn (from queueseq; a requeue takes
//	                 the head's turn - 1)
//	queueseq:<site>  counter handing out turns, so enqueues in one millisecond keep
//	                 their order; deleted when the queue empties
//	queueat:<site>   HASH conversation -> unix nanoseconds it was queued
//
// With a Redis Cluster client, use a prefix that is a hash tag (such as "{ld}:"):
// a chat start touches the agents' hashes and the site's queue in one script.
//
// The scripts are not idempotent (an Assign that timed out may have run): give the
// client MaxRetries -1, as for store/redis. Failures to reach Redis are
// store.ErrUnavailable.
type Router struct {
	rdb redis.UniversalClient
	p   string
}

// NewRouter returns a Router on client's database under keys that start with prefix.
func NewRouter(c redis.UniversalClient, prefix string) *Router {
	return &Router{rdb: c, p: prefix}
}

func (r *Router) agentKeys() []string { return []string{r.p + "open", r.p + "lastasg"} }

func (r *Router) siteKeys(site string) []string {
	return []string{r.p + "open", r.p + "lastasg", r.p + "queue:" + site, r.p + "queueseq:" + site, r.p + "queueat:" + site}
}

// Assign picks among cands the one with open < MaxChats and the fewest open
// conversations, ties to the least recently assigned (never assigned first), then
// the smallest agent id (byte order); it counts the conversation as open for that
// agent and records now as its last assignment. "" when nobody has room. siteID
// does not enter the rule (cands are the site's available agents already).
func (r *Router) Assign(ctx context.Context, siteID string, cands []Candidate, now time.Time) (string, error) {
	if len(cands) == 0 {
		return "", nil
	}
	id, err := rtAssignScript.Run(ctx, r.rdb, r.agentKeys(), rtArgs(cands, rtStamp(now))...).Text()
	return id, rtWrap(ctx, "assign", err)
}

// Release counts one conversation of the agent as ended; the count never goes below 0.
func (r *Router) Release(ctx context.Context, agentID string) error {
	err := rtReleaseScript.Run(ctx, r.rdb, r.agentKeys()[:1], agentID).Err()
	return rtWrap(ctx, "release", err)
}

// Open returns the agent's open conversation count.
func (r *Router) Open(ctx context.Context, agentID string) (int, error) {
	n, err := r.rdb.HGet(ctx, r.p+"open", agentID).Int()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	return n, rtWrap(ctx, "open", err)
}

// SetOpen sets the agent's open conversation count (rebuilt from the store when the
// cluster starts); n <= 0 clears it.
func (r *Router) SetOpen(ctx context.Context, agentID string, n int) error {
	var err error
	if n <= 0 {
		err = r.rdb.HDel(ctx, r.p+"open", agentID).Err()
	} else {
		err = r.rdb.HSet(ctx, r.p+"open", agentID, n).Err()
	}
	return rtWrap(ctx, "set open", err)
}

// Enqueue appends the conversation to the site's queue, queued at at, and returns
// its 1-based position. Enqueuing a queued conversation keeps its place and time.
func (r *Router) Enqueue(ctx context.Context, siteID, convID string, at time.Time) (int, error) {
	pos, err := rtEnqueueScript.Run(ctx, r.rdb, r.siteKeys(siteID), convID, rtNanos(at)).Int()
	return pos, rtWrap(ctx, "enqueue", err)
}

// StartOrQueue makes the whole chat-start decision at once: a conversation queued
// already keeps its place; while the site's queue is not empty the conversation
// queues behind it (queued chats keep their turn); else it is assigned as by
// Assign; when nobody has room it is queued. It returns the agent ("" when queued)
// and the position (0 when assigned).
func (r *Router) StartOrQueue(ctx context.Context, siteID, convID string, cands []Candidate, now time.Time) (string, int, error) {
	args := append([]any{convID, rtNanos(now)}, rtArgs(cands, rtStamp(now))...)
	res, err := rtStartScript.Run(ctx, r.rdb, r.siteKeys(siteID), args...).Slice()
	if err != nil {
		return "", 0, rtWrap(ctx, "start", err)
	}
	id, _ := res[0].(string)
	pos, _ := res[1].(int64)
	return id, int(pos), nil
}

// Remove takes the conversation off the site's queue (the visitor ended it, or it
// timed out) and reports whether it was there: of nodes racing, exactly one gets true.
func (r *Router) Remove(ctx context.Context, siteID, convID string) (bool, error) {
	n, err := rtRemoveScript.Run(ctx, r.rdb, r.siteKeys(siteID), convID).Int()
	return n == 1, rtWrap(ctx, "remove", err)
}

// DrainOne takes the head of the site's queue and assigns it as Assign would, in
// one step. It returns ("", "", nil) when the queue is empty or nobody has room (the
// head stays where it is).
func (r *Router) DrainOne(ctx context.Context, siteID string, cands []Candidate, now time.Time) (string, string, error) {
	if len(cands) == 0 {
		return "", "", nil
	}
	res, err := rtDrainScript.Run(ctx, r.rdb, r.siteKeys(siteID), rtArgs(cands, rtStamp(now))...).StringSlice()
	if err != nil || len(res) < 2 {
		return "", "", rtWrap(ctx, "drain", err)
	}
	return res[0], res[1], nil
}

// Requeue puts the conversation back at the head of the site's queue (its
// assignment could not be recorded); at is when it was first queued.
func (r *Router) Requeue(ctx context.Context, siteID, convID string, at time.Time) error {
	err := rtRequeueScript.Run(ctx, r.rdb, r.siteKeys(siteID), convID, rtNanos(at)).Err()
	return rtWrap(ctx, "requeue", err)
}

// ClaimQueue takes the site's whole queue (the site went offline): of callers
// racing, exactly one gets the ids, in order; the others get none.
func (r *Router) ClaimQueue(ctx context.Context, siteID string) ([]string, error) {
	ids, err := rtClaimScript.Run(ctx, r.rdb, r.siteKeys(siteID)).StringSlice()
	return ids, rtWrap(ctx, "claim queue", err)
}

// Queue returns the site's queued conversations in order.
func (r *Router) Queue(ctx context.Context, siteID string) ([]string, error) {
	ids, err := r.rdb.ZRange(ctx, r.p+"queue:"+siteID, 0, -1).Result()
	return ids, rtWrap(ctx, "queue", err)
}

// Length returns how many conversations wait for the site.
func (r *Router) Length(ctx context.Context, siteID string) (int, error) {
	n, err := r.rdb.ZCard(ctx, r.p+"queue:"+siteID).Result()
	return int(n), rtWrap(ctx, "length", err)
}

// QueuedAt returns when a queued conversation was queued (as given to Enqueue,
// StartOrQueue or Requeue), so any node can time it out; ok is false when it is not
// queued.
func (r *Router) QueuedAt(ctx context.Context, siteID, convID string) (at time.Time, ok bool, err error) {
	n, err := r.rdb.HGet(ctx, r.p+"queueat:"+siteID, convID).Int64()
	if errors.Is(err, redis.Nil) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, rtWrap(ctx, "queued at", err)
	}
	return time.Unix(0, n), true, nil
}

// rtArgs lays out the script arguments: fixed ones, then the candidate count, then
// (agent id, max chats) pairs.
func rtArgs(cands []Candidate, fixed ...any) []any {
	args := make([]any, 0, len(fixed)+1+2*len(cands))
	args = append(args, fixed...)
	args = append(args, len(cands))
	for _, c := range cands {
		args = append(args, c.AgentID, c.MaxChats)
	}
	return args
}

// rtStamp encodes t's unix nanoseconds as 20 digits whose byte order is time order
// (the sign bit flipped, so times before 1970 sort first too): exact, where a Lua
// number (a double) would round nanoseconds.
func rtStamp(t time.Time) string {
	return fmt.Sprintf("%020d", uint64(t.UnixNano())^(1<<63))
}

func rtNanos(t time.Time) string { return strconv.FormatInt(t.UnixNano(), 10) }

// rtWrap maps a Redis failure met while doing op (see rediserr.Wrap).
func rtWrap(ctx context.Context, op string, err error) error {
	return rediserr.Wrap(ctx, "router", op, err)
}
