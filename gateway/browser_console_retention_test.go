package gateway

import "testing"

// An admin sets how long site A keeps its chats on the settings page: a number out
// of range is refused at the field, an empty field keeps everything (null).
func TestBrowserConsoleRetentionDays(t *testing.T) {
	ctx := bcBrowser(t, "Europe/Paris")
	f := newFixture(t)
	set := `#view-settings `
	field := set + `[data-testid=site-retention-days]`
	bcRun(t, ctx, "admin sets retention_days",
		bcLogin(f, f.admin.Email),
		bcClick(`[data-testid=nav-settings]`),
		bcWait(set+`[data-testid=site-select] option[value="`+f.siteA.ID+`"]`),
		bcSet(set+`[data-testid=site-select]`, f.siteA.ID),
		waitJS(bcQ(set+`[data-testid=site-name]`)+`?.value === 'Site A'`),
		waitJS(bcQ(field)+`?.value === ''`),
		bcSet(field, "0"),
		bcClick(set+`[data-testid=site-save]`),
		bcState(`s.admin.settings.error && s.admin.settings.error.field === 'retention_days'`),
		waitJS(bcQ(field)+`?.nextElementSibling?.dataset.testid === 'field-error'`),
		bcSet(field, "30"),
		bcClick(set+`[data-testid=site-save]`),
		bcState(`s.admin.settings.saves === 1`),
	)
	if got := bcSite(f, f.siteA.ID)["retention_days"]; got != 30.0 {
		t.Fatalf("retention_days %v, want 30", got)
	}
	bcRun(t, ctx, "admin clears it",
		waitJS(bcQ(field)+`?.value === '30'`),
		bcSet(field, ""),
		bcClick(set+`[data-testid=site-save]`),
		bcState(`s.admin.settings.saves === 2`),
	)
	if got := bcSite(f, f.siteA.ID)["retention_days"]; got != nil {
		t.Fatalf("retention_days %v after clearing, want null", got)
	}
	bcNoErrors(t, ctx)
}
