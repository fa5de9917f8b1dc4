package protocol

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

var (
	at      = time.Date(2026, 11, 23, 18, 30, 0, 0, time.UTC)
	yes     = true
	seven   = int64(7)
	three   = 3
	conv    = Conversation{ID: "c", SiteID: "s", State: "open", Agent: &AgentRef{ID: "a", Name: "Al"}, CreatedAt: at, Messages: []Message{msg}}
	msg     = Message{ConversationID: "c", Seq: 1, From: "visitor", Text: "hi", At: at}
	visitor = Visitor{ID: "v", Name: "Ann", Email: "ann@example.com", Page: "https://x", Lang: "fr", Number: 4}
	form    = OfflineForm{Enabled: true, Fields: []FormField{{Name: "order", Label: "Order", Type: "number", Required: true}}}
)

// Every client frame encodes with its type and decodes, on its side, to the same
// struct.
func TestInboundRoundTrip(t *testing.T) {
	seen := map[Side][]string{}
	defer func() {
		for _, side := range []Side{VisitorSide, AgentSide} {
			for _, typ := range Types(side) {
				if !slices.Contains(seen[side], typ) {
					t.Errorf("side %d: frame type %q has no round-trip row", side, typ)
				}
			}
		}
	}()
	for _, c := range []struct {
		side Side
		f    Inbound
		want string
	}{
		{VisitorSide, &Ping{}, `{"type":"ping"}`},
		{AgentSide, &Ping{ID: "p"}, `{"type":"ping","id":"p"}`},
		{VisitorSide, &VisitorHello{VisitorToken: "v1.a.b", LastSeq: &seven, Lang: "fr", Timezone: "Europe/Paris", Page: "https://x"},
			`{"type":"hello","visitor_token":"v1.a.b","last_seq":7,"lang":"fr","timezone":"Europe/Paris","page":"https://x"}`},
		{VisitorSide, &ChatStart{ID: "c1", Text: "hi", Name: "Ann", Email: "ann@example.com"},
			`{"type":"chat.start","id":"c1","text":"hi","name":"Ann","email":"ann@example.com"}`},
		{VisitorSide, &ChatStart{ID: "c2", Text: "hi", DepartmentID: "sales"}, `{"type":"chat.start","id":"c2","text":"hi","department_id":"sales"}`},
		{VisitorSide, &VisitorMessage{ID: "m1", Text: "é"}, `{"type":"message","id":"m1","text":"é"}`},
		{VisitorSide, &VisitorTyping{State: &yes}, `{"type":"typing","state":true}`},
		{VisitorSide, &VisitorChatEnd{ID: "e"}, `{"type":"chat.end","id":"e"}`},
		{VisitorSide, &OfflineSubmit{ID: "o", Email: "a@b.c", Message: "x", Fields: map[string]json.RawMessage{"order": json.RawMessage(`5`)}},
			`{"type":"offline.submit","id":"o","email":"a@b.c","message":"x","fields":{"order":5}}`},
		{VisitorSide, &OfflineSubmit{ID: "o2", Email: "a@b.c", Message: "x", Name: "Ann", DepartmentID: "sales"},
			`{"type":"offline.submit","id":"o2","email":"a@b.c","message":"x","name":"Ann","department_id":"sales"}`},
		{AgentSide, &AgentHello{Token: "t"}, `{"type":"hello","token":"t"}`},
		{AgentSide, &PresenceSet{ID: "p", Status: PresenceAway}, `{"type":"presence.set","id":"p","status":"away"}`},
		{AgentSide, &Activity{}, `{"type":"activity"}`},
		{AgentSide, &AgentMessage{ID: "m", ConversationID: "c", Text: "t"}, `{"type":"message","id":"m","conversation_id":"c","text":"t"}`},
		{AgentSide, &AgentTyping{ConversationID: "c", State: &yes}, `{"type":"typing","conversation_id":"c","state":true}`},
		{AgentSide, &AgentChatEnd{ID: "e", ConversationID: "c"}, `{"type":"chat.end","id":"e","conversation_id":"c"}`},
		{AgentSide, &ShiftSnooze{ID: "s"}, `{"type":"shift.snooze","id":"s"}`},
		{AgentSide, &ShiftSnoozeEnd{ID: "s", Until: "2026-11-23T18:30:00Z"}, `{"type":"shift.snooze.end","id":"s","until":"2026-11-23T18:30:00Z"}`},
		{AgentSide, &ChatTransfer{ID: "t", ConversationID: "c", ToAgentID: "a2", Note: "wants a refund"},
			`{"type":"chat.transfer","id":"t","conversation_id":"c","to_agent_id":"a2","note":"wants a refund"}`},
		{AgentSide, &ChatTransfer{ID: "t", ConversationID: "c", ToDepartmentID: "billing"},
			`{"type":"chat.transfer","id":"t","conversation_id":"c","to_department_id":"billing"}`},
	} {
		seen[c.side] = append(seen[c.side], c.f.FrameType())
		b := Encode(c.f)
		if string(b) != c.want {
			t.Errorf("%T encodes as %s, want %s", c.f, b, c.want)
		}
		got, fe := Decode(c.side, b)
		if fe != nil {
			t.Errorf("%T: decode error %+v", c.f, fe)
			continue
		}
		if !reflect.DeepEqual(got, c.f) {
			t.Errorf("%T: round trip gives %#v, want %#v", c.f, got, c.f)
		}
		if ve := got.Validate(); ve != nil {
			t.Errorf("%T: a valid frame fails validation: %+v", c.f, ve)
		}
	}
}

// Every server frame encodes as the contract's JSON (what is left out, what is
// null) and decodes back to the same struct.
func TestOutboundRoundTrip(t *testing.T) {
	convJSON := `{"id":"c","site_id":"s","state":"open","agent":{"id":"a","name":"Al"},"created_at":"2026-11-23T18:30:00Z",` +
		`"messages":[{"conversation_id":"c","seq":1,"from":"visitor","text":"hi","at":"2026-11-23T18:30:00Z"}]}`
	formJSON := `{"enabled":true,"fields":[{"name":"order","label":"Order","type":"number","required":true}]}`
	statusJSON := `{"online":false,"reason":"closed","opens_at":"2026-11-23T18:30:00Z","closes_at":null}`
	status := Status{Reason: "closed", OpensAt: &at}
	open := Status{Online: true, Reason: "open", ClosesAt: &at}
	openJSON := `{"online":true,"reason":"open","opens_at":null,"closes_at":"2026-11-23T18:30:00Z"}`
	depts := []Department{{ID: "sales", Name: "Sales", Status: status}, {ID: "support", Name: "Support", Status: open}}
	deptsJSON := `[{"id":"sales","name":"Sales","status":` + statusJSON + `},{"id":"support","name":"Support","status":` + openJSON + `}]`
	deptConv := conv
	deptConv.DepartmentID = "billing"
	deptConvJSON := strings.Replace(convJSON, `"site_id":"s",`, `"site_id":"s","department_id":"billing",`, 1)
	for _, c := range []struct {
		f    Frame
		want string
	}{
		{Pong{}, `{"type":"pong"}`},
		{ErrorFrame{Code: CodeBadRequest, Message: "required", Field: "text"}, `{"type":"error","code":"bad_request","message":"required","field":"text"}`},
		{ErrorFrame{Re: "x", Code: CodeConflict, Message: "m"}, `{"type":"error","re":"x","code":"conflict","message":"m"}`},
		{VisitorWelcome{Now: at, VisitorID: "v", VisitorToken: "t", Status: status, OfflineForm: OfflineForm{Fields: []FormField{}}, Departments: []Department{}},
			`{"type":"welcome","now":"2026-11-23T18:30:00Z","visitor_id":"v","visitor_token":"t","status":` + statusJSON +
				`,"offline_form":{"enabled":false,"fields":[]},"conversation":null,"departments":[]}`},
		{VisitorWelcome{Now: at, VisitorID: "v", VisitorToken: "t", Status: status, OfflineForm: form, Conversation: &conv, Departments: []Department{}},
			`{"type":"welcome","now":"2026-11-23T18:30:00Z","visitor_id":"v","visitor_token":"t","status":` + statusJSON +
				`,"offline_form":` + formJSON + `,"conversation":` + convJSON + `,"departments":[]}`},
		{VisitorWelcome{Now: at, VisitorID: "v", VisitorToken: "t", Status: status, OfflineForm: form, Departments: depts},
			`{"type":"welcome","now":"2026-11-23T18:30:00Z","visitor_id":"v","visitor_token":"t","status":` + statusJSON +
				`,"offline_form":` + formJSON + `,"conversation":null,"departments":` + deptsJSON + `}`},
		{AgentWelcome{Now: at, Agent: json.RawMessage(`{"id":"a"}`), Presence: Presence{Status: "online", Reason: "restored"},
			Shift: Shift{OnShift: true}, Conversations: []AgentChat{{Conversation: conv, Visitor: visitor}},
			Sites: []SiteSummary{{ID: "s", Name: "S", Status: status, Queue: 2}}},
			`{"type":"welcome","now":"2026-11-23T18:30:00Z","agent":{"id":"a"},"presence":{"status":"online","reason":"restored"},` +
				`"shift":{"on_shift":true,"ends_at":null,"starts_at":null},"conversations":[{"conversation":` + convJSON +
				`,"visitor":{"id":"v","name":"Ann","email":"ann@example.com","page":"https://x","lang":"fr","number":4}}],` +
				`"sites":[{"id":"s","name":"S","status":` + statusJSON + `,"queue":2}]}`},
		{AgentWelcome{Now: at, Agent: json.RawMessage(`{"id":"a"}`), Presence: Presence{Status: "online", Reason: "restored"},
			Shift: Shift{OnShift: true}, Conversations: []AgentChat{},
			Sites: []SiteSummary{{ID: "s", Name: "S", Status: status, Queue: 3, Departments: []DepartmentSummary{{Department: depts[0], Queue: 3}, {Department: depts[1]}}}}},
			`{"type":"welcome","now":"2026-11-23T18:30:00Z","agent":{"id":"a"},"presence":{"status":"online","reason":"restored"},` +
				`"shift":{"on_shift":true,"ends_at":null,"starts_at":null},"conversations":[],` +
				`"sites":[{"id":"s","name":"S","status":` + statusJSON + `,"queue":3,"departments":[` +
				`{"id":"sales","name":"Sales","status":` + statusJSON + `,"queue":3},{"id":"support","name":"Support","status":` + openJSON + `,"queue":0}]}]}`},
		{StatusFrame{Status: status}, `{"type":"status","status":` + statusJSON + `}`},
		{SiteStatus{SiteID: "s", Status: status}, `{"type":"site.status","site_id":"s","status":` + statusJSON + `}`},
		{SiteStatus{SiteID: "s", Status: open, Departments: depts}, `{"type":"site.status","site_id":"s","status":` + openJSON + `,"departments":` + deptsJSON + `}`},
		{DepartmentStatus{DepartmentID: "sales", Status: status}, `{"type":"department.status","department_id":"sales","status":` + statusJSON + `}`},
		{ClosingSoon{ClosesAt: at}, `{"type":"closing_soon","closes_at":"2026-11-23T18:30:00Z"}`},
		{Queue{SiteID: "s", Length: 0}, `{"type":"queue","site_id":"s","length":0}`},
		{Queue{SiteID: "s", DepartmentID: "sales", Length: 2}, `{"type":"queue","site_id":"s","department_id":"sales","length":2}`},
		{QueuePosition{ConversationID: "c", Position: 1}, `{"type":"queue.position","conversation_id":"c","position":1}`},
		{ChatAssigned{Re: "c1", Conversation: conv}, `{"type":"chat.assigned","re":"c1","conversation":` + convJSON + `}`},
		{ChatAssigned{Conversation: conv, Visitor: &Visitor{ID: "v"}},
			`{"type":"chat.assigned","conversation":` + convJSON + `,"visitor":{"id":"v","name":"","email":"","page":""}}`},
		{ChatAssigned{Conversation: deptConv, Visitor: &Visitor{ID: "v"}, Transfer: &Transfer{FromAgent: AgentRef{ID: "a", Name: "Al"}, Note: "refund"}},
			`{"type":"chat.assigned","conversation":` + deptConvJSON + `,"visitor":{"id":"v","name":"","email":"","page":""},` +
				`"transfer":{"from_agent":{"id":"a","name":"Al"},"note":"refund"}}`},
		{ChatAssigned{Conversation: deptConv, Visitor: &Visitor{ID: "v"}, Transfer: &Transfer{FromAgent: AgentRef{ID: "a", Name: "Al"}}},
			`{"type":"chat.assigned","conversation":` + deptConvJSON + `,"visitor":{"id":"v","name":"","email":"","page":""},` +
				`"transfer":{"from_agent":{"id":"a","name":"Al"},"note":""}}`},
		{ChatTransferred{Re: "t", ConversationID: "c", To: TransferTarget{AgentID: "a2", AgentName: "Bo"}},
			`{"type":"chat.transferred","re":"t","conversation_id":"c","to":{"agent_id":"a2","agent_name":"Bo"}}`},
		{ChatTransferred{Re: "t", ConversationID: "c", To: TransferTarget{AgentID: "a2", AgentName: "Bo", DepartmentID: "billing"}},
			`{"type":"chat.transferred","re":"t","conversation_id":"c","to":{"agent_id":"a2","agent_name":"Bo","department_id":"billing"}}`},
		{ChatTransferred{ConversationID: "c", To: TransferTarget{DepartmentID: "billing"}},
			`{"type":"chat.transferred","conversation_id":"c","to":{"department_id":"billing"}}`},
		{ChatQueued{Re: "c1", Conversation: Conversation{ID: "c", Messages: []Message{}}, Position: 2},
			`{"type":"chat.queued","re":"c1","conversation":{"id":"c","site_id":"","state":"","agent":null,"created_at":"0001-01-01T00:00:00Z","messages":[]},"position":2}`},
		{ChatOffline{Re: "c1", Reason: "closed", OfflineForm: form, Prefill: Prefill{Text: "hi"}},
			`{"type":"chat.offline","re":"c1","reason":"closed","offline_form":` + formJSON + `,"prefill":{"text":"hi","name":"","email":""}}`},
		{ChatOffline{ConversationID: "c", Reason: "queue_timeout", OfflineForm: form},
			`{"type":"chat.offline","conversation_id":"c","reason":"queue_timeout","offline_form":` + formJSON + `,"prefill":{"text":"","name":"","email":""}}`},
		{ChatOffline{Re: "c1", DepartmentID: "sales", Reason: "outside_hours", OfflineForm: form, Prefill: Prefill{Text: "hi"}},
			`{"type":"chat.offline","re":"c1","department_id":"sales","reason":"outside_hours","offline_form":` + formJSON + `,"prefill":{"text":"hi","name":"","email":""}}`},
		{MessageAck{Re: "m", ConversationID: "c", Seq: 3, At: at}, `{"type":"message.ack","re":"m","conversation_id":"c","seq":3,"at":"2026-11-23T18:30:00Z"}`},
		{MessageFrame{ConversationID: "c", Seq: 2, From: "agent", AgentName: "Al", Text: "yo", At: at},
			`{"type":"message","conversation_id":"c","seq":2,"from":"agent","agent_name":"Al","text":"yo","at":"2026-11-23T18:30:00Z"}`},
		{TypingFrame{State: true}, `{"type":"typing","state":true}`},
		{TypingFrame{ConversationID: "c"}, `{"type":"typing","conversation_id":"c","state":false}`},
		{ChatEnded{Re: "e", ConversationID: "c", By: "visitor"}, `{"type":"chat.ended","re":"e","conversation_id":"c","by":"visitor"}`},
		{ChatEnded{ConversationID: "c", By: "system"}, `{"type":"chat.ended","conversation_id":"c","by":"system"}`},
		{OfflineReceived{Re: "o", MessageID: "om"}, `{"type":"offline.received","re":"o","message_id":"om"}`},
		{PresenceFrame{Presence: Presence{Status: "away", Reason: "idle"}}, `{"type":"presence","status":"away","reason":"idle"}`},
		{PresenceFrame{Re: "p", Presence: Presence{Status: "away", Reason: "manual"}}, `{"type":"presence","re":"p","status":"away","reason":"manual"}`},
		{ShiftFrame{Re: "s", Shift: Shift{OnShift: true, EndsAt: &at, SnoozedUntil: &at}},
			`{"type":"shift","re":"s","on_shift":true,"ends_at":"2026-11-23T18:30:00Z","starts_at":null,"snoozed_until":"2026-11-23T18:30:00Z"}`},
		{ShiftEnding{EndsAt: at}, `{"type":"shift.ending","ends_at":"2026-11-23T18:30:00Z"}`},
		{ShiftEnding{EndsAt: at, Conversations: []ShiftChat{{ID: "c", VisitorName: "Ann", VisitorNumber: 4}, {ID: "c2"}}},
			`{"type":"shift.ending","ends_at":"2026-11-23T18:30:00Z","conversations":[{"id":"c","visitor_name":"Ann","visitor_number":4},{"id":"c2","visitor_name":""}]}`},
		{ShiftEnded{}, `{"type":"shift.ended"}`},
		{ForceLogout{}, `{"type":"force_logout"}`},
		{OfflineMessage{Message: json.RawMessage(`{"id":"om"}`), Unread: &three}, `{"type":"offline.message","message":{"id":"om"},"unread":3}`},
		{OfflineMessage{Message: json.RawMessage(`{"id":"om"}`)}, `{"type":"offline.message","message":{"id":"om"}}`},
		{OfflineState{SiteID: "s", ID: "om", State: "read", Unread: &three}, `{"type":"offline.state","site_id":"s","id":"om","state":"read","unread":3}`},
	} {
		b := Encode(c.f)
		if string(b) != c.want {
			t.Errorf("%T encodes as\n %s\nwant\n %s", c.f, b, c.want)
		}
		var typ struct{ Type string }
		if err := json.Unmarshal(b, &typ); err != nil || typ.Type != c.f.FrameType() {
			t.Errorf("%T: type %q, want %q (%v)", c.f, typ.Type, c.f.FrameType(), err)
		}
		back := reflect.New(reflect.TypeOf(c.f))
		if err := json.Unmarshal(b, back.Interface()); err != nil {
			t.Errorf("%T: %v", c.f, err)
			continue
		}
		if got := back.Elem().Interface(); !reflect.DeepEqual(got, c.f) {
			t.Errorf("%T: round trip gives %#v, want %#v", c.f, got, c.f)
		}
	}
}

// A welcome built without departments still says departments: [] on the wire, so
// the widget never meets null there.
func TestVisitorWelcomeDepartmentsNeverNull(t *testing.T) {
	b := Encode(VisitorWelcome{Now: at, OfflineForm: OfflineForm{Fields: []FormField{}}})
	if !strings.HasSuffix(string(b), `,"conversation":null,"departments":[]}`) {
		t.Fatalf("welcome without departments encodes as %s", b)
	}
}
