package store

import "context"

// VisitorDataStore is the part of Store that answers a visitor's data request
// (docs/protocol.md#visitor-data-requests): it finds what a visitor of a site left,
// erases it piece by piece, each piece atomically, and keeps a tombstone so that
// the visitor's token is refused afterwards. Erasing is resumable: every method
// may be called again for what is already gone and then erases nothing, so an
// erasure cut short (a crash midway) completes when it is run again.
type VisitorDataStore interface {
	// ListVisitorOffline returns up to limit offline messages of the visitor on the
	// site whose ID sorts after `after` (all when empty), oldest first, in their
	// states (FillState). limit <= 0 means 50; more than 500 means 500. Empty ids
	// are an error.
	ListVisitorOffline(ctx context.Context, siteID, visitorID, after string, limit int) ([]*OfflineMessage, error)
	// EraseConversation deletes the conversation with every message of it (their
	// client ids too) and takes it out of every list, in one transaction, and
	// returns how many messages it held. ErrNotFound when there is no such
	// conversation (already erased).
	EraseConversation(ctx context.Context, id string) (messages int, err error)
	// EraseOfflineMessages deletes the site's offline messages with these ids (their
	// client ids and states too) in one transaction and returns how many there
	// were; ids the site does not hold are skipped.
	EraseOfflineMessages(ctx context.Context, siteID string, ids ...string) (int, error)
	// DeleteNotifications deletes the notifications with these ids from the outbox
	// and all its lists (a pending one is not delivered) in one transaction and
	// returns how many there were; unknown ids are skipped.
	DeleteNotifications(ctx context.Context, ids ...string) (int, error)
	// MarkVisitorErased records, durably, that the visitor of the site is erased
	// (a tombstone: VisitorErased reports it from then on, for good) and forgets
	// the visitor's number (VisitorNumber; the number is not given to anyone
	// else), in one transaction. It reports whether the visitor had a number. A
	// second mark changes nothing. Empty ids are an error.
	MarkVisitorErased(ctx context.Context, siteID, visitorID string) (hadNumber bool, err error)
	// VisitorErased reports whether MarkVisitorErased was called for the visitor of
	// the site: one key lookup. Empty ids are an error.
	VisitorErased(ctx context.Context, siteID, visitorID string) (bool, error)
}
