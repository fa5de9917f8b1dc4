package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/livedesk/gateway/protocol"
	"github.com/livedesk/gateway/routing/schedule"
)

// validOrigin accepts "scheme://host[:port]" with http or https and nothing else.
func validOrigin(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return errors.New("scheme must be http or https")
	}
	if u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return errors.New("must be scheme://host[:port] with nothing after")
	}
	return nil
}

// validWebhookURL accepts an absolute http(s) URL.
func validWebhookURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return errors.New("must be an http or https URL")
	}
	if u.Host == "" {
		return errors.New("must be an absolute URL with a host")
	}
	return nil
}

// stringField decodes a string and checks its length in characters.
func stringField(raw json.RawMessage, name string, minLen, maxLen int) (string, error) {
	var v string
	if err := field(raw, name, &v); err != nil {
		return "", err
	}
	v = strings.TrimSpace(v)
	n := utf8.RuneCountInString(v)
	if !utf8.ValidString(v) {
		return "", badRequest(name, "must be valid UTF-8")
	}
	if n < minLen {
		if minLen == 1 {
			return "", badRequest(name, "required")
		}
		return "", badRequest(name, "must be at least %d characters", minLen)
	}
	if n > maxLen {
		return "", badRequest(name, "must be at most %d characters", maxLen)
	}
	return v, nil
}

// intField decodes an integer within [lo, hi].
func intField(raw json.RawMessage, name string, lo, hi int) (int, error) {
	var v int
	if err := field(raw, name, &v); err != nil {
		return 0, err
	}
	if v < lo || v > hi {
		return 0, badRequest(name, "must be between %d and %d", lo, hi)
	}
	return v, nil
}

// emailList decodes a list of at most max valid addresses.
func emailList(raw json.RawMessage, name string, max int) ([]string, error) {
	var v []string
	if err := field(raw, name, &v); err != nil {
		return nil, err
	}
	if len(v) > max {
		return nil, badRequest(name, "at most %d addresses", max)
	}
	out := make([]string, 0, len(v))
	for i, e := range v {
		if !protocol.ValidEmail(e) {
			return nil, badRequest(fmt.Sprintf("%s[%d]", name, i), "not a valid e-mail address")
		}
		out = append(out, e)
	}
	return out, nil
}

// scheduleField parses a schedule and prefixes the JSON path of a bad field. An
// invalid schedule is a 400 naming its first problem in Field and Message, with every
// problem in Errors (docs/protocol.md#every-validation-error).
func scheduleField(raw json.RawMessage, prefix string) (schedule.Schedule, error) {
	sch, problems := schedule.ParseAll(raw)
	if len(problems) > 0 {
		return schedule.Schedule{}, scheduleProblems(problems, prefix)
	}
	return sch.Normalize(), nil
}

// scheduleProblems turns a schedule's problems into one 400, each path under prefix.
func scheduleProblems(problems []*schedule.Error, prefix string) *APIError {
	list := make([]FieldProblem, len(problems))
	for i, p := range problems {
		path := p.Path
		switch {
		case prefix == "":
		case path == "":
			path = prefix
		default:
			path = prefix + "." + path
		}
		list[i] = FieldProblem{Path: path, Code: protocol.CodeBadRequest, Message: p.Message}
	}
	return &APIError{Status: http.StatusBadRequest, Code: protocol.CodeBadRequest, Message: list[0].Message, Field: list[0].Path, Errors: list}
}
