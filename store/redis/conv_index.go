package redisstore

import (
	"context"
	"slices"

	"github.com/redis/go-redis/v9"

	"github.com/livedesk/gateway/store"
)

// The conversation indexes let ListConversations walk only the conversations that
// can match, newest first, instead of every conversation ever held. Each is a sorted
// set of conversation ids, all with score 0, so ZREVRANGEBYLEX walks them in
// descending id order and "before an id" is the exclusive bound "(id". An empty
// field is not indexed (an empty filter field matches everything, so it never needs
// an index). Every conversation is in convs.

// convIndexes returns the index keys c belongs in.
func (k keys) convIndexes(c *store.Conversation) []string {
	out := []string{k.convs()}
	if c.SiteID != "" {
		out = append(out, k.convSite(c.SiteID))
		if c.State != "" {
			out = append(out, k.convSiteState(c.SiteID, c.State))
		}
	}
	if c.State != "" {
		out = append(out, k.convState(c.State))
	}
	if c.VisitorID != "" {
		out = append(out, k.convVisitor(c.VisitorID))
	}
	return out
}

// filterIndex picks the narrowest index that holds every conversation matching f,
// and reports whether everything in it matches f (so a page of ids is a page of
// results, unless records changed meanwhile). The records found are still checked
// against the whole filter.
func (k keys) filterIndex(f store.ConversationFilter) (index string, exact bool) {
	index, exact = k.fieldIndex(f)
	return index, exact && f.DepartmentID == "" // departments are not indexed
}

// fieldIndex is filterIndex for f's indexed fields (all but DepartmentID).
func (k keys) fieldIndex(f store.ConversationFilter) (index string, exact bool) {
	switch {
	case f.VisitorID != "": // a visitor has few conversations
		return k.convVisitor(f.VisitorID), f.SiteID == "" && f.State == ""
	case f.SiteID != "" && f.State != "":
		return k.convSiteState(f.SiteID, f.State), true
	case f.SiteID != "":
		return k.convSite(f.SiteID), true
	case f.State != "":
		return k.convState(f.State), true
	}
	return k.convs(), true
}

// queueReindex queues the index changes that move conversation id from the indexes
// of old (nil for a new conversation) to those of cur.
func (k keys) queueReindex(ctx context.Context, p redis.Pipeliner, id string, old, cur *store.Conversation) {
	var before []string
	if old != nil {
		before = k.convIndexes(old)
	}
	queueIndexMove(ctx, p, id, before, k.convIndexes(cur))
}

// queueIndexMove queues, in p, the removal of member id from the lex indexes in
// before that are not in after, and its addition to those in after that were not in
// before (indexes in both are left alone).
func queueIndexMove(ctx context.Context, p redis.Pipeliner, id string, before, after []string) {
	for _, idx := range before {
		if !slices.Contains(after, idx) {
			p.ZRem(ctx, idx, id)
		}
	}
	for _, idx := range after {
		if !slices.Contains(before, idx) {
			p.ZAdd(ctx, idx, redis.Z{Member: id})
		}
	}
}

// matches reports whether c passes every set field of f (Before and Limit aside).
func matches(c *store.Conversation, f store.ConversationFilter) bool {
	return (f.SiteID == "" || c.SiteID == f.SiteID) &&
		(f.State == "" || c.State == f.State) &&
		(f.VisitorID == "" || c.VisitorID == f.VisitorID) &&
		(f.DepartmentID == "" || c.DepartmentID == f.DepartmentID)
}
