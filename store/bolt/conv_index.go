package bolt

import (
	"bytes"
	"fmt"
	"slices"

	"go.etcd.io/bbolt"

	"github.com/livedesk/gateway/store"
)

// The conversation indexes let ListConversations walk only the conversations that
// can match, newest first, instead of every conversation ever held. An index entry is
// a conversation id (value empty) in a leaf bucket reached by a path of bucket names:
//
//	conv_by_site/<site>
//	conv_by_site_state/<site>/<state>
//	conv_by_state/<state>
//	conv_by_visitor/<visitor>
//
// An empty field is not indexed (and an empty filter field matches everything, so it
// never needs an index). Leaf buckets left empty are dropped, so a site's "queued"
// bucket holds exactly its queued conversations.

// indexPath is a path of bucket names, the first one top-level.
type indexPath [][]byte

func (p indexPath) String() string { return string(bytes.Join(p, []byte("/"))) }

// indexPaths returns the index leaves c belongs in.
func indexPaths(c *store.Conversation) []indexPath {
	var out []indexPath
	site, state, visitor := []byte(c.SiteID), []byte(c.State), []byte(c.VisitorID)
	if len(site) > 0 {
		out = append(out, indexPath{bktConvBySite, site})
		if len(state) > 0 {
			out = append(out, indexPath{bktConvBySiteState, site, state})
		}
	}
	if len(state) > 0 {
		out = append(out, indexPath{bktConvByState, state})
	}
	if len(visitor) > 0 {
		out = append(out, indexPath{bktConvByVisitor, visitor})
	}
	return out
}

// filterPath picks the narrowest index leaf that holds every conversation matching
// f, or nil when f filters nothing (walk all conversations). The records found there
// are still checked against the whole filter.
func filterPath(f store.ConversationFilter) indexPath {
	switch {
	case f.VisitorID != "": // a visitor has few conversations
		return indexPath{bktConvByVisitor, []byte(f.VisitorID)}
	case f.SiteID != "" && f.State != "":
		return indexPath{bktConvBySiteState, []byte(f.SiteID), []byte(f.State)}
	case f.SiteID != "":
		return indexPath{bktConvBySite, []byte(f.SiteID)}
	case f.State != "":
		return indexPath{bktConvByState, []byte(f.State)}
	}
	return nil
}

// reindexConversation moves c's index entries from where old had them (nil for a
// new conversation) to where cur needs them.
func reindexConversation(tx *bbolt.Tx, old, cur *store.Conversation) error {
	var before []indexPath
	if old != nil {
		before = indexPaths(old)
	}
	return reindex(tx, []byte(cur.ID), before, indexPaths(cur))
}

// reindex moves id from the index leaves in before to those in after, touching only
// the leaves that differ.
func reindex(tx *bbolt.Tx, id []byte, before, after []indexPath) error {
	for _, p := range before {
		if !containsPath(after, p) {
			if err := indexRemove(tx, p, id); err != nil {
				return err
			}
		}
	}
	for _, p := range after {
		if !containsPath(before, p) {
			if err := indexAdd(tx, p, id); err != nil {
				return err
			}
		}
	}
	return nil
}

func containsPath(ps []indexPath, p indexPath) bool {
	return slices.ContainsFunc(ps, func(q indexPath) bool {
		return slices.EqualFunc(p, q, bytes.Equal)
	})
}

// bucketAt returns the bucket at path, or nil if some part of it is missing.
func bucketAt(tx *bbolt.Tx, path indexPath) *bbolt.Bucket {
	b := tx.Bucket(path[0])
	for _, name := range path[1:] {
		if b == nil {
			return nil
		}
		b = b.Bucket(name)
	}
	return b
}

// indexAdd puts id in the leaf at path, creating buckets on the way.
func indexAdd(tx *bbolt.Tx, path indexPath, id []byte) error {
	b := tx.Bucket(path[0])
	for _, name := range path[1:] {
		var err error
		if b, err = b.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("index %s: %w", path, err)
		}
	}
	if err := b.Put(id, []byte{}); err != nil {
		return fmt.Errorf("index %s: %w", path, err)
	}
	return nil
}

// indexRemove deletes id from the leaf at path and drops the buckets that this
// leaves empty.
func indexRemove(tx *bbolt.Tx, path indexPath, id []byte) error {
	chain := []*bbolt.Bucket{tx.Bucket(path[0])}
	for _, name := range path[1:] {
		b := chain[len(chain)-1].Bucket(name)
		if b == nil {
			return nil // not indexed: nothing to remove
		}
		chain = append(chain, b)
	}
	if err := chain[len(chain)-1].Delete(id); err != nil {
		return fmt.Errorf("index %s: %w", path, err)
	}
	// Walk back up, dropping empty buckets (never the top-level one).
	for i := len(chain) - 1; i >= 1; i-- {
		if k, _ := chain[i].Cursor().First(); k != nil {
			break
		}
		if err := chain[i-1].DeleteBucket(path[i]); err != nil {
			return fmt.Errorf("index %s: %w", path, err)
		}
	}
	return nil
}
