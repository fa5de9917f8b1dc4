package api

import (
	"context"
	"errors"
	"fmt"

	"github.com/livedesk/gateway/notify"
	"github.com/livedesk/gateway/routing"
	"github.com/livedesk/gateway/store"
)

// ErasedCounts says what a visitor's erasure deleted
// (docs/protocol.md#visitor-data-requests). A repeated erasure counts nothing.
type ErasedCounts struct {
	// Ended counts the queued or open chats that were ended (through the desk)
	// before they were erased.
	Ended         int `json:"ended"`
	Conversations int `json:"conversations"`
	Messages      int `json:"messages"`
	// OfflineMessages counts the offline messages; Notifications the outbox items
	// that carried the visitor's data (notify.CarriesVisitor).
	OfflineMessages int `json:"offline_messages"`
	Notifications   int `json:"notifications"`
	// VisitorNumber is 1 when the visitor's number was forgotten, else 0.
	VisitorNumber int `json:"visitor_number"`
}

// Pages of an erasure: each is one store call, and each erase call one transaction.
const (
	eraseConvPage    = 100
	eraseOfflinePage = 500
	eraseNotifyPage  = 500
)

// eraseVisitor erases everything the store holds of the visitor of the site, in
// an order that a crash may cut anywhere and a second run completes:
//
//  1. the tombstone (store.VisitorDataStore.MarkVisitorErased): from then on a
//     hello with the visitor's token gets a new identity, and a chat.start or
//     offline.submit of a socket that is still open is refused;
//  2. each conversation, a queued or open one first ended through the desk
//     (quietly: its transcript is not sent out), both sides told chat.ended;
//  3. the offline messages;
//  4. the outbox items that carry the visitor's data (the site's outbox is read
//     page by page: the store keeps no index of them by visitor);
//  5. the tombstone again, which forgets a number given in between.
func (h *Handler) eraseVisitor(ctx context.Context, siteID, visitorID string) (ErasedCounts, error) {
	var out ErasedCounts
	had, err := h.store.MarkVisitorErased(ctx, siteID, visitorID)
	if err != nil {
		return out, err
	}
	if had {
		out.VisitorNumber = 1
	}
	if err := h.eraseConversations(ctx, siteID, visitorID, &out); err != nil {
		return out, err
	}
	if out.OfflineMessages, err = h.eraseOffline(ctx, siteID, visitorID); err != nil {
		return out, err
	}
	if out.Notifications, err = h.eraseNotifications(ctx, siteID, visitorID); err != nil {
		return out, err
	}
	if had, err = h.store.MarkVisitorErased(ctx, siteID, visitorID); err != nil {
		return out, err
	}
	if had {
		out.VisitorNumber = 1
	}
	return out, nil
}

// eraseConversations erases the visitor's conversations on the site, newest first,
// a page at a time; a queued or open one is ended through the desk first.
func (h *Handler) eraseConversations(ctx context.Context, siteID, visitorID string, out *ErasedCounts) error {
	f := store.ConversationFilter{SiteID: siteID, VisitorID: visitorID, Limit: eraseConvPage}
	for {
		page, err := h.store.ListConversations(ctx, f)
		if err != nil || len(page) == 0 {
			return err
		}
		progress := false
		for _, c := range page {
			if c.State == store.StateQueued || c.State == store.StateOpen {
				ended, err := h.endForErasure(ctx, c.ID)
				if err != nil {
					return err
				}
				if ended {
					out.Ended++
				}
			}
			n, err := h.store.EraseConversation(ctx, c.ID)
			if errors.Is(err, store.ErrNotFound) {
				continue // erased meanwhile (a concurrent erasure)
			}
			if err != nil {
				return err
			}
			out.Conversations++
			out.Messages += n
			progress = true
		}
		if !progress {
			return fmt.Errorf("erase visitor %q: conversations are listed that cannot be erased", visitorID)
		}
	}
}

// endForErasure ends a queued or open conversation through the desk (here or on
// the cluster's leader), quietly, so both sides hear chat.ended as for any end and
// the desk lets go of it before its record is erased. ended is false when the desk
// did not hold it (it ended meanwhile).
func (h *Handler) endForErasure(ctx context.Context, convID string) (ended bool, err error) {
	_, err = h.desk.EndChat(ctx, routing.EndRequest{ConversationID: convID, By: store.FromSystem, Quiet: true})
	if errors.Is(err, routing.ErrNotInConversation) {
		return false, nil
	}
	return err == nil, err
}

// eraseOffline erases the visitor's offline messages on the site, oldest first, a
// page at a time.
func (h *Handler) eraseOffline(ctx context.Context, siteID, visitorID string) (int, error) {
	total, after := 0, ""
	for {
		page, err := h.store.ListVisitorOffline(ctx, siteID, visitorID, after, eraseOfflinePage)
		if err != nil || len(page) == 0 {
			return total, err
		}
		ids := make([]string, len(page))
		for i, m := range page {
			ids[i] = m.ID
		}
		n, err := h.store.EraseOfflineMessages(ctx, siteID, ids...)
		if err != nil {
			return total, err
		}
		total += n
		if len(page) < eraseOfflinePage {
			return total, nil
		}
		after = ids[len(ids)-1]
	}
}

// eraseNotifications deletes the site's outbox items that carry the visitor's data,
// reading the site's outbox newest first, a page at a time.
func (h *Handler) eraseNotifications(ctx context.Context, siteID, visitorID string) (int, error) {
	f := store.NotificationFilter{SiteID: siteID, Limit: eraseNotifyPage}
	total := 0
	for {
		page, err := h.store.ListNotifications(ctx, f)
		if err != nil || len(page) == 0 {
			return total, err
		}
		var ids []string
		for _, n := range page {
			if notify.CarriesVisitor(n, visitorID) {
				ids = append(ids, n.ID)
			}
		}
		if len(ids) > 0 {
			n, err := h.store.DeleteNotifications(ctx, ids...)
			if err != nil {
				return total, err
			}
			total += n
		}
		if len(page) < eraseNotifyPage {
			return total, nil
		}
		f.Before = page[len(page)-1].ID
	}
}
