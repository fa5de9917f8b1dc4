package gateway

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/livedesk/gateway/store"
)

// Beside the hours preview an admin sees the open hours no one is rostered for over
// the previewed range, in the site's zone; an unsaved edit says the gaps are those of
// the saved hours; an agent who follows the site's hours closes every gap. At
// 1280x800 and on a 360x740 phone, nothing wider than the screen.
func TestBrowserConsoleHoursCoverageGaps(t *testing.T) {
	for _, size := range []struct {
		name          string
		width, height int64
	}{{"desktop", 1280, 800}, {"phone", 360, 740}} {
		t.Run(size.name, func(t *testing.T) { testHoursCoverageGaps(t, size.width, size.height) })
	}
}

func testHoursCoverageGaps(t *testing.T, width, height int64) {
	ctx := bcBrowser(t, "America/New_York")
	f := newFixture(t)
	c := f.mkCoverageSite()
	hours := `#view-hours `
	cov := hours + `[data-testid=coverage] `
	bcRun(t, ctx, "admin previews the week of 7 December",
		chromedp.EmulateViewport(width, height),
		bcLogin(f, f.admin.Email),
		bcClick(`[data-testid=nav-hours]`),
		bcWait(hours+`[data-testid=site-select] option[value="`+c.site.ID+`"]`),
		bcSet(hours+`[data-testid=site-select]`, c.site.ID),
		bcState(`s.admin.site_id === `+bcJS(c.site.ID)+` && s.admin.hours.preview.length === 14`),
		bcSet(hours+`[data-testid=preview-to]`, c.to),
		bcSet(hours+`[data-testid=preview-from]`, c.from),
		bcState(`s.admin.hours.preview.length === 5 && s.admin.hours.coverage && s.admin.hours.coverage.length === 3`),
		waitJS(`document.querySelectorAll('#view-hours [data-testid=coverage-gap]').length === 3`),
		chromedp.Evaluate(bcQ(cov)+`.scrollIntoView(), true`, nil),
		waitJS(`(() => { const r = `+bcQ(cov)+`.getBoundingClientRect(); return r.height > 0 && r.top < innerHeight && r.bottom > 0 })()`),
	)
	if got := bcText(t, ctx, cov+`[data-testid=coverage-title]`); got != "No one is rostered:" {
		t.Fatalf("title %q", got)
	}
	var gaps []string
	bcRun(t, ctx, "the gaps", chromedp.Evaluate(`[...document.querySelectorAll('#view-hours [data-testid=coverage-gap]')].map(e => e.dataset.start + ' ' + e.dataset.end + ' ' + e.textContent)`, &gaps))
	if len(gaps) != len(c.gaps) {
		t.Fatalf("gaps %q, want %d", gaps, len(c.gaps))
	}
	want := []string{"Mon 7 Dec 16:00–17:00", "Thu 10 Dec 16:00–17:00", "Fri 11 Dec 16:00–17:00"} // Paris time
	for i, g := range gaps {
		var start, end string
		fmt.Sscan(c.gaps[i], &start, &end)
		if g != start+" "+end+" "+want[i] {
			t.Errorf("gap %d: %q, want %q", i, g, start+" "+end+" "+want[i])
		}
	}
	if got := bcText(t, ctx, cov+`[data-testid=coverage-source]`); got != "Times in Europe/Paris. Agents' own shifts count; presence does not." {
		t.Errorf("source %q", got)
	}
	var overflow []string
	bcRun(t, ctx, "widths", chromedp.Evaluate(`[...document.querySelectorAll('#view-hours *')].filter(e => e.getBoundingClientRect().right > innerWidth + 1).map(e => e.tagName + '.' + e.className + '[' + (e.dataset.testid || '') + ']').slice(0, 8)`, &overflow))
	if len(overflow) > 0 {
		t.Errorf("wider than the %d px screen: %v", width, overflow)
	}

	// An unsaved edit: the preview shows it, the gaps are still the saved hours'.
	bcRun(t, ctx, "an unsaved Saturday",
		bcCheck(hours+`[data-testid=day-toggle-sat]`, true),
		bcState(`s.admin.hours.previewDraft && s.admin.hours.coverage.length === 3`),
		waitJS(bcQ(cov+`[data-testid=coverage-source]`)+`?.textContent.startsWith('Against the saved hours: save to check your changes.')`),
		bcCheck(hours+`[data-testid=day-toggle-sat]`, false),
		bcState(`!s.admin.hours.previewDraft`),
	)

	// Someone who follows the site's hours joins: the next preview has no gap.
	f.mkAgent(store.RoleAgent, []string{c.site.ID})
	bcRun(t, ctx, "an agent following the hours covers them",
		bcSet(hours+`[data-testid=preview-from]`, "2026-12-08"),
		bcState(`s.admin.hours.preview.length === 4 && s.admin.hours.coverage && s.admin.hours.coverage.length === 0`),
		waitJS(bcQ(cov+`[data-testid=coverage-ok]`)+`?.textContent === 'Every open hour is covered'`),
		waitJS(`!document.querySelector('#view-hours [data-testid=coverage-gap]')`),
	)
	bcNoErrors(t, ctx)
}
