package gateway

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The hours editor previews unsaved edits over a range the admin picks: an added
// interval that touches another shows merged, with a note naming both; a special date
// says which weekly hours it replaces; a save with two problems shows both at their
// fields at once and stores nothing. At desktop size and on a 360x740 phone. Writes
// docs/screenshots/hours-preview.png (desktop) with UPDATE_SCREENSHOTS=1.
func TestBrowserConsoleHoursPreviewOfUnsavedEdits(t *testing.T) {
	for _, size := range []struct {
		name          string
		width, height int64
	}{{"desktop", 1280, 900}, {"phone", 360, 740}} {
		t.Run(size.name, func(t *testing.T) {
			testHoursPreviewOfUnsavedEdits(t, size.width, size.height, size.name == "desktop")
		})
	}
}

func testHoursPreviewOfUnsavedEdits(t *testing.T, width, height int64, screenshot bool) {
	ctx := bcBrowser(t, "America/New_York")
	f := newFixture(t)
	iv := func(from, to string) map[string]string { return map[string]string{"from": from, "to": to} }
	// Monday 2026-11-23 10:00 in Paris.
	f.mustDo("PUT", "/api/v1/sites/"+f.siteA.ID+"/schedule", f.tokens["admin"], map[string]any{"enabled": true, "timezone": "Europe/Paris",
		"weekly": map[string]any{"mon": []any{iv("09:00", "12:00")}, "thu": []any{iv("09:00", "17:00")}}}, 200)
	saved := fmt.Sprint(bcSite(f, f.siteA.ID)["schedule"])
	hours := `#view-hours `
	row := func(date string) string { return hours + `[data-testid=preview-day][data-date="` + date + `"] ` }
	siteCell := func(date, want string) chromedp.Action {
		return waitJS(bcQ(row(date)+`[data-testid=preview-site]`) + `?.textContent === ` + bcJS(want))
	}
	bcRun(t, ctx, "admin opens the hours of site A",
		chromedp.EmulateViewport(width, height),
		bcLogin(f, f.admin.Email),
		bcClick(`[data-testid=nav-hours]`),
		bcWait(hours+`[data-testid=site-select] option[value="`+f.siteA.ID+`"]`),
		bcSet(hours+`[data-testid=site-select]`, f.siteA.ID),
		bcState(`s.admin.site_id === `+bcJS(f.siteA.ID)+` && s.admin.hours.preview.length === 14 && !s.admin.hours.previewDraft`),
		siteCell("2026-11-23", "09:00–12:00"),
		waitJS(bcQ(hours+`[data-testid=preview-from]`)+`?.value === '2026-11-23' && `+bcQ(hours+`[data-testid=preview-to]`)+`?.value === '2026-12-06'`),
	)

	// The range: up to the end of the year; then one over 366 days, refused at "to".
	bcRun(t, ctx, "pick the preview's dates",
		bcSet(hours+`[data-testid=preview-to]`, "2026-12-31"),
		bcState(`s.admin.hours.preview.length === 39 && s.admin.hours.previewRange.to === '2026-12-31'`),
		bcWait(row("2026-12-31")),
		bcSet(hours+`[data-testid=preview-to]`, "2027-11-24"),
		waitJS(`!`+bcQ(hours+`[data-testid=preview-error]`)+`.hidden && `+bcQ(hours+`[data-testid=preview-to]`)+`.getAttribute('aria-invalid') === 'true'`),
		bcSet(hours+`[data-testid=preview-to]`, "2027-11-23"),
		bcState(`s.admin.hours.preview.length === 366`),
		waitJS(bcQ(hours+`[data-testid=preview-error]`)+`.hidden && !`+bcQ(hours+`[data-testid=preview-to]`)+`.hasAttribute('aria-invalid')`),
		bcSet(hours+`[data-testid=preview-to]`, "2026-11-29"),
		bcState(`s.admin.hours.preview.length === 7`),
	)

	// Monday afternoon, touching the morning: the preview shows one opening before the
	// save, and the editor names the two intervals it merges.
	bcRun(t, ctx, "add a Monday afternoon",
		bcClick(hours+`[data-testid=add-interval-mon]`),
		waitJS(bcQ(hours+`[data-testid=interval-mon-1] input[name=from]`)+`?.value === '12:00'`),
		bcSet(hours+`[data-testid=interval-mon-1] input[name=to]`, "17:00"),
		bcState(`s.admin.hours.dirty && s.admin.hours.previewDraft && s.admin.hours.merges.length === 1`),
		siteCell("2026-11-23", "09:00–17:00"),
		bcWait(hours+`[data-testid=interval-mon-1].merged`),
	)
	if got := bcText(t, ctx, hours+`[data-testid=day-mon] [data-testid=merge-note]`); !strings.HasPrefix(got, "Monday 09:00–12:00 and 12:00–17:00 are merged into 09:00–17:00") {
		t.Fatalf("merge note %q", got)
	}
	if got := bcText(t, ctx, hours+`[data-testid=preview-source]`); got != "Showing your unsaved changes: save to make them live." {
		t.Fatalf("preview source %q", got)
	}
	if got := bcText(t, ctx, hours+`[data-testid=preview-caption]`); got != "Next 7 days" {
		t.Fatalf("caption %q", got)
	}

	// Thursday 26 special hours: they replace Thursday's weekly hours for the whole day.
	bcRun(t, ctx, "a special date",
		bcClick(hours+`[data-testid=add-exception]`),
		bcSet(hours+`[data-testid=exception-0] [data-testid=exception-date]`, "2026-11-26"),
		bcSet(hours+`[data-testid=exception-0] [data-testid=exception-kind]`, "hours"),
		siteCell("2026-11-26", "09:00–13:00"),
		bcWait(row("2026-11-26")+`[data-testid=preview-special]`),
	)
	if got := bcText(t, ctx, hours+`[data-testid=exception-0] [data-testid=exception-replaces]`); got !=
		"These hours replace the whole day: Thursday's weekly hours (09:00–17:00) do not apply on 2026-11-26." {
		t.Fatalf("special date note %q", got)
	}
	bcRun(t, ctx, "closed instead",
		bcSet(hours+`[data-testid=exception-0] [data-testid=exception-kind]`, "closed"),
		siteCell("2026-11-26", "Closed"),
		waitJS(bcQ(hours+`[data-testid=exception-0] [data-testid=exception-replaces]`)+
			`?.textContent === "Closed all day instead of Thursday's weekly hours (09:00–17:00)."`),
		bcSet(hours+`[data-testid=exception-0] [data-testid=exception-kind]`, "hours"),
		siteCell("2026-11-26", "09:00–13:00"),
	)
	if fmt.Sprint(bcSite(f, f.siteA.ID)["schedule"]) != saved {
		t.Fatal("the preview saved the edits")
	}
	bcRun(t, ctx, "scroll to the top", chromedp.Evaluate(bcQ(`#view-hours`)+`.scrollTop = 0`, nil))
	if screenshot {
		saveScreenshot(t, ctx, "docs/screenshots/hours-preview.png")
	}
	// Nothing in the hours view is wider than the screen.
	var overflow []string
	bcRun(t, ctx, "widths", chromedp.Evaluate(`[...document.querySelectorAll('#view-hours *')].filter(e => e.getBoundingClientRect().right > innerWidth + 1).map(e => e.tagName + '.' + e.className + '[' + (e.dataset.testid || '') + ']').slice(0, 8)`, &overflow))
	if len(overflow) > 0 {
		t.Errorf("wider than the %d px screen: %v", width, overflow)
	}

	// Two problems at once: an unknown zone and an empty interval, each at its field.
	to := hours + `[data-testid=interval-mon-1] input[name=to]`
	tz := hours + `[data-testid=hours-timezone]`
	bcRun(t, ctx, "a save with two problems",
		bcSet(tz, "Mars/Olympus"),
		bcSet(to, "12:00"),
		bcClick(hours+`[data-testid=hours-save]`),
		bcState(`s.admin.hours.errors.length === 2`),
		waitJS(`document.querySelectorAll('#view-hours [data-testid=hours-editor] [data-testid=field-error]').length === 2`),
		waitJS(bcQ(tz)+`.getAttribute('aria-invalid') === 'true' && `+bcQ(to)+`.getAttribute('aria-invalid') === 'true'`),
		waitJS(bcQ(to)+`.nextElementSibling?.dataset.field === 'weekly.mon[1].to'`),
		waitJS(bcQ(hours+`[data-testid=field-error][data-field=timezone]`)+`?.textContent === 'unknown time zone "Mars/Olympus"'`),
	)
	if got := bcText(t, ctx, hours+`[data-testid=hours-error]`); !strings.Contains(got, "Not saved: 2 problems") ||
		!strings.Contains(got, `Time zone: unknown time zone "Mars/Olympus"`) || !strings.Contains(got, "Monday, interval 2, closes at: must differ from from") {
		t.Fatalf("hours-error %q", got)
	}
	if fmt.Sprint(bcSite(f, f.siteA.ID)["schedule"]) != saved {
		t.Fatal("a refused save changed the schedule")
	}

	// Fixed and saved: the preview now shows the saved hours.
	bcRun(t, ctx, "fix and save",
		bcSet(tz, "Europe/Paris"),
		bcSet(to, "17:00"),
		bcClick(hours+`[data-testid=hours-save]`),
		bcState(`s.admin.hours.saves === 1 && !s.admin.hours.dirty && !s.admin.hours.previewDraft && s.admin.hours.merges.length === 1`),
		siteCell("2026-11-23", "09:00–17:00"),
		waitJS(`document.querySelectorAll('#view-hours [data-testid=field-error]').length === 0`),
	)
	sch := bcSite(f, f.siteA.ID)["schedule"].(map[string]any)
	if got := fmt.Sprint(sch["weekly"].(map[string]any)["mon"], sch["exceptions"]); got != "[map[from:09:00 to:12:00] map[from:12:00 to:17:00]] [map[date:2026-11-26 intervals:[map[from:09:00 to:13:00]]]]" {
		t.Fatalf("saved %s", got)
	}
	bcNoErrors(t, ctx)
}

// The time zone pickers offer every zone of the server's database, Asia/Kolkata,
// Europe/Kyiv and Asia/Ho_Chi_Minh among them, labelled for a search with spaces; a
// zone picked there previews and saves.
func TestBrowserConsoleTimeZonePickerListsEveryZone(t *testing.T) {
	ctx := bcBrowser(t, "UTC")
	f := newFixture(t)
	n := len(f.mustDo("GET", "/api/v1/timezones", f.tokens["admin"], nil, 200).json(t)["timezones"].([]any))
	hours := `#view-hours `
	bcRun(t, ctx, "admin opens the hours",
		bcLogin(f, f.admin.Email),
		bcClick(`[data-testid=nav-hours]`),
		bcWait(hours+`[data-testid=site-select] option[value="`+f.siteA.ID+`"]`),
		bcSet(hours+`[data-testid=site-select]`, f.siteA.ID),
		waitJS(fmt.Sprintf(`document.querySelector('#ld-zones[data-source=server]')?.options.length === %d`, n)),
		waitJS(bcQ(hours+`[data-testid=hours-timezone]`)+`.getAttribute('list') === 'ld-zones'`),
	)
	for _, z := range []string{"Asia/Kolkata", "Europe/Kyiv", "Asia/Ho_Chi_Minh"} {
		bcRun(t, ctx, z+" is offered", bcWait(`#ld-zones option[value="`+z+`"]`))
	}
	var label string
	bcRun(t, ctx, "label", chromedp.Evaluate(bcQ(`#ld-zones option[value="Asia/Ho_Chi_Minh"]`)+`.label`, &label))
	if label != "Asia/Ho Chi Minh" {
		t.Fatalf("label %q", label)
	}
	bcRun(t, ctx, "pick Asia/Kolkata and save",
		bcCheck(hours+`[data-testid=hours-enabled]`, true),
		bcSet(hours+`[data-testid=hours-timezone]`, "Asia/Kolkata"),
		bcCheck(hours+`[data-testid=day-toggle-mon]`, true),
		bcState(`s.admin.hours.previewDraft && s.admin.hours.previewErrors.length === 0`),
		waitJS(`[...document.querySelectorAll('#view-hours table.preview thead .zone')].some(e => e.textContent === 'Asia/Kolkata')`),
		bcClick(hours+`[data-testid=hours-save]`),
		bcState(`s.admin.hours.saves === 1`),
	)
	if tz := bcSite(f, f.siteA.ID)["schedule"].(map[string]any)["timezone"]; tz != "Asia/Kolkata" {
		t.Fatalf("saved zone %v", tz)
	}
	// An agent's own shifts use the same editor: a refused save shows every problem too.
	me := `[data-testid=me-schedule] `
	bcRun(t, ctx, "two problems in my shifts",
		bcClick(`[data-testid=nav-me]`),
		bcCheck(me+`[data-testid=schedule-follow]`, false),
		bcSet(me+`[data-testid=hours-timezone]`, "Asia/Kolkatta"),
		bcCheck(me+`[data-testid=day-toggle-tue]`, true),
		bcSet(me+`[data-testid=interval-tue-0] input[name=to]`, "09:00"),
		bcClick(`[data-testid=me-schedule-save]`),
		waitJS(`document.querySelectorAll('[data-testid=me-schedule] [data-testid=field-error]').length === 2`),
		bcWait(me+`[data-testid=field-error][data-field="weekly.tue[0].to"]`),
		bcWait(me+`[data-testid=field-error][data-field=timezone]`),
	)
	bcNoErrors(t, ctx)
}
