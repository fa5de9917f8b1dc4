package notify

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"
	"unicode"
)

// headerLineLimit is where header lines are folded when a space allows it (RFC 5322
// §2.1.1 recommends 78 characters).
const headerLineLimit = 78

// buildMessage renders e as an RFC 5322 message from from, with CRLF line endings:
// From, To, Reply-To (when e.ReplyTo parses as an address), Subject, Date,
// Message-ID (when e.MessageID is set), MIME-Version, Content-Type,
// Content-Transfer-Encoding and Auto-Submitted, then the quoted-printable text.
//
// Every header value is cleaned of CR, LF and other control characters before it
// is written, and non-ASCII text goes in RFC 2047 encoded words, so no value can
// start a header of its own. A Reply-To that does not parse as an e-mail address
// is left out rather than failing the message (a visitor typed it). It returns the
// envelope recipients, the bare addresses of e.To; an unparsable recipient or
// Message-ID is an error (both are the gateway's own data).
func buildMessage(from *mail.Address, e *Email, now time.Time) (msg []byte, rcpts []string, err error) {
	if len(e.To) == 0 {
		return nil, nil, errors.New("no recipients")
	}
	to := make([]string, 0, len(e.To))
	rcpts = make([]string, 0, len(e.To))
	for _, raw := range e.To {
		a, err := parseBareAddress(raw)
		if err != nil {
			return nil, nil, fmt.Errorf("recipient %q: %w", cleanHeaderText(raw), err)
		}
		to = append(to, a.String())
		rcpts = append(rcpts, a.Address)
	}
	if e.MessageID != "" {
		if err := checkMessageID(e.MessageID); err != nil {
			return nil, nil, err
		}
	}
	date := e.Date
	if date.IsZero() {
		date = now
	}

	var b bytes.Buffer
	writeHeader(&b, "From", (&mail.Address{Name: cleanHeaderText(from.Name), Address: from.Address}).String())
	writeHeader(&b, "To", strings.Join(to, ", "))
	if a, err := parseBareAddress(e.ReplyTo); err == nil {
		a.Name = cleanHeaderText(e.ReplyToName)
		writeHeader(&b, "Reply-To", a.String())
	}
	writeHeader(&b, "Subject", encodeHeaderText(e.Subject))
	writeHeader(&b, "Date", date.Format(time.RFC1123Z))
	if e.MessageID != "" {
		writeHeader(&b, "Message-ID", "<"+e.MessageID+">")
	}
	writeHeader(&b, "MIME-Version", "1.0")
	writeHeader(&b, "Content-Type", "text/plain; charset=utf-8")
	writeHeader(&b, "Content-Transfer-Encoding", "quoted-printable")
	// RFC 3834: keeps vacation responders from answering a notification.
	writeHeader(&b, "Auto-Submitted", "auto-generated")
	b.WriteString("\r\n")

	qp := quotedprintable.NewWriter(&b)
	// Line breaks reach the writer as bare LF only: after a CR, quotedprintable
	// drops the LF that follows an encoded byte ("\r\xff\n" loses its "\n").
	text := strings.ToValidUTF8(e.Text, "\uFFFD")
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	if text != "" && !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	if _, err := qp.Write([]byte(text)); err != nil {
		return nil, nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, nil, err
	}
	return b.Bytes(), rcpts, nil
}

// parseBareAddress parses one e-mail address, with or without a display name, and
// keeps only the address.
func parseBareAddress(s string) (*mail.Address, error) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, errors.New("line break in address")
	}
	a, err := mail.ParseAddress(strings.TrimSpace(s))
	if err != nil {
		return nil, err
	}
	return &mail.Address{Address: a.Address}, nil
}

// checkMessageID accepts an id-left "@" id-right made of printable ASCII other than
// angle brackets, quotes and backslash (RFC 5322 §3.6.4, dot-atom form loosened).
func checkMessageID(id string) error {
	left, right, ok := strings.Cut(id, "@")
	if !ok || left == "" || right == "" || strings.Contains(right, "@") || len(id) > 250 {
		return fmt.Errorf("bad Message-ID %q: want left@right", cleanHeaderText(id))
	}
	for _, r := range id {
		if r <= ' ' || r > '~' || strings.ContainsRune(`<>"\()[],;:`, r) {
			return fmt.Errorf("bad Message-ID %q: character %q not allowed", cleanHeaderText(id), r)
		}
	}
	return nil
}

// cleanHeaderText makes s safe for a header value: invalid UTF-8 becomes U+FFFD,
// control characters (CR and LF included) become spaces, and the ends are trimmed.
func cleanHeaderText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// encodeHeaderText cleans s and, when it is not plain ASCII, encodes it as RFC 2047
// Q encoded words in UTF-8.
func encodeHeaderText(s string) string {
	return mime.QEncoding.Encode("utf-8", cleanHeaderText(s))
}

// writeHeader writes "name: value" CRLF, folding before a space whenever the line
// would pass headerLineLimit. Runs of blanks in value become one space; value must
// not hold CR or LF (callers clean it), and any that slipped through become spaces.
func writeHeader(b *bytes.Buffer, name, value string) {
	words := strings.FieldsFunc(value, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\r' || r == '\n'
	})
	b.WriteString(name)
	b.WriteString(":")
	lineLen := len(name) + 1
	for i, w := range words {
		if i > 0 && lineLen+1+len(w) > headerLineLimit {
			b.WriteString("\r\n")
			lineLen = 0
		}
		b.WriteByte(' ')
		b.WriteString(w)
		lineLen += 1 + len(w)
	}
	b.WriteString("\r\n")
}
