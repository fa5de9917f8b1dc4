package gateway

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/livedesk/gateway/store"
)

// Ann has a chat in the Sales department of site A. Her transfer of it to Sales is
// refused (no one else is available there): the dialog shows the server's reason and
// the chat stays hers. Once Bo answers for Sales, the dialog lists him with his load
// and she transfers the chat to him with a note: it leaves her list, and Bo's console
// shows it with the transcript and "Transferred by Ann: <note>", also after a reload.
// At desktop size and on a 360x740 phone (docs/protocol.md#transfers).
func TestBrowserConsoleTransfer(t *testing.T) {
	bcEachSize(t, consoleTransfer)
}

// consoleTransfer is TestBrowserConsoleTransfer at one viewport.
func consoleTransfer(t *testing.T, w, h int64) {
	ann := bcBrowser(t, "UTC")
	f := newFixture(t)
	bo := f.mkAgent(store.RoleAgent, []string{f.siteA.ID})
	f.mustDo("PATCH", "/api/v1/agents/"+f.agentA.ID, f.tokens["admin"], map[string]any{"name": "Ann"}, 200)
	f.mustDo("PATCH", "/api/v1/agents/"+bo.ID, f.tokens["admin"], map[string]any{"name": "Bo"}, 200)
	sales := f.apiDepartment(f.siteA.ID, "Sales")
	f.mustDo("PATCH", "/api/v1/departments/"+sales, f.tokens["admin"], map[string]any{"agents": []string{f.agentA.ID}}, 200)

	boTab, cancel := chromedp.NewContext(ann)
	defer cancel()
	bcRun(t, ann, "Ann logs in", chromedp.EmulateViewport(w, h), bcLogin(f, f.agentA.Email))
	bcRun(t, boTab, "Bo logs in", bcEmulate("UTC"), chromedp.EmulateViewport(w, h), bcLogin(f, bo.Email))
	f.clock.Advance(15 * time.Second) // the others' start-up grace runs out

	v, _ := f.visitor(f.siteA.ID, nil)
	v.send(map[string]any{"type": "chat.start", "id": "start-1", "text": "I need help with my order", "name": "Vera"})
	assigned, _ := v.waitFor("chat.assigned")
	conv := assigned["conversation"].(map[string]any)
	convID := conv["id"].(string)
	if conv["agent"].(map[string]any)["id"] != f.agentA.ID || conv["department_id"] != sales {
		t.Fatalf("the chat went to %v", conv)
	}
	dlg := `[data-testid=transfer-dialog] `
	bcRun(t, ann, "Ann opens the transfer dialog",
		bcState(`s.chats.some(c => c.id === `+bcJS(convID)+` && c.department_id === `+bcJS(sales)+`)`),
		bcClick(`[data-testid=chat][data-conversation-id="`+convID+`"] [data-testid=chat-transfer]`),
		waitJS(bcQ(`[data-testid=transfer-dialog]`)+`?.open`),
		// Bo is available but does not answer for Sales; Sales is online.
		bcWait(dlg+`[data-testid=transfer-agent][data-agent-id="`+bo.ID+`"].blocked`),
		bcWait(dlg+`[data-testid=transfer-department][data-department-id="`+sales+`"]:not(.blocked) input:checked`),
	)
	if got := bcText(t, ann, dlg+`[data-testid=transfer-agent][data-agent-id="`+bo.ID+`"]`); got != "Bo0/5 chats · not in Sales" {
		t.Fatalf("Bo in the dialog: %q", got)
	}
	bcRun(t, ann, "a transfer to Sales is refused",
		bcClick(dlg+`[data-testid=transfer-send]`),
		bcState(`s.admin.transfer.error`),
	)
	if got := bcText(t, ann, dlg+`[data-testid=transfer-error]`); got != "Not transferred: no one else is available in Sales" {
		t.Fatalf("refusal shown as %q", got)
	}
	if w > 1000 {
		bcScreenshot(t, ann, "transfer")
	}
	c := f.mustDo("GET", "/api/v1/conversations/"+convID, f.tokens["admin"], nil, 200).json(t)
	if c["state"] != "open" || c["agent"].(map[string]any)["id"] != f.agentA.ID {
		t.Fatalf("a refused transfer changed the conversation: %v", c)
	}
	// Bo joins Sales: the refreshed list offers him; Ann transfers with a note.
	f.mustDo("PATCH", "/api/v1/departments/"+sales, f.tokens["admin"], map[string]any{"agents": []string{f.agentA.ID, bo.ID}}, 200)
	note := "Wants a refund for order 42"
	bcRun(t, ann, "Ann transfers the chat to Bo",
		bcState(`s.chats.length === 1 && s.admin.transfer.open`),
		bcClick(dlg+`[data-testid=transfer-refresh]`),
		bcWait(dlg+`[data-testid=transfer-agent][data-agent-id="`+bo.ID+`"]:not(.blocked)`),
		bcClick(dlg+`[data-testid=transfer-agent][data-agent-id="`+bo.ID+`"] input`),
		bcSet(dlg+`[data-testid=transfer-note]`, note),
		bcClick(dlg+`[data-testid=transfer-send]`),
		bcState(`!s.admin.transfer.open && s.admin.transfer.done === 1 && s.chats.length === 0`),
		waitJS(`!`+bcQ(`[data-testid=transfer-dialog]`)+`.open && !`+bcQ(`[data-testid=chat-tab]`)),
	)
	bcRun(t, boTab, "Bo has the chat, its transcript and the note",
		bcState(`s.chats.some(c => c.id === `+bcJS(convID)+` && c.transfer && c.transfer.note === `+bcJS(note)+`)`),
		waitJS(`[...document.querySelectorAll('[data-testid=chat-message]')].some(e => e.textContent.includes('I need help with my order'))`),
	)
	if got := bcText(t, boTab, `[data-testid=chat-transfer-note]`); got != "Transferred by Ann: "+note {
		t.Fatalf("Bo's note %q", got)
	}
	if got := bcText(t, boTab, `[data-testid=visitor-name]`); got != "Vera" {
		t.Fatalf("Bo's chat is with %q", got)
	}
	// A reload's welcome says nothing of the transfer: the note is still shown.
	bcRun(t, boTab, "Bo reloads", chromedp.Reload(), bcState(`s.connected && s.chats.length === 1`),
		waitJS(bcQ(`[data-testid=chat-transfer-note]`)+`?.textContent === `+bcJS("Transferred by Ann: "+note)))
	// The visitor keeps its conversation, is told, and never sees the note.
	msg, _ := v.waitFor("message")
	if msg["from"] != "system" || msg["text"] != "Transferred to Bo." || strings.Contains(msg["text"].(string), "refund") {
		t.Fatalf("the visitor was told %v", msg)
	}
	again, _ := v.waitFor("chat.assigned")
	if again["conversation"].(map[string]any)["id"] != convID {
		t.Fatalf("the visitor's conversation changed: %v", again)
	}
	bcNoErrors(t, ann)
	bcNoErrors(t, boTab)
}

// Ann (one chat at most, shift 09:00-10:00 UTC) answers for Sales alone: a second
// visitor waits in Sales's queue, which her side list shows under site A until it
// leaves. Ten minutes before her shift ends the banner offers to hand over her open
// chat; the dialog opens on it with Sales chosen, and the chat goes to Bo, who has
// joined Sales (docs/protocol.md#handover). At desktop size and on a 360x740 phone.
func TestBrowserConsoleDepartmentQueueAndHandover(t *testing.T) {
	bcEachSize(t, consoleQueueAndHandover)
}

// consoleQueueAndHandover is TestBrowserConsoleDepartmentQueueAndHandover at one viewport.
func consoleQueueAndHandover(t *testing.T, w, h int64) {
	ctx := bcBrowser(t, "UTC")
	f := newFixture(t)
	f.mustDo("PUT", "/api/v1/agents/"+f.agentA.ID+"/schedule", f.tokens["admin"], bcDailyHours("09:00", "10:00"), 200)
	f.mustDo("PATCH", "/api/v1/agents/"+f.agentA.ID, f.tokens["admin"], map[string]any{"name": "Ann", "max_chats": 1, "idle_minutes": 0}, 200)
	sales := f.apiDepartment(f.siteA.ID, "Sales")
	f.mustDo("PATCH", "/api/v1/departments/"+sales, f.tokens["admin"], map[string]any{"agents": []string{f.agentA.ID}}, 200)
	bcRun(t, ctx, "Ann logs in", chromedp.EmulateViewport(w, h), bcLogin(f, f.agentA.Email),
		bcWait(`[data-testid=department][data-department-id="`+sales+`"][data-online=true]`))
	f.clock.Advance(15 * time.Second)

	v1, _ := f.visitor(f.siteA.ID, nil)
	v1.send(map[string]any{"type": "chat.start", "id": "a", "text": "first", "name": "Vera"})
	conv := func(m map[string]any) string { return m["conversation"].(map[string]any)["id"].(string) }
	m, _ := v1.waitFor("chat.assigned")
	first := conv(m)
	v2, _ := f.visitor(f.siteA.ID, nil)
	v2.send(map[string]any{"type": "chat.start", "id": "b", "text": "second"})
	v2.waitFor("chat.queued")
	dq := `[data-testid=department][data-department-id="` + sales + `"] [data-testid=department-queue]`
	bcRun(t, ctx, "Sales's queue is shown", waitJS(bcQ(dq)+`?.textContent === 'Queue: 1'`),
		waitJS(bcQ(`[data-testid=site-queue]`)+`?.textContent === 'Queue: 1'`))
	v2.send(map[string]any{"type": "chat.end", "id": "end-b"})
	bcRun(t, ctx, "the queue is empty again", waitJS(`!`+bcQ(dq)+` && !`+bcQ(`[data-testid=site-queue]`)))

	bo := f.mkAgent("agent", []string{f.siteA.ID})
	f.mustDo("PATCH", "/api/v1/agents/"+bo.ID, f.tokens["admin"], map[string]any{"name": "Bo", "idle_minutes": 0}, 200)
	boSock, _ := f.agentSocket(f.token(bo))
	f.mustDo("PATCH", "/api/v1/departments/"+sales, f.tokens["admin"], map[string]any{"agents": []string{f.agentA.ID, bo.ID}}, 200)
	// Neither goes idle over the jump (idle_minutes 0).
	f.clock.Set(time.Date(2026, 11, 23, 9, 50, 0, 0, time.UTC))
	hand := `[data-testid=handover-open][data-conversation-id="` + first + `"]`
	bcRun(t, ctx, "the warning offers to hand over",
		bcState(`s.shiftEnding === '2026-11-23T10:00:00Z' && s.admin.transfer.handover.length === 1`),
		waitJS(`!`+bcQ(`[data-testid=shift-banner]`)+`.hidden && `+bcQ(hand)+`?.textContent === 'Vera'`),
		bcClick(hand),
		waitJS(bcQ(`[data-testid=transfer-dialog]`)+`?.open`),
		bcWait(`[data-testid=transfer-department][data-department-id="`+sales+`"] input:checked`),
		bcClick(`[data-testid=transfer-send]`),
		bcState(`s.admin.transfer.done === 1 && s.chats.length === 0`),
		waitJS(bcQ(`[data-testid=handover]`)+`.hidden`),
	)
	got, _ := boSock.waitFor("chat.assigned")
	tr, _ := got["transfer"].(map[string]any)
	if conv(got) != first || tr == nil || tr["from_agent"].(map[string]any)["id"] != f.agentA.ID || tr["note"] != "" {
		t.Fatalf("Bo got %v", got)
	}
	bcNoErrors(t, ctx)
}
