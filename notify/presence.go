package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/livedesk/gateway/clock"
	"github.com/livedesk/gateway/store"
)

// DefaultAlertAfter is how long a new status must hold before it is announced when
// a site does not say (docs/protocol.md#notifications-outbox).
const DefaultAlertAfter = 60 * time.Second

// baselineKey is the store setting that holds the last announced status of a site.
const baselineKey = "presence_alert:"

// eventKey + site + ":" + seq holds the event id of a site's seq-th alert.
const eventKey = "presence_alert_event:"

// retryAfter is how soon a check that could not reach the store runs again.
const retryAfter = 5 * time.Second

// PresenceOptions configures a PresenceMonitor. All but Log are required.
type PresenceOptions struct {
	Store  store.Store
	Clock  clock.Clock
	Log    *zap.Logger
	Outbox Outbox
	// Site returns a site's current settings (nil when it is gone). It is called
	// from timers, never under the caller's locks.
	Site func(id string) *store.Site
	// Stored is called after alerts were written (wake the worker).
	Stored func()
}

// PresenceMonitor announces sustained status changes: when a site's status (online
// or not) changes and holds for the site's after_seconds, one site.status_changed
// alert goes to its presence_alerts addresses. A flap shorter than that sends
// nothing.
//
// What was last announced (the baseline) is kept in the store, so the node that runs
// the desk next (after a restart or a failover) compares against it instead of
// announcing again; the alert's event id is stored under the site and the baseline's
// sequence number, so two nodes that both announce the same change store one event.
// The first status ever seen for a site becomes its baseline silently.
//
// Lock rule: mu guards sites; it is never held across store I/O or calls out.
type PresenceMonitor struct {
	o     PresenceOptions
	log   *zap.Logger
	mu    sync.Mutex
	sites map[string]*watched
}

// watched is the status a site has now and the check armed for it.
type watched struct {
	cur   Status // Since is set
	after time.Duration
	timer clock.Timer
	gen   uint64
}

// baseline is what was last announced for a site (or first seen).
type baseline struct {
	Status Status `json:"status"`
	Seq    int64  `json:"seq"`
}

// NewPresenceMonitor returns a monitor with nothing watched.
func NewPresenceMonitor(o PresenceOptions) *PresenceMonitor {
	if o.Log == nil {
		o.Log = zap.NewNop()
	}
	if o.Stored == nil {
		o.Stored = func() {}
	}
	return &PresenceMonitor{o: o, log: o.Log, sites: map[string]*watched{}}
}

// Observe records a site's status at the instant at. It may be called with the
// caller's locks held: it only arms a timer. A change of reason that keeps the site
// online (or offline) is not a change of status: the hold goes on.
func (m *PresenceMonitor) Observe(site *store.Site, st Status, at time.Time) {
	after := time.Duration(site.PresenceAlerts.AfterSeconds) * time.Second
	if after <= 0 {
		after = DefaultAlertAfter
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	w := m.sites[site.ID]
	if w == nil {
		w = &watched{}
		m.sites[site.ID] = w
	} else if w.cur.Online == st.Online {
		since := w.cur.Since
		w.cur = st
		w.cur.Since = since
		return
	}
	since := at.UTC()
	st.Since = &since
	w.cur, w.after = st, after
	w.gen++
	if w.timer != nil {
		w.timer.Stop()
	}
	w.timer = m.armLocked(site.ID, w.gen, at.Add(after))
}

// Forget stops watching a site (it was deleted).
func (m *PresenceMonitor) Forget(siteID string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if w := m.sites[siteID]; w != nil && w.timer != nil {
		w.timer.Stop()
	}
	delete(m.sites, siteID)
}

// Stop cancels every armed check.
func (m *PresenceMonitor) Stop() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for id, w := range m.sites {
		if w.timer != nil {
			w.timer.Stop()
		}
		delete(m.sites, id)
	}
}

func (m *PresenceMonitor) armLocked(siteID string, gen uint64, when time.Time) clock.Timer {
	d := when.Sub(m.o.Clock.Now())
	if d < 0 {
		d = 0
	}
	return m.o.Clock.AfterFunc(d, func() { m.check(siteID, gen) })
}

// check runs when a status has held its time: it announces it unless it is what
// was last announced.
func (m *PresenceMonitor) check(siteID string, gen uint64) {
	m.mu.Lock()
	w := m.sites[siteID]
	if w == nil || w.gen != gen {
		m.mu.Unlock()
		return // changed again since, or forgotten
	}
	cur, after := w.cur, w.after
	m.mu.Unlock()
	if err := m.announce(siteID, cur, after); err != nil {
		m.log.Warn("presence alert: check failed; retrying", zap.String("site", siteID), zap.Error(err))
		m.mu.Lock()
		if w := m.sites[siteID]; w != nil && w.gen == gen {
			w.timer = m.armLocked(siteID, gen, m.o.Clock.Now().Add(retryAfter))
		}
		m.mu.Unlock()
	}
}

func (m *PresenceMonitor) announce(siteID string, cur Status, after time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	key := baselineKey + siteID
	var base *baseline
	raw, err := m.o.Store.GetSetting(ctx, key)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return err
	default:
		base = new(baseline)
		if err := json.Unmarshal(raw, base); err != nil {
			base = nil // unreadable: start over silently
		}
	}
	next := baseline{Status: cur}
	if base != nil {
		if base.Status.Online == cur.Online {
			return nil // back to what was announced: a flap
		}
		next.Seq = base.Seq + 1
		site := m.o.Site(siteID)
		if site == nil {
			return nil // deleted meanwhile
		}
		prev := base.Status
		data := StatusChangedData{Site: siteRef(site), Status: cur, Since: *cur.Since, Previous: &prev,
			AfterSeconds: int(after / time.Second)}
		// The first node to announce this change names the event; a second one
		// (two desks for a moment during a failover) reuses the name, so the
		// AddNotifications below adds nothing twice.
		id, err := m.o.Store.PutSettingIfAbsent(ctx, fmt.Sprintf("%s%s:%d", eventKey, siteID, next.Seq), []byte(NewEventID()))
		if err != nil {
			return err
		}
		items, err := m.o.Outbox.StatusChanged(string(id), site, m.o.Clock.Now(), data)
		if err != nil {
			return err
		}
		if len(items) > 0 {
			if _, err := m.o.Store.AddNotifications(ctx, items...); err != nil {
				return err
			}
			m.o.Stored()
		}
		m.log.Info("presence alert", zap.String("site", siteID), zap.Bool("online", cur.Online),
			zap.String("reason", cur.Reason), zap.Time("since", *cur.Since), zap.Int("deliveries", len(items)))
	}
	b, _ := json.Marshal(next)
	return m.o.Store.PutSetting(ctx, key, b)
}
