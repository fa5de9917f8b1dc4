package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/livedesk/gateway/store"
)

// The widget's department picker (docs/protocol.md#departments) in headless chromium
// against the real gateway, at a desktop and at a phone's size. Site A has the hours
// of ws_hours_test.go (Mon 08:00-12:00, 13:00-17:00 Paris; the clock starts Monday
// 10:00) and three departments made through the API, so the desk knows them:
//   - Sales: Alice, the site's hours;
//   - Support: Bo, always open;
//   - Billing: Alice, open on Tuesdays 09:00-17:00 only, so offline on Monday.

// bwDepts is what bwDeptSetup made: the departments' ids and Bo with his socket.
type bwDepts struct {
	sales, support, billing string
	bo                      *store.Agent
	boSock                  *wsClient
}

// bwDeptEntry is one department as the picker shows it.
type bwDeptEntry struct{ Name, State, Text string }

// bwTuesdays is a schedule open on Tuesdays 09:00-17:00, Paris time.
var bwTuesdays = map[string]any{"enabled": true, "timezone": "Europe/Paris",
	"weekly": map[string]any{"tue": []any{map[string]string{"from": "09:00", "to": "17:00"}}}}

// bwPickerAt10 is the picker on Monday 10:00 Paris, seen in Paris.
var bwPickerAt10 = []bwDeptEntry{{"Sales", "online", "Online"}, {"Support", "online", "Online"},
	{"Billing", "offline", "Back Tuesday at 09:00"}}

// bwDeptSetup is bwSetup at a size with the browser in Paris, Bo ("Bo", serving site
// A) connected, and the three departments.
func bwDeptSetup(t *testing.T, size bwSize) (*fixture, *wsClient, bwDepts, context.Context) {
	t.Helper()
	f, alice, ctx := bwSetup(t)
	bwRun(t, ctx, "viewport and zone", bwViewport(size), emulation.SetTimezoneOverride("Europe/Paris"))
	var d bwDepts
	d.bo = f.mkAgent(store.RoleAgent, []string{f.siteA.ID})
	f.mustDo("PATCH", "/api/v1/agents/"+d.bo.ID, f.tokens["admin"], map[string]any{"name": "Bo", "idle_minutes": 0}, 200)
	d.boSock, _ = f.agentSocket(f.token(d.bo))
	mk := func(body map[string]any) string {
		t.Helper()
		return decodeDepartment(t, f.mustDo("POST", "/api/v1/sites/"+f.siteA.ID+"/departments", f.tokens["admin"], body, 201)).ID
	}
	d.sales = mk(map[string]any{"name": "Sales", "agents": []string{f.agentA.ID}})
	d.support = mk(map[string]any{"name": "Support", "agents": []string{d.bo.ID}, "schedule": map[string]any{"enabled": false}})
	d.billing = mk(map[string]any{"name": "Billing", "agents": []string{f.agentA.ID}, "schedule": bwTuesdays})
	return f, alice, d, ctx
}

// bwDeptButton is the JS path of a department's button in the picker.
func bwDeptButton(id string) string {
	return `document.getElementById('livedesk-widget').shadowRoot.querySelector('[data-testid=department][data-id="` + id + `"]')`
}

// bwPickerShows waits until the picker is on screen with exactly these entries, in order.
func bwPickerShows(t *testing.T, ctx context.Context, what string, want []bwDeptEntry) {
	t.Helper()
	js, _ := json.Marshal(want)
	bwWait(t, ctx, what, inWidget(fmt.Sprintf(`const p = w.querySelector('[data-testid=picker]');
		return p.checkVisibility() && JSON.stringify([...p.querySelectorAll('[data-testid=department]')].map(e => ({
			Name: e.querySelector('.name').textContent, State: e.dataset.state, Text: e.querySelector('.state').textContent}))) === %q`, js)))
}

// bwFitsWidth fails unless the page is no wider than the screen and the widget's
// controls on show (departments, the message box and send, the form's button, the way
// back to the picker) lie inside its width, the departments wholly on screen.
func bwFitsWidth(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	var bad []string
	bwEval(t, ctx, inWidget(`const out = [];
		if (document.documentElement.scrollWidth > window.innerWidth) out.push('page ' + document.documentElement.scrollWidth);
		const shown = [...w.querySelectorAll('[data-testid=department], [data-testid=input], [data-testid=send], [data-testid=offline-submit], [data-testid=other-departments]')]
			.filter(e => e.checkVisibility());
		if (!shown.length) out.push('no control shown');
		shown.forEach(e => { const r = e.getBoundingClientRect();
			if (r.width <= 0 || r.left < 0 || r.right > window.innerWidth + 0.5 ||
				(e.dataset.testid === 'department' && r.bottom > window.innerHeight + 0.5)) out.push(e.dataset.testid + ' ' + JSON.stringify(r)) });
		return out`), &bad)
	if len(bad) > 0 {
		t.Fatalf("%s does not fit: %v", what, bad)
	}
}

// bwSentFrames is the frames of a type the widget sent, oldest first.
func bwSentFrames(t *testing.T, ctx context.Context, typ string) []map[string]any {
	t.Helper()
	var fs []map[string]any
	bwEval(t, ctx, fmt.Sprintf(`window.__bwSent.map(s => JSON.parse(s)).filter(f => f.type === %q)`, typ), &fs)
	return fs
}

// (1) Two departments online and one offline: the picker shows all three, and the
// chat the visitor starts in Support goes to Bo, Support's agent, not to Alice. An
// admin transfers it to Sales: the widget shows the system message in its own style
// and the new agent's name.
func TestBrowserWidgetDepartmentPickerRoutesTheChat(t *testing.T) {
	for _, size := range bwSizes {
		t.Run(size.name, func(t *testing.T) {
			f, alice, d, ctx := bwDeptSetup(t, size)
			bwLoad(t, ctx, f.http.URL+"/demo")
			bwOpen(t, ctx)
			bwPickerShows(t, ctx, "the picker", bwPickerAt10)
			bwFitsWidth(t, ctx, "the picker")
			if !size.phone {
				bwEval(t, ctx, `document.activeElement.blur(); true`, nil)
				saveScreenshot(t, ctx, filepath.Join("docs", "screenshots", "widget-departments.png"))
			}
			if st := bwState(t, ctx); st.View != "pick" || st.Conversation != nil {
				t.Fatalf("widget with the picker: %+v", st)
			}
			bwRun(t, ctx, "choose Support", chromedp.Click(bwDeptButton(d.support), chromedp.ByJSPath))
			bwWait(t, ctx, "the chat view for Support", inWidget(`return w.querySelector('[data-testid=input]').checkVisibility() &&
				w.querySelector('[data-testid=department-bar]').checkVisibility() && w.querySelector('[data-testid=department-name]').textContent === 'Support'`))
			var focused string
			bwEval(t, ctx, inWidget(`return w.activeElement ? w.activeElement.dataset.testid : ''`), &focused)
			if focused != "input" {
				t.Fatalf("focus after choosing is on %q", focused)
			}

			bwSay(t, ctx, "I cannot log in")
			m, _ := d.boSock.waitFor("chat.assigned")
			conv := m["conversation"].(map[string]any)
			convID := conv["id"].(string)
			if conv["department_id"] != d.support {
				t.Fatalf("Bo's chat.assigned %v", m)
			}
			if starts := bwSentFrames(t, ctx, "chat.start"); len(starts) != 1 || starts[0]["department_id"] != d.support {
				t.Fatalf("chat.start frames %v", starts)
			}
			stored, err := f.store.GetConversation(context.Background(), convID)
			if err != nil || stored.DepartmentID != d.support || stored.AgentID != d.bo.ID {
				t.Fatalf("stored conversation %+v (%v)", stored, err)
			}
			bwShows(t, ctx, "visitor", "I cannot log in")
			bwAgentSays(t, d.boSock, convID, "Bo here, let me check.")
			bwShows(t, ctx, "agent", "Bo here, let me check.")
			if got := bwText(t, ctx, "header small"); got != "You're chatting with Bo" {
				t.Fatalf("header says %q", got)
			}

			f.mustDo("POST", "/api/v1/conversations/"+convID+"/transfer", f.tokens["admin"],
				map[string]any{"to_department_id": d.sales, "note": "Wants a discount"}, 200)
			if m, _ := alice.waitFor("chat.assigned"); m["conversation"].(map[string]any)["id"] != convID {
				t.Fatalf("Alice's chat.assigned %v", m)
			}
			bwShows(t, ctx, "system", "Transferred to Sales.")
			bwWait(t, ctx, "the new agent's name", inWidget(`return w.querySelector('header small').textContent === "You're chatting with Alice"`))
			var style struct{ Class, Align, Italic string }
			bwEval(t, ctx, inWidget(`const e = [...w.querySelectorAll('[data-testid=message][data-from=system]')].pop(), s = getComputedStyle(e);
				return {Class: e.className, Align: s.alignSelf, Italic: s.fontStyle}`), &style)
			if style.Class != "msg system" || style.Align != "center" || style.Italic != "italic" {
				t.Fatalf("system message style %+v", style)
			}
			bwAgentSays(t, alice, convID, "Alice from Sales: 10% off today.")
			bwShows(t, ctx, "agent", "Alice from Sales: 10% off today.")
			ms := bwMessages(t, ctx)
			if len(ms) != 4 || ms[2].From != "system" || ms[2].Seq != "3" || ms[3].Seq != "4" {
				t.Fatalf("transcript %+v", ms)
			}
			if st := bwState(t, ctx); st.Conversation == nil || st.Conversation.ID != convID || st.Conversation.State != "open" {
				t.Fatalf("widget after the transfer: %+v", st)
			}
			var dept string
			bwEval(t, ctx, `window.LivedeskWidget.state().department`, &dept)
			if dept != d.sales {
				t.Fatalf("the widget's department after the transfer %q, want Sales", dept)
			}
			bwFitsWidth(t, ctx, "the chat after the transfer")
		})
	}
}

// (2) The picker is kept live in an open page: Sales closes for lunch at 12:00 and
// opens again at 13:00 (the fake clock crosses its boundaries), Support loses its
// only agent through the API; each entry flips without a reload, and the picker stays
// on screen although only one department is online by then.
func TestBrowserWidgetDepartmentPickerFlipsLive(t *testing.T) {
	for _, size := range bwSizes {
		t.Run(size.name, func(t *testing.T) {
			f, _, d, ctx := bwDeptSetup(t, size)
			bwLoad(t, ctx, f.http.URL+"/demo")
			bwEval(t, ctx, `window.__bwMark = performance.timeOrigin; true`, nil) // a reload would lose it
			bwOpen(t, ctx)
			bwPickerShows(t, ctx, "the picker", bwPickerAt10)

			f.clock.Set(lunchStart)
			bwPickerShows(t, ctx, "Sales closed for lunch", []bwDeptEntry{{"Sales", "offline", "Back at 13:00"},
				{"Support", "online", "Online"}, {"Billing", "offline", "Back Tuesday at 09:00"}})
			f.clock.Set(lunchEnd)
			bwPickerShows(t, ctx, "Sales open again", bwPickerAt10)
			f.mustDo("PATCH", "/api/v1/departments/"+d.support, f.tokens["admin"], map[string]any{"agents": []string{}}, 200)
			bwPickerShows(t, ctx, "Support without agents", []bwDeptEntry{{"Sales", "online", "Online"},
				{"Support", "offline", "Offline"}, {"Billing", "offline", "Back Tuesday at 09:00"}})
			// Frames for a department the widget does not know, or without a status, change nothing.
			bwEval(t, ctx, `[{type: 'department.status', department_id: 'nope', status: {online: false, reason: 'no_agents'}},
				{type: 'department.status', department_id: '`+d.sales+`'}].forEach(f => window.__bwWS.onmessage({data: JSON.stringify(f)})); true`, nil)
			bwPickerShows(t, ctx, "the picker after unknown frames", []bwDeptEntry{{"Sales", "online", "Online"},
				{"Support", "offline", "Offline"}, {"Billing", "offline", "Back Tuesday at 09:00"}})
			var same bool
			bwEval(t, ctx, `window.__bwMark === performance.timeOrigin`, &same)
			if !same {
				t.Fatal("the page was reloaded")
			}
			st := bwState(t, ctx)
			if st.View != "pick" || !st.Status.Online {
				t.Fatalf("widget after the flips: %+v", st)
			}
			var label string
			bwEval(t, ctx, bwDeptButton(d.support)+`.getAttribute('aria-label')`, &label)
			if label != "Support: Offline" {
				t.Fatalf("Support's label %q", label)
			}
			// An entry that came online is selectable: Sales starts a chat with Alice.
			bwRun(t, ctx, "choose Sales", chromedp.Click(bwDeptButton(d.sales), chromedp.ByJSPath))
			bwWait(t, ctx, "the chat view", inWidget(`return w.querySelector('[data-testid=input]').checkVisibility()`))
			bwFitsWidth(t, ctx, "the chat view")
		})
	}
}

// (3) An offline department gets the offline form: the message the visitor leaves
// for Billing is stored with Billing's department_id. Then Sales closes between the
// visitor's choice and its first message: the chat.offline names Sales, and the form
// that answers it is stored for Sales.
func TestBrowserWidgetOfflineDepartmentGetsTheOfflineForm(t *testing.T) {
	for _, size := range bwSizes {
		t.Run(size.name, func(t *testing.T) {
			f, _, d, ctx := bwDeptSetup(t, size)
			bwLoad(t, ctx, f.http.URL+"/demo")
			bwOpen(t, ctx)
			bwPickerShows(t, ctx, "the picker", bwPickerAt10)
			bwRun(t, ctx, "choose Billing", chromedp.Click(bwDeptButton(d.billing), chromedp.ByJSPath))
			offlineForm := inWidget(`return w.querySelector('[data-testid=offline-form]').checkVisibility()`)
			bwWait(t, ctx, "Billing's offline form", offlineForm+` && `+inWidget(`return w.querySelector('[data-testid=department-name]').textContent === 'Billing' &&
				w.querySelector('[data-testid=department-state]').textContent === 'Back Tuesday at 09:00'`))
			var focused string
			bwEval(t, ctx, inWidget(`return w.activeElement ? w.activeElement.dataset.testid : ''`), &focused)
			if focused != "offline-name" {
				t.Fatalf("focus on the form is on %q", focused)
			}
			if st := bwState(t, ctx); st.View != "offline" || !st.Status.Online {
				t.Fatalf("widget with Billing's form: %+v", st)
			}
			bwFitsWidth(t, ctx, "Billing's form")
			field := func(name string) string {
				return `document.getElementById('livedesk-widget').shadowRoot.querySelector('[data-testid=offline-` + name + `]')`
			}
			bwRun(t, ctx, "fill Billing's form",
				chromedp.SendKeys(field("message"), "Please send my invoice again.", chromedp.ByJSPath),
				chromedp.SendKeys(field("email"), "dana@example.com"+kb.Enter, chromedp.ByJSPath))
			bwWait(t, ctx, "the thank-you", inWidget(`return w.querySelector('[data-testid=offline-thanks]').checkVisibility()`))
			if subs := bwSentFrames(t, ctx, "offline.submit"); len(subs) != 1 || subs[0]["department_id"] != d.billing {
				t.Fatalf("offline.submit frames %v", subs)
			}

			// Sales closes at 12:00 while the visitor, who chose it, writes.
			bwEval(t, ctx, inWidget(`w.querySelector('header button:last-child').click(); return true`), nil)
			bwOpen(t, ctx)
			bwPickerShows(t, ctx, "the picker again", bwPickerAt10)
			bwRun(t, ctx, "choose Sales", chromedp.Click(bwDeptButton(d.sales), chromedp.ByJSPath))
			bwEval(t, ctx, `window.__bwHold = true`, nil)
			f.clock.Set(lunchStart)
			bwSay(t, ctx, "Is the red bike in stock?")
			bwWait(t, ctx, "chat.offline from the server", `window.__bwHeld.some(h => JSON.parse(h.data).type === 'chat.offline')`)
			bwEval(t, ctx, bwRelease, nil)
			bwWait(t, ctx, "Sales' offline form", offlineForm+` && `+inWidget(`return w.querySelector('[data-testid=department-name]').textContent === 'Sales' &&
				w.querySelector('[data-testid=offline-message]').value === 'Is the red bike in stock?'`))
			bwRun(t, ctx, "fill Sales' form", chromedp.SendKeys(field("email"), "dana@example.com"+kb.Enter, chromedp.ByJSPath))
			bwWait(t, ctx, "the second thank-you", inWidget(`return w.querySelector('[data-testid=offline-thanks]').checkVisibility()`))

			msgs, err := f.store.ListOfflineMessages(context.Background(), f.siteA.ID, "", 10)
			if err != nil || len(msgs) != 2 {
				t.Fatalf("offline messages %v (%v)", msgs, err)
			}
			byText := map[string]string{}
			for _, m := range msgs {
				byText[m.Message] = m.DepartmentID
			}
			if byText["Please send my invoice again."] != d.billing || byText["Is the red bike in stock?"] != d.sales {
				t.Fatalf("offline messages by department: %v", byText)
			}
		})
	}
}

// A chat transferred to a department whose agents are all busy waits in its queue:
// the widget says its place in line and names no agent, until the department's agent
// frees up and gets it.
func TestBrowserWidgetTransferIntoADepartmentQueue(t *testing.T) {
	f, alice, d, ctx := bwDeptSetup(t, bwSizes[0])
	f.mustDo("PATCH", "/api/v1/agents/"+f.agentA.ID, f.tokens["admin"], map[string]any{"max_chats": 1}, 200)
	other, _ := f.visitor(f.siteA.ID, nil)
	other.send(map[string]any{"type": "chat.start", "id": "o1", "text": "Busy Alice", "department_id": d.sales})
	busy := other.expect("chat.assigned")["conversation"].(map[string]any)["id"].(string)
	alice.waitFor("chat.assigned")

	bwLoad(t, ctx, f.http.URL+"/demo")
	bwOpen(t, ctx)
	bwPickerShows(t, ctx, "the picker", bwPickerAt10)
	bwRun(t, ctx, "choose Support", chromedp.Click(bwDeptButton(d.support), chromedp.ByJSPath))
	bwSay(t, ctx, "I need a quote")
	m, _ := d.boSock.waitFor("chat.assigned")
	convID := m["conversation"].(map[string]any)["id"].(string)
	bwWait(t, ctx, "Bo's name", inWidget(`return w.querySelector('header small').textContent === "You're chatting with Bo"`))

	f.mustDo("POST", "/api/v1/conversations/"+convID+"/transfer", f.tokens["admin"], map[string]any{"to_department_id": d.sales}, 200)
	bwShows(t, ctx, "system", "Transferred to Sales.")
	bwWait(t, ctx, "the place in line", inWidget(`const q = w.querySelector('[data-testid=queue]');
		return q.checkVisibility() && q.textContent === 'You are number 1 in line' && w.querySelector('header small').textContent === "We're online"`))
	if st := bwState(t, ctx); st.Conversation == nil || st.Conversation.ID != convID || st.Conversation.State != "queued" {
		t.Fatalf("widget in the queue: %+v", st)
	}
	alice.send(map[string]any{"type": "chat.end", "id": "e1", "conversation_id": busy})
	for {
		if m, _ := alice.waitFor("chat.assigned"); m["conversation"].(map[string]any)["id"] == convID {
			break
		}
	}
	bwWait(t, ctx, "Alice's name", inWidget(`return w.querySelector('header small').textContent === "You're chatting with Alice" &&
		!w.querySelector('[data-testid=queue]').checkVisibility()`))
}

// A department deleted after the page loaded (deletions are not pushed) is still in
// the picker; the chat started in it gets error not_found: the widget forgets the
// department and starts the chat again for the site, where the first online
// department (Sales) takes it.
func TestBrowserWidgetDeletedDepartmentFallsBackToTheSite(t *testing.T) {
	f, alice, d, ctx := bwDeptSetup(t, bwSizes[0])
	bwLoad(t, ctx, f.http.URL+"/demo")
	bwOpen(t, ctx)
	bwPickerShows(t, ctx, "the picker", bwPickerAt10)
	f.mustDo("DELETE", "/api/v1/departments/"+d.support, f.tokens["admin"], nil, 204)
	bwRun(t, ctx, "choose Support", chromedp.Click(bwDeptButton(d.support), chromedp.ByJSPath))
	bwSay(t, ctx, "Anyone there?")
	m, _ := alice.waitFor("chat.assigned")
	convID := m["conversation"].(map[string]any)["id"].(string)
	bwShows(t, ctx, "visitor", "Anyone there?")
	starts := bwSentFrames(t, ctx, "chat.start")
	if len(starts) != 2 || starts[0]["department_id"] != d.support || starts[1]["department_id"] != nil || starts[0]["id"] != starts[1]["id"] {
		t.Fatalf("chat.start frames %v", starts)
	}
	if stored, err := f.store.GetConversation(context.Background(), convID); err != nil || stored.DepartmentID != d.sales {
		t.Fatalf("stored conversation %+v (%v)", stored, err)
	}
	var names []string
	bwEval(t, ctx, `window.LivedeskWidget.state().departments.map(d => d.name)`, &names)
	if strings.Join(names, ",") != "Sales,Billing" {
		t.Fatalf("departments the widget knows: %v", names)
	}
	if st := bwState(t, ctx); st.Pending != 0 || st.Conversation == nil || st.Conversation.ID != convID {
		t.Fatalf("widget: %+v", st)
	}
}

// Without an offline form an offline department cannot be chosen: its entry says when
// it is back but is disabled, and the online ones still start chats.
func TestBrowserWidgetOfflineDepartmentWithoutFormIsDisabled(t *testing.T) {
	f, _, d, ctx := bwDeptSetup(t, bwSizes[0])
	f.mustDo("PATCH", "/api/v1/sites/"+f.siteA.ID, f.tokens["admin"], map[string]any{"offline_form": map[string]any{"enabled": false}}, 200)
	bwLoad(t, ctx, f.http.URL+"/demo")
	bwOpen(t, ctx)
	bwPickerShows(t, ctx, "the picker", bwPickerAt10)
	var disabled []bool
	bwEval(t, ctx, inWidget(`return [...w.querySelectorAll('[data-testid=department]')].map(e => e.disabled)`), &disabled)
	if len(disabled) != 3 || disabled[0] || disabled[1] || !disabled[2] {
		t.Fatalf("disabled entries %v", disabled)
	}
	bwEval(t, ctx, bwDeptButton(d.billing)+`.click(); true`, nil)
	if st := bwState(t, ctx); st.View != "pick" {
		t.Fatalf("widget after clicking Billing: %+v", st)
	}
	bwRun(t, ctx, "choose Sales", chromedp.Click(bwDeptButton(d.sales), chromedp.ByJSPath))
	bwWait(t, ctx, "the chat view", inWidget(`return w.querySelector('[data-testid=input]').checkVisibility()`))
}

// The picker speaks the widget's language, and says when a department is back in
// the visitor's own zone: Billing opens Tuesday 09:00 Paris, 03:00 in New York.
func TestBrowserWidgetDepartmentPickerTranslated(t *testing.T) {
	f, _, _, ctx := bwDeptSetup(t, bwSizes[0])
	bwRun(t, ctx, "zone", emulation.SetTimezoneOverride("America/New_York"))
	var ua string
	bwEval(t, ctx, `navigator.userAgent`, &ua)
	for _, c := range []struct {
		lang, page, accept, title, online, billing, other string
	}{
		{"en", "/demo", "en-US", "Choose a department", "Online", "Back Tuesday at 03:00", "Other departments"},
		{"fr", "/fr", "en-US", "Choisissez un service", "En ligne", "De retour mardi à 03:00", "Autres services"},
		{"es", "/demo", "es-ES,es;q=0.9", "Elige un departamento", "En línea", "Volvemos el martes a las 03:00", "Otros departamentos"},
		{"de", "/demo", "de-DE,de;q=0.9", "Wählen Sie eine Abteilung", "Online", "Ab Dienstag, 03:00 Uhr wieder da", "Andere Abteilungen"},
	} {
		bwRun(t, ctx, "languages", emulation.SetUserAgentOverride(ua).WithAcceptLanguage(c.accept))
		bwLoad(t, ctx, f.http.URL+c.page)
		bwOpen(t, ctx)
		bwPickerShows(t, ctx, c.lang+" picker", []bwDeptEntry{{"Sales", "online", c.online}, {"Support", "online", c.online}, {"Billing", "offline", c.billing}})
		if got := bwText(t, ctx, "[data-testid=picker] .q"); got != c.title {
			t.Errorf("%s: picker title %q, want %q", c.lang, got, c.title)
		}
		if got := bwAttr(t, ctx, "[data-testid=picker] .depts", "aria-label"); strings.TrimSpace(got) == "" {
			t.Errorf("%s: the list has no label", c.lang)
		}
		bwEval(t, ctx, inWidget(`w.querySelector('[data-testid=department]').click(); return true`), nil)
		bwWait(t, ctx, c.lang+" department bar", inWidget(`return w.querySelector('[data-testid=department-bar]').checkVisibility()`))
		if got := bwText(t, ctx, "[data-testid=other-departments]"); got != c.other {
			t.Errorf("%s: back button %q, want %q", c.lang, got, c.other)
		}
	}
}

// A site without departments shows no picker and sends chat.start without a
// department, as before.
func TestBrowserWidgetWithoutDepartmentsHasNoPicker(t *testing.T) {
	f, agent, ctx := bwSetup(t)
	bwLoad(t, ctx, f.http.URL+"/demo")
	if st := bwState(t, ctx); st.View != "chat" {
		t.Fatalf("widget: %+v", st)
	}
	bwStartChat(t, ctx, agent, "Hello there", "Hi!")
	if starts := bwSentFrames(t, ctx, "chat.start"); len(starts) != 1 || starts[0]["department_id"] != nil {
		t.Fatalf("chat.start frames %v", starts)
	}
	var hidden bool
	bwEval(t, ctx, inWidget(`return !w.querySelector('[data-testid=picker]').checkVisibility() && !w.querySelector('[data-testid=department-bar]').checkVisibility()`), &hidden)
	if !hidden {
		t.Fatal("picker or department bar shown on a site without departments")
	}
}
