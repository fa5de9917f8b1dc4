package gateway

import (
	"fmt"
	"testing"

	"github.com/chromedp/cdproto/emulation"
)

// A custom offline-form field with labels by language shows the visitor's: data-lang
// first, then the browser's languages (exact tag, then the primary language), else
// the field's own label. The API keeps the labels as given.
func TestBrowserWidgetFormLabelsByLanguage(t *testing.T) {
	f, _, ctx := bwSetup(t)
	labels := map[string]string{"de": "Bestellnummer", "fr": "Numéro de commande", "pt": "Número do pedido", "pt-PT": "Número da encomenda"}
	site := f.mustDo("PATCH", "/api/v1/sites/"+f.siteA.ID, f.tokens["admin"], map[string]any{"mode": "offline",
		"offline_form": map[string]any{"fields": []any{
			map[string]any{"name": "order", "label": "Order number", "labels": labels, "required": true},
			map[string]any{"name": "phone", "label": "Phone", "type": "tel"},
		}}}, 200).json(t)
	got := site["offline_form"].(map[string]any)["fields"].([]any)[0].(map[string]any)["labels"]
	if fmt.Sprint(got) != fmt.Sprint(map[string]any{"de": "Bestellnummer", "fr": "Numéro de commande", "pt": "Número do pedido", "pt-PT": "Número da encomenda"}) {
		t.Fatalf("labels as stored: %v", got)
	}
	var ua string
	bwEval(t, ctx, `navigator.userAgent`, &ua)
	look := func(page, accept string) (order, phone string) {
		t.Helper()
		bwRun(t, ctx, "languages", emulation.SetUserAgentOverride(ua).WithAcceptLanguage(accept))
		bwLoad(t, ctx, f.http.URL+page)
		bwOpen(t, ctx)
		bwWait(t, ctx, "the offline form", inWidget(`return !!w.querySelector('[data-testid=offline-field-order]')`))
		return bwText(t, ctx, `label[for=ld-f-f_order]`), bwText(t, ctx, `label[for=ld-f-f_phone]`)
	}
	for _, c := range []struct{ page, accept, order string }{
		{"/demo", "en-US,en;q=0.9", "Order number *"},        // no English label: the field's label
		{"/demo", "de-AT,de;q=0.9", "Bestellnummer *"},       // de-AT: by its primary language
		{"/demo", "it-IT,pt-BR;q=0.8", "Número do pedido *"}, // the second language has one
		{"/demo", "pt-PT,pt;q=0.9", "Número da encomenda *"}, // the exact tag first
		{"/fr", "de-DE,de;q=0.9", "Numéro de commande *"},    // data-lang wins
	} {
		order, phone := look(c.page, c.accept)
		if order != c.order || phone != "Phone" {
			t.Fatalf("%s in a %s browser: labels %q, %q; want %q, %q", c.page, c.accept, order, phone, c.order, "Phone")
		}
	}
}
