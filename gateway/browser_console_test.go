package gateway

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/livedesk/gateway/store"
)

// An admin sets site A's hours in the editor; the preview shows them in the site's
// zone and the agent's; a visitor's widget follows, and goes offline at the new
// closing time. A bad interval shows the server's error at that input, saving nothing.
func TestBrowserConsoleHoursEditor(t *testing.T) {
	ctx := bcBrowser(t, "America/New_York")
	f := newFixture(t)
	v, _ := f.visitor(f.siteA.ID, nil)
	hours := `#view-hours `
	bcRun(t, ctx, "admin opens the hours of site A",
		bcLogin(f, f.admin.Email),
		bcWait(`[data-testid=nav-hours]:not([hidden])`),
		bcClick(`[data-testid=nav-hours]`),
		bcWait(hours+`[data-testid=site-select] option[value="`+f.siteA.ID+`"]`),
		bcSet(hours+`[data-testid=site-select]`, f.siteA.ID),
		bcState(`s.view === 'hours' && s.admin.site_id === `+bcJS(f.siteA.ID)+` && s.admin.hours.preview.length === 14`),
	)
	// Monday 08:00-10:30 Paris; it is Monday 10:00 in Paris.
	bcRun(t, ctx, "edit and save",
		bcCheck(hours+`[data-testid=hours-enabled]`, true),
		bcSet(hours+`[data-testid=hours-timezone]`, "Europe/Paris"),
		bcCheck(hours+`[data-testid=day-toggle-mon]`, true),
		bcSet(hours+`[data-testid=interval-mon-0] input[name=from]`, "08:00"),
		bcSet(hours+`[data-testid=interval-mon-0] input[name=to]`, "10:30"),
		bcState(`s.admin.hours.dirty`),
		bcClick(hours+`[data-testid=hours-save]`),
		bcState(`s.admin.hours.saves === 1 && !s.admin.hours.dirty`),
	)
	// The preview is fetched again after the save: today, and next Monday, in both zones.
	for _, day := range []string{"2026-11-23", "2026-11-30"} {
		row := hours + `[data-testid=preview-day][data-date="` + day + `"] `
		bcRun(t, ctx, "preview of "+day,
			waitJS(bcQ(row+`[data-testid=preview-site]`)+`?.textContent === '08:00–10:30'`))
		if got := bcText(t, ctx, row+`[data-testid=preview-local]`); got != "02:00–04:30" {
			t.Fatalf("%s in New York: %q", day, got)
		}
	}
	if got := bcText(t, ctx, hours+`[data-testid=preview-day][data-date="2026-11-24"] [data-testid=preview-site]`); got != "Closed" {
		t.Fatalf("Tuesday: %q", got)
	}
	sch := bcSite(f, f.siteA.ID)["schedule"].(map[string]any)
	if sch["enabled"] != true || sch["timezone"] != "Europe/Paris" || fmt.Sprint(sch["weekly"].(map[string]any)["mon"]) != "[map[from:08:00 to:10:30]]" {
		t.Fatalf("stored schedule %v", sch)
	}
	// The visitor's widget is told at once: open until 10:30 Paris.
	bcStatus(v, func(st map[string]any) bool { return st["online"] == true && st["closes_at"] == "2026-11-23T09:30:00Z" })
	// 10:30 Paris: closed, and the console shows it too.
	f.clock.Set(time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC))
	st := bcStatus(v, func(st map[string]any) bool { return st["reason"] == "outside_hours" })
	if st["online"] != false || st["opens_at"] != "2026-11-30T07:00:00Z" {
		t.Fatalf("status at 10:30 Paris: %v", st)
	}
	bcRun(t, ctx, "the console sees site A closed",
		waitJS(bcQ(hours+`[data-testid=site-live-status]`)+`?.textContent === 'Offline (outside hours)'`))

	// from == to: the server's error is shown next to the "to" input; nothing is saved.
	to := hours + `[data-testid=interval-mon-0] input[name=to]`
	bcRun(t, ctx, "an empty interval is refused",
		bcSet(hours+`[data-testid=interval-mon-0] input[name=from]`, "09:00"),
		bcSet(to, "09:00"),
		bcClick(hours+`[data-testid=hours-save]`),
		bcState(`s.admin.hours.error && s.admin.hours.error.field === 'weekly.mon[0].to'`),
		waitJS(bcQ(to)+`?.getAttribute('aria-invalid') === 'true' && `+bcQ(to)+`?.nextElementSibling?.dataset.testid === 'field-error'`),
	)
	if msg := bcText(t, ctx, to+` + [data-testid=field-error]`); !strings.Contains(msg, "must differ from from") {
		t.Fatalf("field error %q", msg)
	}
	if msg := bcText(t, ctx, hours+`[data-testid=hours-error]`); !strings.Contains(msg, "Not saved") {
		t.Fatalf("hours-error %q", msg)
	}
	sch = bcSite(f, f.siteA.ID)["schedule"].(map[string]any)
	if fmt.Sprint(sch["weekly"].(map[string]any)["mon"]) != "[map[from:08:00 to:10:30]]" {
		t.Fatalf("a refused save changed the schedule: %v", sch)
	}
	var saves int
	bcRun(t, ctx, "saves", chromedp.Evaluate(`window.LivedeskConsole.state().admin.hours.saves`, &saves))
	if saves != 1 {
		t.Fatalf("saves %d", saves)
	}
	bcNoErrors(t, ctx)
}

// agentB has its own shift, 09:00-10:00 UTC every day. The console warns ten minutes
// before the end with a countdown, "One more hour" moves the end to 11:00, "15 min
// less" to 10:45, "Cancel snooze" back to 10:00, and at 11:00 the shift is over. At
// desktop size and on a 360x740 phone.
func TestBrowserConsoleShiftBannerAndSnooze(t *testing.T) {
	bcEachSize(t, shiftBannerAndSnooze)
}

// shiftBannerAndSnooze is TestBrowserConsoleShiftBannerAndSnooze at one viewport.
func shiftBannerAndSnooze(t *testing.T, w, h int64) {
	ctx := bcBrowser(t, "UTC")
	bcRun(t, ctx, "viewport", chromedp.EmulateViewport(w, h))
	f := newFixture(t)
	f.mustDo("PUT", "/api/v1/agents/"+f.agentB.ID+"/schedule", f.tokens["admin"], bcDailyHours("09:00", "10:00"), 200)
	bcRun(t, ctx, "agentB logs in",
		bcLogin(f, f.agentB.Email),
		bcState(`s.shift && s.shift.on_shift && s.shift.ends_at === '2026-11-23T10:00:00Z'`),
		waitJS(bcQ(`[data-testid=shift-banner]`)+`?.hidden`),
		// An agent sees no admin sections.
		waitJS(bcQ(`[data-testid=nav-hours]`)+`?.hidden && `+bcQ(`[data-testid=nav-agents]`)+`?.hidden && !`+bcQ(`[data-testid=nav-me]`)+`?.hidden`),
	)
	f.clock.Set(time.Date(2026, 11, 23, 9, 50, 0, 0, time.UTC))
	bcRun(t, ctx, "the warning",
		bcState(`s.shiftEnding === '2026-11-23T10:00:00Z'`),
		waitJS(`!`+bcQ(`[data-testid=shift-banner]`)+`?.hidden`),
	)
	// The fake clock jumped while the console stayed connected; a real server's clock
	// does not. The console learns the server's clock from each welcome's now: reconnect.
	bcRun(t, ctx, "the warning after a reload",
		chromedp.Reload(),
		bcState(`s.connected && s.serverNow >= '2026-11-23T09:50' && s.shiftEnding === '2026-11-23T10:00:00Z'`),
		waitJS(`!`+bcQ(`[data-testid=shift-banner]`)+`?.hidden`),
	)
	countdown := bcText(t, ctx, `[data-testid=shift-countdown]`)
	if !regexp.MustCompile(`^Your shift ends in (10:00|9:[0-5]\d)$`).MatchString(countdown) {
		t.Fatalf("countdown %q (the console must count on the server's clock)", countdown)
	}
	bcRun(t, ctx, "one more hour",
		bcClick(`[data-testid=snooze]`),
		bcState(`s.shift.ends_at === '2026-11-23T11:00:00Z' && s.shiftExtended === '2026-11-23T11:00:00Z' && !s.shiftEnding`),
		waitJS(`!`+bcQ(`[data-testid=shift-banner]`)+`?.hidden`),
	)
	if got := bcText(t, ctx, `[data-testid=shift-banner]`); !strings.Contains(got, "until 11:00") {
		t.Fatalf("banner after the snooze: %q", got)
	}
	bcRun(t, ctx, "a snooze shortened",
		waitJS(`!`+bcQ(`[data-testid=snooze-controls]`)+`?.hidden`),
		bcClick(`[data-testid=snooze-shorten]`),
		bcState(`s.shift.ends_at === '2026-11-23T10:45:00Z' && s.shift.snoozed_until === '2026-11-23T10:45:00Z'`),
	)
	bcRun(t, ctx, "a snooze cancelled",
		bcClick(`[data-testid=snooze-cancel]`),
		bcState(`s.shift.ends_at === '2026-11-23T10:00:00Z' && !s.shift.snoozed_until`),
		waitJS(bcQ(`[data-testid=snooze-controls]`)+`?.hidden`),
	)
	f.clock.Set(time.Date(2026, 11, 23, 11, 0, 0, 0, time.UTC))
	bcRun(t, ctx, "the shift ends",
		bcState(`s.shiftEnded && !s.shift.on_shift && s.shift.starts_at === '2026-11-24T09:00:00Z'`),
		waitJS(`!`+bcQ(`[data-testid=shift-ended]`)+`?.hidden && `+bcQ(`[data-testid=shift-banner]`)+`?.hidden`),
	)
	if got := bcText(t, ctx, `[data-testid=shift-ended]`); !strings.Contains(got, "Your shift has ended") {
		t.Fatalf("shift-ended notice %q", got)
	}
	bcNoErrors(t, ctx)
}

// An admin adds a custom field to site A's offline form and pauses the chat; a visitor
// leaves offline messages, which the inbox shows newest first with every detail.
func TestBrowserConsoleOfflineFormAndInbox(t *testing.T) {
	ctx := bcBrowser(t, "Europe/Paris")
	f := newFixture(t)
	set := `#view-settings `
	bcRun(t, ctx, "admin adds a field to the offline form",
		bcLogin(f, f.admin.Email),
		bcClick(`[data-testid=nav-settings]`),
		bcWait(set+`[data-testid=site-select] option[value="`+f.siteA.ID+`"]`),
		bcSet(set+`[data-testid=site-select]`, f.siteA.ID),
		waitJS(bcQ(set+`[data-testid=site-name]`)+`?.value === 'Site A'`),
		bcClick(set+`[data-testid=add-form-field]`),
		bcSet(set+`[data-testid=form-field-name]`, "email"), // reserved: refused
		bcSet(set+`[data-testid=form-field-label]`, "Order number"),
		bcSet(set+`[data-testid=form-field-type]`, "number"),
		bcCheck(set+`[data-testid=form-field-required]`, true),
		bcClick(set+`[data-testid=site-save]`),
		bcState(`s.admin.settings.error && s.admin.settings.error.field === 'offline_form.fields[0].name'`),
		waitJS(bcQ(set+`[data-testid=form-field-name]`)+`?.nextElementSibling?.dataset.testid === 'field-error'`),
		bcSet(set+`[data-testid=form-field-name]`, "order"),
		bcSet(set+`[data-testid=form-field-labels]`, "de: Bestellnummer; fr"), // fr has no label: refused
		bcClick(set+`[data-testid=site-save]`),
		waitJS(bcQ(set+`[data-testid=form-field-labels]`)+`?.nextElementSibling?.dataset.testid === 'field-error'`),
		bcSet(set+`[data-testid=form-field-labels]`, "de: Bestellnummer; fr: Numéro de commande"),
		bcClick(set+`[data-testid=site-save]`),
		bcState(`s.admin.settings.saves === 1`),
	)
	form := bcSite(f, f.siteA.ID)["offline_form"].(map[string]any)
	if fmt.Sprint(form["fields"]) != "[map[label:Order number labels:map[de:Bestellnummer fr:Numéro de commande] name:order required:true type:number]]" {
		t.Fatalf("offline form %v", form)
	}
	// Pause the chat: the visitor is offline, with the form.
	v, _ := f.visitor(f.siteA.ID, map[string]any{"page": "https://shop.example.com/pricing", "lang": "fr", "timezone": "America/Montreal"})
	bcRun(t, ctx, "admin pauses the chat",
		bcClick(`[data-testid=nav-hours]`),
		bcWait(`#view-hours [data-testid=mode-select]`),
		bcState(`s.admin.site_id === `+bcJS(f.siteA.ID)),
		bcSet(`#view-hours [data-testid=mode-select]`, "offline"),
	)
	bcStatus(v, func(st map[string]any) bool { return st["reason"] == "paused" })
	if bcSite(f, f.siteA.ID)["mode"] != "offline" {
		t.Fatal("mode not stored")
	}
	submit := func(id, name, email, text string, order any) {
		t.Helper()
		v.send(map[string]any{"type": "offline.submit", "id": id, "name": name, "email": email, "message": text, "fields": map[string]any{"order": order}})
		if m, _ := v.waitFor("offline.received"); m["re"] != id {
			t.Fatalf("offline.received %v", m)
		}
	}
	// Older messages, more than a page of the inbox's reads (100).
	for i := range 120 {
		if _, _, err := f.store.AddOfflineMessage(context.Background(), &store.OfflineMessage{SiteID: f.siteA.ID, Name: fmt.Sprint("Old ", i),
			Email: "old@example.com", Message: "an older message", CreatedAt: testStart.Add(-time.Duration(120-i) * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	submit("o1", "Bob", "bob@example.com", "First one", "77")
	f.clock.Advance(time.Minute)
	submit("o2", "Ann Lee", "ann@example.com", "Do you ship to Canada?\nThanks!", 1234)
	bcRun(t, ctx, "the inbox shows them all, newest first",
		bcClick(`[data-testid=nav-inbox]`),
		bcState(`s.admin.inbox.loaded && s.admin.inbox.site_id === `+bcJS(f.siteA.ID)),
		waitJS(`document.querySelectorAll('[data-testid=inbox] [data-testid=inbox-item]').length === 122`),
		waitJS(bcQ(`[data-testid=inbox] [data-testid=inbox-item]:last-child [data-testid=inbox-name]`)+`?.textContent === 'Old 0'`),
	)
	first := `[data-testid=inbox] [data-testid=inbox-item]:first-child `
	var got struct{ Name, Email, Href, Message, Fields, Page, Time, Locale string }
	bcRun(t, ctx, "read the newest", chromedp.Evaluate(`(() => { const i = `+bcQ(first)+`, q = s => i.querySelector(s);
		return {Name: q('[data-testid=inbox-name]').textContent, Email: q('[data-testid=inbox-email]').textContent,
			Href: q('[data-testid=inbox-email]').getAttribute('href'), Message: q('[data-testid=inbox-message]').textContent,
			Fields: q('[data-testid=inbox-fields]').textContent, Page: q('[data-testid=inbox-page]').getAttribute('href'),
			Time: q('[data-testid=inbox-time]').getAttribute('datetime'), Locale: q('[data-testid=inbox-locale]').textContent} })()`, &got))
	if got.Name != "Ann Lee" || got.Email != "ann@example.com" || !strings.HasPrefix(got.Href, "mailto:ann@example.com") ||
		got.Message != "Do you ship to Canada?\nThanks!" || got.Fields != "Order number1234" ||
		got.Page != "https://shop.example.com/pricing" || got.Time != "2026-11-23T09:01:00Z" ||
		got.Locale != "French · 04:01 their time when sent (America/Montreal)" {
		t.Fatalf("newest inbox item %+v", got)
	}
	// A message that comes while the inbox is open shows after a refresh, on top.
	submit("o3", "Cid", "cid@example.com", "Third", "5")
	bcRun(t, ctx, "refresh",
		bcClick(`[data-testid=inbox-refresh]`),
		waitJS(`document.querySelectorAll('[data-testid=inbox-item]').length === 123 && `+bcQ(first+`[data-testid=inbox-name]`)+`?.textContent === 'Cid'`),
	)
	// A new site: created, chosen in the settings, and listed by name in the chats' side.
	bcRun(t, ctx, "a new site",
		bcClick(`[data-testid=nav-settings]`),
		bcClick(set+`[data-testid=site-new]`),
		bcSet(set+`#new-site-name`, "Berlin store"),
		bcClick(set+`[data-testid=site-create] button[type=submit]`),
		waitJS(bcQ(set+`[data-testid=site-name]`)+`?.value === 'Berlin store'`),
		waitJS(`[...document.querySelectorAll('[data-testid=site] .name')].some(e => e.textContent === 'Berlin store')`),
	)
	if n := len(f.mustDo("GET", "/api/v1/sites", f.tokens["admin"], nil, 200).json(t)["sites"].([]any)); n != 3 {
		t.Fatalf("%d sites after creating one", n)
	}
	bcNoErrors(t, ctx)
}

// An admin forces agentA out from the agents table while agentA has the console open
// in another tab: that tab shows the logged-out screen.
func TestBrowserConsoleForceLogout(t *testing.T) {
	ctx := bcBrowser(t, "UTC")
	f := newFixture(t)
	bcRun(t, ctx, "admin logs in", bcLogin(f, f.admin.Email))
	agentTab, cancel := chromedp.NewContext(ctx)
	defer cancel()
	bcRun(t, agentTab, "agentA logs in in another tab", bcEmulate("UTC"), bcLogin(f, f.agentA.Email))
	row := `[data-testid=agent-row][data-agent-id="` + f.agentA.ID + `"] `
	bcRun(t, ctx, "admin forces agentA out",
		bcClick(`[data-testid=nav-agents]`),
		bcWait(`[data-testid=agents-table] `+row),
		bcClick(row+`[data-testid=agent-logout]`),
		bcState(`s.admin.agents.done === 1`),
	)
	bcRun(t, agentTab, "agentA's tab is logged out",
		waitJS(`!`+bcQ(`[data-testid=logged-out]`)+`?.hidden && `+bcQ(`#app-view`)+`?.hidden`),
		bcState(`!s.loggedIn && !s.connected`),
	)
	f.mustDo("GET", "/api/v1/me", f.tokens["agentA"], nil, 401)
	bcRun(t, ctx, "the admin stays", bcState(`s.connected && s.loggedIn`))
	bcNoErrors(t, ctx)
	bcNoErrors(t, agentTab)
}

// The console with chats open: two visitors chat with Alice. Writes
// docs/screenshots/console-chats.png with UPDATE_SCREENSHOTS=1.
func TestBrowserConsoleChatsScreenshot(t *testing.T) {
	ctx := bcBrowser(t, "Europe/Paris")
	f := newFixture(t)
	f.mustDo("PATCH", "/api/v1/sites/"+f.siteA.ID, f.tokens["admin"], map[string]any{"name": "Paris store"}, 200)
	f.mustDo("PATCH", "/api/v1/agents/"+f.agentA.ID, f.tokens["admin"], map[string]any{"name": "Alice Martin"}, 200)
	bcRun(t, ctx, "Alice logs in", chromedp.EmulateViewport(1280, 760), bcLogin(f, f.agentA.Email))
	f.clock.Advance(15 * time.Second) // the others' start-up grace runs out: Alice answers
	ann, _ := f.visitor(f.siteA.ID, map[string]any{"page": "https://shop.example.com/checkout", "lang": "en-CA", "timezone": "America/Toronto"})
	ann.send(map[string]any{"type": "chat.start", "id": "c1", "text": "Hi! Do you ship to Canada?", "name": "Ann Lee", "email": "ann@example.com"})
	assigned, _ := ann.waitFor("chat.assigned")
	conv := assigned["conversation"].(map[string]any)["id"].(string)
	tab := `[data-testid=chat-tab][data-conversation-id="` + conv + `"]`
	bcRun(t, ctx, "Alice answers",
		bcClick(tab),
		waitJS(`[...document.querySelectorAll('[data-testid=chat-message]')].some(e => e.textContent.includes('ship to Canada'))`),
		bcSet(`[data-testid=chat-input]`, "Hello Ann! Yes, we ship to Canada: delivery takes 5 to 7 business days."),
		bcClick(`[data-testid=chat-send]`),
	)
	for {
		if m, _ := ann.waitFor("message"); m["from"] == "agent" {
			break
		}
	}
	f.clock.Advance(2 * time.Minute)
	ann.send(map[string]any{"type": "message", "id": "m2", "text": "Great! And is shipping free over $50?"})
	ann.waitFor("message.ack")
	f.clock.Advance(3 * time.Minute)
	bob, _ := f.visitor(f.siteA.ID, map[string]any{"page": "https://shop.example.com/returns"})
	bob.send(map[string]any{"type": "chat.start", "id": "c2", "text": "Hello, how do I return a jacket?", "name": "Bob Stone"})
	bob.waitFor("chat.assigned")
	bcRun(t, ctx, "both chats are listed",
		bcClick(tab),
		waitJS(`document.querySelectorAll('[data-testid=chat-tab]').length === 2`),
		waitJS(`[...document.querySelectorAll('[data-testid=chat-message]')].some(e => e.textContent.includes('free over $50'))`),
		bcState(`s.chats.every(c => c.messages > 0) && s.pending === 0`),
		// What the widget said of Ann: her language and zone.
		waitJS(bcQ(`[data-testid=visitor-locale]`)+`?.textContent.startsWith('Canadian English · ') && `+bcQ(`[data-testid=visitor-locale]`)+`.textContent.endsWith('their time (America/Toronto)')`),
	)
	bcScreenshot(t, ctx, "chats")
	bcNoErrors(t, ctx)
}

// The preview flags the night the clocks change (Paris, Sunday 2027-03-28) and shows
// an overnight interval across it in both zones. Writes docs/screenshots/console-hours.png
// with UPDATE_SCREENSHOTS=1.
func TestBrowserConsoleHoursPreviewDST(t *testing.T) {
	ctx := bcBrowser(t, "America/New_York")
	f := newFixture(t)
	f.clock.Set(time.Date(2027, 3, 22, 8, 0, 0, 0, time.UTC)) // Monday 09:00 in Paris
	admin := f.token(f.admin)                                 // the fixture's tokens expired meanwhile
	iv := func(p ...string) []any {
		var out []any
		for i := 0; i < len(p); i += 2 {
			out = append(out, map[string]string{"from": p[i], "to": p[i+1]})
		}
		return out
	}
	week := iv("08:00", "12:00", "13:00", "18:00")
	f.mustDo("PATCH", "/api/v1/sites/"+f.siteA.ID, admin, map[string]any{"name": "Paris store"}, 200)
	f.mustDo("PUT", "/api/v1/sites/"+f.siteA.ID+"/schedule", admin, map[string]any{"enabled": true, "timezone": "Europe/Paris",
		"weekly": map[string]any{"mon": week, "tue": week, "wed": week, "thu": week, "fri": week,
			"sat": iv("10:00", "14:00", "22:00", "04:00"), "sun": []any{}},
		"exceptions": []any{
			map[string]any{"date": "2027-03-26", "intervals": iv("08:00", "12:00")},
			map[string]any{"date": "2027-03-29", "intervals": []any{}},
		}}, 200)
	hours := `#view-hours `
	bcRun(t, ctx, "admin opens the hours of site A",
		chromedp.EmulateViewport(1280, 960),
		bcLogin(f, f.admin.Email),
		bcClick(`[data-testid=nav-hours]`),
		bcWait(hours+`[data-testid=site-select] option[value="`+f.siteA.ID+`"]`),
		bcSet(hours+`[data-testid=site-select]`, f.siteA.ID),
		bcState(`s.admin.site_id === `+bcJS(f.siteA.ID)+` && s.admin.hours.preview.length === 14 && s.admin.hours.preview[0].date === '2027-03-22'`),
	)
	var flagged []string
	bcRun(t, ctx, "flagged days", chromedp.Evaluate(`[...document.querySelectorAll('[data-testid=preview-day][data-clocks-change]')].map(e => e.dataset.date + ':' + e.dataset.clocksChange)`, &flagged))
	if fmt.Sprint(flagged) != "[2027-03-28:site]" {
		t.Fatalf("days flagged for a clock change: %v", flagged)
	}
	day := func(date, col string) string {
		return bcText(t, ctx, hours+`[data-testid=preview-day][data-date="`+date+`"] [data-testid=`+col+`]`)
	}
	if got := day("2027-03-28", "clocks-change"); !strings.Contains(got, "Europe/Paris: UTC+01:00 → UTC+02:00") {
		t.Fatalf("clock change note %q", got)
	}
	for _, c := range []struct{ date, col, want string }{
		{"2027-03-22", "preview-site", "08:00–12:00, 13:00–18:00"},
		{"2027-03-22", "preview-local", "03:00–07:00, 08:00–13:00"},
		{"2027-03-26", "preview-site", "08:00–12:00"},
		{"2027-03-27", "preview-site", "10:00–14:00, 22:00–04:00 (next day)"},
		{"2027-03-27", "preview-local", "05:00–09:00, 17:00–22:00"},
		{"2027-03-28", "preview-site", "until 04:00"},
		{"2027-03-29", "preview-site", "Closed"},
		{"2027-03-30", "preview-local", "02:00–06:00, 07:00–12:00"},
	} {
		if got := day(c.date, c.col); got != c.want {
			t.Errorf("%s %s: %q, want %q", c.date, c.col, got, c.want)
		}
	}
	if got := bcText(t, ctx, hours+`[data-testid=interval-sat-1] [data-testid=interval-note]`); got != "(next day)" {
		t.Fatalf("overnight label %q", got)
	}
	bcRun(t, ctx, "scroll to the top", chromedp.Evaluate(bcQ(`#view-hours`)+`.scrollTop = 0`, nil))
	bcScreenshot(t, ctx, "hours")
	bcNoErrors(t, ctx)
}
