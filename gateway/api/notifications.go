package api

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/livedesk/gateway/store"
)

// notificationView is an outbox item as the API shows it: everything but the
// webhook secret.
type notificationView struct {
	ID            string          `json:"id"`
	EventID       string          `json:"event_id"`
	Type          string          `json:"type"`
	SiteID        string          `json:"site_id"`
	Channel       string          `json:"channel"`
	To            []string        `json:"to,omitempty"`
	URL           string          `json:"url,omitempty"`
	State         string          `json:"state"`
	Attempts      int             `json:"attempts"`
	LastError     string          `json:"last_error,omitempty"`
	CreatedAt     time.Time       `json:"created_at"`
	NextAttemptAt *time.Time      `json:"next_attempt_at"`
	LastAttemptAt *time.Time      `json:"last_attempt_at"`
	DeliveredAt   *time.Time      `json:"delivered_at"`
	Data          json.RawMessage `json:"data"`
}

func viewNotification(n *store.Notification) notificationView {
	v := notificationView{ID: n.ID, EventID: n.EventID, Type: n.Type, SiteID: n.SiteID, Channel: n.Channel, To: n.To, URL: n.URL,
		State: n.State, Attempts: n.Attempts, LastError: n.LastError, CreatedAt: n.CreatedAt.UTC(),
		LastAttemptAt: utcPtr(n.LastAttemptAt), DeliveredAt: utcPtr(n.DeliveredAt), Data: n.Data}
	if n.State == store.NotificationPending {
		next := n.NextAttemptAt.UTC()
		v.NextAttemptAt = &next
	}
	if len(v.Data) == 0 {
		v.Data = json.RawMessage("{}")
	}
	return v
}

var notificationStates = map[string]bool{store.NotificationPending: true, store.NotificationDelivered: true, store.NotificationFailed: true}

// ListNotifications shows the outbox to owners and admins, newest first, filtered by
// state and site; `before` pages backwards.
func (h *Handler) ListNotifications(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	if err := requireManager(me); err != nil {
		return err
	}
	q := r.URL.Query()
	f := store.NotificationFilter{State: q.Get("state"), SiteID: q.Get("site"), Before: q.Get("before"), Limit: 50}
	if f.State != "" && !notificationStates[f.State] {
		return badRequest("state", "must be pending, delivered or failed")
	}
	var err error
	if f.Limit, err = queryLimit(r, 50); err != nil {
		return err
	}
	list, err := h.store.ListNotifications(r.Context(), f)
	if err != nil {
		return err
	}
	writePage(w, "notifications", list, f.Limit, viewNotification, func(n *store.Notification) string { return n.ID })
	return nil
}

// GetNotification shows one outbox item to owners and admins.
func (h *Handler) GetNotification(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	if err := requireManager(me); err != nil {
		return err
	}
	n, err := h.store.GetNotification(r.Context(), r.PathValue("id"))
	if err != nil {
		if isNotFound(err) {
			return NotFound("notification")
		}
		return err
	}
	WriteJSON(w, http.StatusOK, viewNotification(n))
	return nil
}

// RetryNotification puts a failed (or pending) item up for an attempt now, for an
// admin who fixed the receiver. A failed item gets one more attempt (its 24 h window
// is over); a pending one keeps its window. A delivered item is a conflict.
func (h *Handler) RetryNotification(w http.ResponseWriter, r *http.Request, me *store.Agent) error {
	if err := requireManager(me); err != nil {
		return err
	}
	now := h.clock.Now().UTC()
	n, err := h.store.UpdateNotification(r.Context(), r.PathValue("id"), func(n *store.Notification) error {
		if n.State == store.NotificationDelivered {
			return conflict("state", "this notification was delivered already")
		}
		n.State, n.NextAttemptAt = store.NotificationPending, now
		return nil
	})
	if err != nil {
		if isNotFound(err) {
			return NotFound("notification")
		}
		return err
	}
	h.opts.Wake()
	WriteJSON(w, http.StatusOK, viewNotification(n))
	return nil
}
