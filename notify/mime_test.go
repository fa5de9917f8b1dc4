package notify

import (
	"bytes"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"
)

var mimeTestDate = time.Date(2026, 12, 2, 16, 59, 7, 0, time.FixedZone("CET", 3600))

func TestBuildMessage(t *testing.T) {
	from := &mail.Address{Name: "Live Desk", Address: "desk@example.com"}
	base := func() *Email {
		return &Email{
			To:        []string{"team@example.com"},
			Subject:   "[Acme] Offline message from Ann",
			Text:      "Hello\nworld\n",
			MessageID: "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b@livedesk",
			Date:      mimeTestDate,
		}
	}
	tests := []struct {
		name    string
		edit    func(e *Email)
		want    string // the whole message
		wantErr string
	}{
		{
			name: "plain ASCII",
			edit: func(e *Email) {},
			want: "From: \"Live Desk\" <desk@example.com>\r\n" +
				"To: <team@example.com>\r\n" +
				"Subject: [Acme] Offline message from Ann\r\n" +
				"Date: Wed, 02 Dec 2026 16:59:07 +0100\r\n" +
				"Message-ID: <0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b@livedesk>\r\n" +
				"MIME-Version: 1.0\r\n" +
				"Content-Type: text/plain; charset=utf-8\r\n" +
				"Content-Transfer-Encoding: quoted-printable\r\n" +
				"Auto-Submitted: auto-generated\r\n" +
				"\r\n" +
				"Hello\r\nworld\r\n",
		},
		{
			name: "UTF-8 subject, reply-to with a name, several recipients, QP body",
			edit: func(e *Email) {
				e.To = []string{"a@example.com", "Boss <b@example.com>"}
				e.ReplyTo, e.ReplyToName = "zoe@example.org", "Zoë Ünal"
				e.Subject = "[Acme] Offline message from Zoë Ünal"
				e.Text = "Grüße = 10€ \r\nbye"
			},
			want: "From: \"Live Desk\" <desk@example.com>\r\n" +
				"To: <a@example.com>, <b@example.com>\r\n" +
				"Reply-To: =?utf-8?q?Zo=C3=AB_=C3=9Cnal?= <zoe@example.org>\r\n" +
				"Subject: =?utf-8?q?[Acme]_Offline_message_from_Zo=C3=AB_=C3=9Cnal?=\r\n" +
				"Date: Wed, 02 Dec 2026 16:59:07 +0100\r\n" +
				"Message-ID: <0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b@livedesk>\r\n" +
				"MIME-Version: 1.0\r\n" +
				"Content-Type: text/plain; charset=utf-8\r\n" +
				"Content-Transfer-Encoding: quoted-printable\r\n" +
				"Auto-Submitted: auto-generated\r\n" +
				"\r\n" +
				"Gr=C3=BC=C3=9Fe =3D 10=E2=82=AC=20\r\nbye\r\n",
		},
		{
			name: "CRLF in the reply-to name and the subject adds no header",
			edit: func(e *Email) {
				e.ReplyTo, e.ReplyToName = "ann@example.org", "Ann\r\nBcc: victim@example.net"
				e.Subject = "Hi\r\nX-Injected: yes\nContent-Type: text/html"
				e.Text = ""
			},
			want: "From: \"Live Desk\" <desk@example.com>\r\n" +
				"To: <team@example.com>\r\n" +
				"Reply-To: \"Ann Bcc: victim@example.net\" <ann@example.org>\r\n" +
				"Subject: Hi X-Injected: yes Content-Type: text/html\r\n" +
				"Date: Wed, 02 Dec 2026 16:59:07 +0100\r\n" +
				"Message-ID: <0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b@livedesk>\r\n" +
				"MIME-Version: 1.0\r\n" +
				"Content-Type: text/plain; charset=utf-8\r\n" +
				"Content-Transfer-Encoding: quoted-printable\r\n" +
				"Auto-Submitted: auto-generated\r\n" +
				"\r\n",
		},
		{
			name: "a reply-to address with a line break is left out",
			edit: func(e *Email) {
				e.ReplyTo, e.ReplyToName = "ann@example.org\r\nBcc: victim@example.net", "Ann"
				e.MessageID = ""
				e.Date = time.Time{}
				e.Text = "x"
			},
			want: "From: \"Live Desk\" <desk@example.com>\r\n" +
				"To: <team@example.com>\r\n" +
				"Subject: [Acme] Offline message from Ann\r\n" +
				"Date: Thu, 01 Jan 2026 00:00:00 +0000\r\n" +
				"MIME-Version: 1.0\r\n" +
				"Content-Type: text/plain; charset=utf-8\r\n" +
				"Content-Transfer-Encoding: quoted-printable\r\n" +
				"Auto-Submitted: auto-generated\r\n" +
				"\r\n" +
				"x\r\n",
		},
		{
			name: "long subjects fold at spaces",
			edit: func(e *Email) {
				e.Subject = strings.Repeat("word ", 20) + "end"
				e.Text = "."
			},
			want: "From: \"Live Desk\" <desk@example.com>\r\n" +
				"To: <team@example.com>\r\n" +
				"Subject: word word word word word word word word word word word word word word\r\n" +
				" word word word word word word end\r\n" +
				"Date: Wed, 02 Dec 2026 16:59:07 +0100\r\n" +
				"Message-ID: <0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b@livedesk>\r\n" +
				"MIME-Version: 1.0\r\n" +
				"Content-Type: text/plain; charset=utf-8\r\n" +
				"Content-Transfer-Encoding: quoted-printable\r\n" +
				"Auto-Submitted: auto-generated\r\n" +
				"\r\n" +
				".\r\n",
		},
		{name: "no recipients", edit: func(e *Email) { e.To = nil }, wantErr: "no recipients"},
		{name: "bad recipient", edit: func(e *Email) { e.To = []string{"ok@example.com", "not an address"} }, wantErr: `recipient "not an address"`},
		{name: "recipient with CRLF", edit: func(e *Email) { e.To = []string{"a@example.com\r\nBcc: x@example.net"} }, wantErr: "line break"},
		{name: "message id with a space", edit: func(e *Email) { e.MessageID = "a b@livedesk" }, wantErr: "bad Message-ID"},
		{name: "message id without @", edit: func(e *Email) { e.MessageID = "abc" }, wantErr: "bad Message-ID"},
		{name: "message id with brackets", edit: func(e *Email) { e.MessageID = "<a@b>" }, wantErr: "bad Message-ID"},
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := base()
			tt.edit(e)
			got, _, err := buildMessage(from, e, now)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("buildMessage error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Fatalf("buildMessage =\n%s\nwant\n%s", quoteLines(string(got)), quoteLines(tt.want))
			}
			checkWellFormed(t, got)
		})
	}
}

// checkWellFormed checks what every message must be: 7-bit and well structured.
func checkWellFormed(t *testing.T, msg []byte) {
	t.Helper()
	for i, line := range strings.Split(string(msg), "\r\n") {
		for _, c := range []byte(line) {
			if c >= 0x80 {
				t.Errorf("line %d %q is not 7-bit", i+1, line)
				break
			}
		}
	}
	checkStructure(t, msg)
}

// checkStructure checks CRLF line endings only, lines of at most 998 bytes, and
// that net/mail reads exactly the headers buildMessage writes, once each.
func checkStructure(t *testing.T, msg []byte) {
	t.Helper()
	for i, line := range strings.Split(string(msg), "\r\n") {
		if strings.ContainsAny(line, "\r\n") {
			t.Errorf("line %d %q holds a bare CR or LF", i+1, line)
		}
		if len(line) > 998 {
			t.Errorf("line %d is %d bytes long", i+1, len(line))
		}
	}
	m, err := mail.ReadMessage(bytes.NewReader(msg))
	if err != nil {
		t.Fatalf("net/mail cannot read the message: %v", err)
	}
	allowed := map[string]bool{"From": true, "To": true, "Reply-To": true, "Subject": true, "Date": true,
		"Message-Id": true, "Mime-Version": true, "Content-Type": true, "Content-Transfer-Encoding": true,
		"Auto-Submitted": true}
	for k, v := range m.Header {
		if !allowed[k] || len(v) != 1 {
			t.Errorf("unexpected header %s: %q", k, v)
		}
	}
}

func quoteLines(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r", `\r`), "\n", "\\n\n")
}

func TestBuildMessageRoundTrip(t *testing.T) {
	from := &mail.Address{Name: "Dësk", Address: "desk@example.com"}
	long := strings.Repeat("山田 ", 60)
	e := &Email{
		To:          []string{"a@example.com", "b@example.com"},
		ReplyTo:     "yamada@example.jp",
		ReplyToName: "山田 \"Taro\", (Sales)",
		Subject:     "[Acme] " + long,
		Text:        "line one\n\n.\n" + strings.Repeat("x", 200) + "\ntrailing space \nlast",
		MessageID:   "id-1@livedesk",
		Date:        mimeTestDate,
	}
	raw, rcpts, err := buildMessage(from, e, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rcpts, ",") != "a@example.com,b@example.com" {
		t.Errorf("rcpts = %q", rcpts)
	}
	checkWellFormed(t, raw)
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var dec mime.WordDecoder
	subject, err := dec.DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	if want := cleanHeaderText("[Acme] " + strings.Join(strings.Fields(long), " ")); subject != want {
		t.Errorf("Subject = %q, want %q", subject, want)
	}
	rt, err := m.Header.AddressList("Reply-To")
	if err != nil || len(rt) != 1 || rt[0].Name != e.ReplyToName || rt[0].Address != e.ReplyTo {
		t.Errorf("Reply-To = %v, %v; want %q <%s>", rt, err, e.ReplyToName, e.ReplyTo)
	}
	fromList, err := m.Header.AddressList("From")
	if err != nil || len(fromList) != 1 || fromList[0].Name != "Dësk" {
		t.Errorf("From = %v, %v", fromList, err)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.ReplaceAll(e.Text, "\n", "\r\n") + "\r\n"; string(body) != want {
		t.Errorf("body = %q, want %q", body, want)
	}
}

func TestCleanHeaderText(t *testing.T) {
	tests := map[string]string{
		"plain":                "plain",
		" a\r\nb\tc\x00d\x7f ": "a  b c d",
		"x\u2028y\u0085z":      "x y z",
		"bad \xff utf8":        "bad \uFFFD utf8",
		"Zoë Ünal 山田":          "Zoë Ünal 山田",
	}
	for in, want := range tests {
		if got := cleanHeaderText(in); got != want {
			t.Errorf("cleanHeaderText(%q) = %q, want %q", in, got, want)
		}
	}
}

// Whatever a visitor puts in the name, e-mail, subject or text, the message keeps
// its headers and its body decodes to the text.
func FuzzBuildMessage(f *testing.F) {
	f.Add("Ann\r\nBcc: x@example.net", "ann@example.org", "Hi\nX: y", "body\r\n.\r\n")
	f.Add("Zoë \"Ü\" (x)", "Ann <ann@example.org>", "=?utf-8?q?x?=", "=\n \n")
	f.Add("", "not an address", "", "")
	f.Add("", "", "", "000\r\xfb") // quotedprintable drops the LF after "\r" and an encoded byte
	f.Fuzz(func(t *testing.T, name, replyTo, subject, text string) {
		if len(name)+len(replyTo)+len(subject) > 400 {
			return // out of scope: single header words over 998 bytes are not folded
		}
		e := &Email{To: []string{"team@example.com"}, ReplyTo: replyTo, ReplyToName: name,
			Subject: subject, Text: text, MessageID: "x@livedesk", Date: mimeTestDate}
		raw, _, err := buildMessage(&mail.Address{Name: "Desk", Address: "desk@example.com"}, e, mimeTestDate)
		if err != nil {
			t.Fatal(err)
		}
		checkStructure(t, raw)
		m, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(quotedprintable.NewReader(m.Body))
		if err != nil {
			t.Fatal(err)
		}
		want := strings.ToValidUTF8(text, "\uFFFD")
		want = strings.ReplaceAll(strings.ReplaceAll(want, "\r\n", "\n"), "\r", "\n")
		if want != "" && !strings.HasSuffix(want, "\n") {
			want += "\n"
		}
		if got := strings.ReplaceAll(string(body), "\r\n", "\n"); got != want {
			t.Fatalf("body = %q, want %q", got, want)
		}
	})
}
