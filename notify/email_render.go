package notify

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// MessageIDDomain is the right-hand side of the Message-ID of every notification.
const MessageIDDomain = "livedesk"

// emailTimeLayout shows a time in the site's zone with the zone's abbreviation.
const emailTimeLayout = "Mon 2 Jan 2006 15:04 MST"

// subjectNameLimit bounds, in characters, a visitor or agent name in a subject.
const subjectNameLimit = 80

// RenderEmail renders the e-mail that announces an event: typ is the event type
// and data its *OfflineMessageData, *ConversationData or *StatusChangedData
// (anything else, a mismatch or a nil pointer is an error). The result has no
// recipients (the caller sets To), Date createdAt and Message-ID
// "<eventID>@livedesk", so every attempt at the same event renders the same e-mail.
// Times are shown in the site's time zone (UTC when it does not load) with the
// zone's abbreviation, e.g. "Wed 2 Dec 2026 16:59 CET".
func RenderEmail(eventID, typ string, createdAt time.Time, data any) (*Email, error) {
	if eventID == "" {
		return nil, errors.New("render email: empty event id")
	}
	e := &Email{MessageID: eventID + "@" + MessageIDDomain, Date: createdAt}
	if err := checkMessageID(e.MessageID); err != nil {
		return nil, fmt.Errorf("render email: event id %q: %w", eventID, err)
	}
	var ok bool
	var want string
	switch typ {
	case TypeOfflineMessage:
		want = "*OfflineMessageData"
		var d *OfflineMessageData
		if d, ok = data.(*OfflineMessageData); ok && d != nil {
			renderOfflineMessage(e, d, createdAt)
		}
	case TypeConversation:
		want = "*ConversationData"
		var d *ConversationData
		if d, ok = data.(*ConversationData); ok && d != nil {
			renderConversation(e, d)
		}
	case TypeStatusChanged:
		want = "*StatusChangedData"
		var d *StatusChangedData
		if d, ok = data.(*StatusChangedData); ok && d != nil {
			renderStatusChanged(e, d)
		}
	default:
		return nil, fmt.Errorf("render email: unknown event type %q", typ)
	}
	if !ok || e.Subject == "" {
		return nil, fmt.Errorf("render email: %s wants a non-nil %s, got %T", typ, want, data)
	}
	return e, nil
}

func renderOfflineMessage(e *Email, d *OfflineMessageData, createdAt time.Time) {
	m := d.Message
	loc := siteLocation(d.Site)
	from := firstNonEmpty(m.Name, m.Email, "a visitor")
	e.Subject = sitePrefix(d.Site) + "Offline message from " + shorten(from, subjectNameLimit)
	e.ReplyTo, e.ReplyToName = strings.TrimSpace(m.Email), strings.TrimSpace(m.Name)

	var b strings.Builder
	text := strings.TrimRight(normalizeNewlines(m.Message), " \n")
	if strings.TrimSpace(text) == "" {
		text = "(no message)"
	}
	b.WriteString(text)
	b.WriteString("\n\n")
	writeField(&b, "Name", m.Name)
	writeField(&b, "E-mail", m.Email)
	keys := make([]string, 0, len(m.Fields))
	for k := range m.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		writeField(&b, k, m.Fields[k])
	}
	writeField(&b, "Page", m.Page)
	writeField(&b, "Language", m.Lang)
	writeField(&b, "Visitor time zone", m.Timezone)
	received := m.CreatedAt
	if received.IsZero() {
		received = createdAt
	}
	writeField(&b, "Received", formatSiteTime(received, loc))
	if e.ReplyTo != "" {
		b.WriteString("\nReply to this e-mail to answer the visitor.\n")
	}
	e.Text = b.String()
}

func renderConversation(e *Email, d *ConversationData) {
	c := d.Conversation
	loc := siteLocation(d.Site)
	visitor := firstNonEmpty(c.VisitorName, c.VisitorEmail, "Visitor")
	agent := firstNonEmpty(c.AgentName, "no agent")
	e.Subject = sitePrefix(d.Site) + "Chat transcript: " + shorten(visitor, subjectNameLimit) + " with " + shorten(agent, subjectNameLimit)
	e.ReplyTo, e.ReplyToName = strings.TrimSpace(c.VisitorEmail), strings.TrimSpace(c.VisitorName)

	var b strings.Builder
	who := oneLine(c.VisitorName)
	if email := oneLine(c.VisitorEmail); email != "" && who != "" {
		who += " <" + email + ">"
	} else if email != "" {
		who = email
	}
	writeField(&b, "Visitor", firstNonEmpty(who, "anonymous"))
	writeField(&b, "Agent", c.AgentName)
	writeField(&b, "Page", c.Page)
	writeField(&b, "Started", formatSiteTime(c.CreatedAt, loc))
	assigned := "never"
	if c.AssignedAt != nil {
		assigned = formatSiteTime(*c.AssignedAt, loc)
	}
	writeField(&b, "Assigned", assigned)
	ended := formatSiteTime(c.EndedAt, loc)
	if by := endedByWords(c); by != "" {
		ended += " by " + by
	}
	writeField(&b, "Ended", ended)
	b.WriteString("\n")

	if len(d.Transcript) == 0 {
		b.WriteString("(no messages)\n")
	}
	day := c.CreatedAt.In(loc).Format("2006-01-02")
	for _, l := range d.Transcript {
		at := l.At.In(loc)
		if dd := at.Format("2006-01-02"); dd != day {
			day = dd
			b.WriteString("-- " + at.Format("Mon 2 Jan 2006") + " --\n")
		}
		writeTranscriptLine(&b, at.Format("15:04"), transcriptSpeaker(l, c), l.Text)
	}
	e.Text = b.String()
}

// transcriptSpeaker names who wrote a transcript line.
func transcriptSpeaker(l TranscriptLine, c Conversation) string {
	switch l.From {
	case "visitor":
		if name := strings.TrimSpace(c.VisitorName); name != "" {
			return name + " (visitor)"
		}
		return "visitor"
	case "agent":
		return firstNonEmpty(l.AgentName, c.AgentName, "agent")
	case "system":
		return "system"
	}
	return firstNonEmpty(l.From, "unknown")
}

// writeTranscriptLine writes "15:04 speaker: text", continuation lines indented
// under the text's start.
func writeTranscriptLine(b *strings.Builder, clock, speaker, text string) {
	lines := strings.Split(strings.TrimRight(normalizeNewlines(text), " \n"), "\n")
	b.WriteString(clock + " " + oneLine(speaker) + ": " + lines[0] + "\n")
	indent := strings.Repeat(" ", len(clock)+1)
	for _, l := range lines[1:] {
		if strings.TrimSpace(l) == "" {
			b.WriteString("\n")
			continue
		}
		b.WriteString(indent + l + "\n")
	}
}

func endedByWords(c Conversation) string {
	switch c.EndedBy {
	case "":
		return ""
	case "visitor":
		return "the visitor"
	case "agent":
		if name := strings.TrimSpace(c.AgentName); name != "" {
			return name + " (agent)"
		}
		return "the agent"
	case "system":
		return "the system"
	}
	return c.EndedBy
}

func renderStatusChanged(e *Email, d *StatusChangedData) {
	loc := siteLocation(d.Site)
	st := d.Status
	e.Subject = sitePrefix(d.Site) + "Chat is now " + statusShort(st)

	var b strings.Builder
	state := "offline"
	if st.Online {
		state = "online"
	}
	b.WriteString("The chat on " + firstNonEmpty(d.Site.Name, d.Site.ID, "your site") + " is now " + state)
	if !st.Online && reasonWords(st.Reason) != "" {
		b.WriteString(": " + reasonWords(st.Reason))
	}
	b.WriteString(".\n\n")
	writeField(&b, "Status", state)
	writeField(&b, "Reason", reasonWords(st.Reason))
	since := d.Since
	if since.IsZero() && st.Since != nil {
		since = *st.Since
	}
	if !since.IsZero() {
		writeField(&b, "Since", formatSiteTime(since, loc))
	}
	if p := d.Previous; p != nil {
		prev := statusShort(*p)
		if p.Since != nil && !p.Since.IsZero() {
			prev += " since " + formatSiteTime(*p.Since, loc)
		}
		writeField(&b, "Previous status", prev)
	}
	if d.AfterSeconds > 0 {
		writeField(&b, "Held for", plural(d.AfterSeconds, "second")+" before this alert")
	}
	if st.OpensAt != nil && !st.OpensAt.IsZero() {
		writeField(&b, "Next opening", formatSiteTime(*st.OpensAt, loc))
	}
	if st.ClosesAt != nil && !st.ClosesAt.IsZero() {
		writeField(&b, "Next closing", formatSiteTime(*st.ClosesAt, loc))
	}
	e.Text = b.String()
}

// statusShort is "online", "offline" or "offline (reason)".
func statusShort(s Status) string {
	if s.Online {
		return "online"
	}
	switch s.Reason {
	case "", "open":
		return "offline"
	case "outside_hours":
		return "offline (outside hours)"
	case "no_agents":
		return "offline (no agents)"
	}
	return "offline (" + strings.ReplaceAll(oneLine(s.Reason), "_", " ") + ")"
}

// reasonWords explains a status reason (docs/protocol.md#status) in a sentence.
func reasonWords(reason string) string {
	switch reason {
	case "open":
		return "within opening hours and agents are available"
	case "outside_hours":
		return "outside opening hours"
	case "no_agents":
		return "no agent is available"
	case "paused":
		return "the site is paused (mode offline)"
	case "":
		return ""
	}
	return strings.ReplaceAll(reason, "_", " ")
}

// siteLocation loads the site's zone, falling back to UTC.
func siteLocation(s SiteRef) *time.Location {
	if s.Timezone == "" || s.Timezone == "Local" {
		return time.UTC
	}
	loc, err := time.LoadLocation(s.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

func formatSiteTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.In(loc).Format(emailTimeLayout)
}

// sitePrefix is "[Site name] " (the id when the site has no name).
func sitePrefix(s SiteRef) string {
	name := firstNonEmpty(s.Name, s.ID)
	if name == "" {
		return ""
	}
	return "[" + oneLine(name) + "] "
}

// writeField writes "label: value" unless value is blank; the lines of a
// multi-line value after the first are indented so they cannot pass for fields.
func writeField(b *strings.Builder, label, value string) {
	value = strings.TrimSpace(normalizeNewlines(value))
	if value == "" {
		return
	}
	for i, line := range strings.Split(value, "\n") {
		line = strings.TrimRight(line, " \t")
		switch {
		case i == 0:
			b.WriteString(oneLine(label) + ": " + line)
		case line != "":
			b.WriteString("  " + line)
		}
		b.WriteString("\n")
	}
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = oneLine(s); s != "" {
			return s
		}
	}
	return ""
}

// oneLine trims s and turns its line breaks into spaces.
func oneLine(s string) string {
	return strings.TrimSpace(strings.Join(strings.Fields(normalizeNewlines(s)), " "))
}

func normalizeNewlines(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// shorten cuts s to at most n characters, marking a cut with "…".
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
