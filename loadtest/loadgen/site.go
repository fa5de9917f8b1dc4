package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/livedesk/gateway/protocol"
)

// siteControl is the flipping process's hold on the site: an API client with a warm
// connection, and the agent that keeps the site online until the flip.
type siteControl struct {
	cfg  *config
	base *url.URL
	api  *http.Client
	pool *agentPool
}

// boundarySchedule is a schedule (UTC) open all the time except that it closes at t:
// every weekday is open all day, and t's date is open from midnight to t (t is a
// whole minute). The open period runs across midnight, so the site is open from
// now until t whenever now is before t.
func boundarySchedule(t time.Time) map[string]any {
	t = t.UTC()
	allDay := []map[string]string{{"from": "00:00", "to": "24:00"}}
	weekly := map[string]any{}
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		weekly[d] = allDay
	}
	intervals := []map[string]string{}
	if hm := t.Format("15:04"); hm != "00:00" {
		intervals = append(intervals, map[string]string{"from": "00:00", "to": hm})
	}
	return map[string]any{"enabled": true, "timezone": "UTC", "weekly": weekly,
		"exceptions": []map[string]any{{"date": t.Format("2006-01-02"), "intervals": intervals}}}
}

// alwaysOpen is a disabled schedule: the hours never close the site.
func alwaysOpen() map[string]any {
	weekly := map[string]any{}
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		weekly[d] = []any{}
	}
	return map[string]any{"enabled": false, "timezone": "UTC", "weekly": weekly, "exceptions": []any{}}
}

// prepareSite brings the site to the state before the flip: its agents online,
// its hours open (closing at instant for a boundary flip, never for a mode flip) and
// mode auto. The agent comes first, so that once the hours are set the status no
// longer changes until the flip.
func prepareSite(ctx context.Context, cfg *config, instant time.Time) (*siteControl, error) {
	sc := &siteControl{cfg: cfg, base: cfg.visitorURLs[0],
		api: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 1}}}
	if cfg.agents > 0 {
		creds, err := prepareAgents(ctx, cfg)
		if err != nil {
			return nil, err
		}
		if sc.pool, err = connectAgents(ctx, cfg, creds, time.Now(), nil); err != nil {
			return nil, err
		}
	}
	sched := alwaysOpen()
	if cfg.flip == "boundary" {
		sched = boundarySchedule(instant)
	}
	if err := apiCall(ctx, sc.api, sc.base, "PUT", "/sites/"+url.PathEscape(cfg.site)+"/schedule", cfg.token, sched, nil); err != nil {
		sc.close()
		return nil, fmt.Errorf("set the schedule: %w", err)
	}
	if err := sc.setMode(ctx, "auto"); err != nil {
		sc.close()
		return nil, err
	}
	return sc, nil
}

func (sc *siteControl) setMode(ctx context.Context, mode string) error {
	if err := apiCall(ctx, sc.api, sc.base, "PUT", "/sites/"+url.PathEscape(sc.cfg.site)+"/mode", sc.cfg.token, map[string]string{"mode": mode}, nil); err != nil {
		return fmt.Errorf("set mode %s: %w", mode, err)
	}
	return nil
}

// flipAt sends PUT mode offline at instant, on a connection opened a moment
// before. It returns when the request left (wall clock) and how long the answer
// took.
func (sc *siteControl) flipAt(ctx context.Context, instant time.Time) (sent time.Time, took time.Duration, err error) {
	if err := sleepUntil(ctx, instant.Add(-time.Second)); err != nil {
		return time.Time{}, 0, err
	}
	// Warm the keep-alive connection so the flip itself does not dial.
	_ = apiCall(ctx, sc.api, sc.base, "GET", "/sites/"+url.PathEscape(sc.cfg.site), sc.cfg.token, nil, nil)
	if err := sleepUntil(ctx, instant); err != nil {
		return time.Time{}, 0, err
	}
	sent = wallNow()
	start := time.Now()
	err = sc.setMode(ctx, "offline")
	return sent, time.Since(start), err
}

func (sc *siteControl) close() {
	if sc.pool != nil {
		sc.pool.close()
	}
}

// awaitSite opens a probe visitor socket every 250 ms until its welcome's status
// satisfies want, and returns that status. Processes that do not flip use it to
// start only once the flipping process has set the site up. It gives up after
// timeout, or at the instant when given: a site not ready by then never will be.
func awaitSite(ctx context.Context, cfg *config, want func(protocol.Status) bool, timeout time.Duration, instant time.Time) (protocol.Status, error) {
	if !instant.IsZero() {
		timeout = min(timeout, instant.Sub(wallNow()))
	}
	deadline := time.Now().Add(timeout)
	var last protocol.Status
	var token string
	for {
		hello := map[string]any{"type": "hello", "lang": "en"}
		if token != "" {
			hello["visitor_token"] = token // one probe identity, not a new one each time
		}
		c, w, err := dialVisitor(ctx, visitorURL(cfg.visitorURLs[0], cfg.site), nil, hello, 10*time.Second)
		if err == nil {
			c.closeNow()
			token = w.VisitorToken
			if w.Status != nil {
				last = *w.Status
				if want(last) {
					return last, nil
				}
			}
		}
		if time.Now().After(deadline) {
			if err != nil {
				return last, fmt.Errorf("site not ready in time: %v", err)
			}
			return last, fmt.Errorf("site not ready in time (status %s)", statusText(last))
		}
		select {
		case <-time.After(250 * time.Millisecond):
		case <-ctx.Done():
			return last, ctx.Err()
		}
	}
}

// readyForFlip is the status before the flip: online, and closing at instant
// (boundary) or not closing at all (mode).
func readyForFlip(flip string, instant time.Time) func(protocol.Status) bool {
	return func(s protocol.Status) bool {
		if !s.Online {
			return false
		}
		if flip == "boundary" {
			return s.ClosesAt != nil && s.ClosesAt.Equal(instant)
		}
		return s.ClosesAt == nil
	}
}

func statusText(s protocol.Status) string {
	out := fmt.Sprintf("online=%v reason=%s", s.Online, s.Reason)
	if s.ClosesAt != nil {
		out += " closes_at=" + s.ClosesAt.UTC().Format(time.RFC3339)
	}
	return out
}
