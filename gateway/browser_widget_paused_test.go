package gateway

import (
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
)

// A site paused by hand (mode offline) promises no time: its status still carries the
// hours' next opening (opens_at), but the widget says the team is away, in the
// visitor's language, and says "Back at" again once the pause is lifted.
func TestBrowserWidgetPausedPromisesNoTime(t *testing.T) {
	f, _, ctx := bwSetup(t)
	bwRun(t, ctx, "zone", emulation.SetTimezoneOverride("Europe/Paris"))
	f.clock.Set(lunchStart) // 12:00 Paris, closed for lunch: the hours open again at 13:00
	f.mustDo("PUT", "/api/v1/sites/"+f.siteA.ID+"/mode", f.tokens["admin"], map[string]string{"mode": "offline"}, 200)
	launcher := func() (status, label string) {
		return bwText(t, ctx, "[data-testid=status]"), bwAttr(t, ctx, "[data-testid=launcher]", "aria-label")
	}
	for _, c := range []struct{ page, away string }{{"/demo", "Our team is away"}, {"/fr", "Notre équipe est absente"}} {
		bwLoad(t, ctx, f.http.URL+c.page)
		st := bwState(t, ctx)
		if st.Status.Online || st.Status.Reason != "paused" || st.Status.OpensAt == nil || *st.Status.OpensAt != "2026-11-23T12:00:00Z" {
			t.Fatalf("%s: status %+v (want paused, with the hours' opens_at)", c.page, st.Status)
		}
		bwOpen(t, ctx)
		if status, label := launcher(); status != c.away || !strings.HasSuffix(label, ": "+c.away) {
			t.Fatalf("%s: launcher %q (label %q), want %q", c.page, status, label, c.away)
		}
		if sub := bwText(t, ctx, "header small"); sub != c.away {
			t.Fatalf("%s: panel header %q, want %q", c.page, sub, c.away)
		}
	}
	// The pause is lifted while the page is open: the hours speak again.
	f.mustDo("PUT", "/api/v1/sites/"+f.siteA.ID+"/mode", f.tokens["admin"], map[string]string{"mode": "auto"}, 200)
	bwWait(t, ctx, "the status after the pause", `window.LivedeskWidget.state().status.reason === 'outside_hours'`)
	if status, _ := launcher(); status != "De retour à 13:00" {
		t.Fatalf("launcher after the pause %q", status)
	}
}
