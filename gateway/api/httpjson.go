package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/livedesk/gateway/protocol"
	"github.com/livedesk/gateway/store"
)

// MaxBodyBytes bounds every API request body.
const MaxBodyBytes = 1 << 20

// APIError is an error that knows its HTTP status, its code and the JSON path of the
// field at fault. Handlers return it; WriteError renders it as
// {"error":{"code","message","field","errors"}}.
type APIError struct {
	Status  int
	Code    string
	Message string
	Field   string
	// Errors, when set, lists every problem of the input at once, the one that
	// Message and Field describe first (docs/protocol.md#every-validation-error).
	Errors []FieldProblem
}

// FieldProblem is one problem of a request's input: the JSON path of the field at
// fault (empty for the document as a whole), a code of the table in
// docs/protocol.md#http-api, and a message for people.
type FieldProblem struct {
	Path    string `json:"path"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Error is the message, prefixed with the field at fault when there is one.
func (e *APIError) Error() string {
	if e.Field != "" {
		return e.Field + ": " + e.Message
	}
	return e.Message
}

func badRequest(field, format string, args ...any) *APIError {
	return &APIError{Status: http.StatusBadRequest, Code: protocol.CodeBadRequest, Message: fmt.Sprintf(format, args...), Field: field}
}

// Forbidden is a 403 (forbidden) naming the field at fault, if any.
func Forbidden(field, msg string) *APIError {
	return &APIError{Status: http.StatusForbidden, Code: protocol.CodeForbidden, Message: msg, Field: field}
}

// NotFound is a 404 (not_found) saying that what was not found.
func NotFound(what string) *APIError {
	return &APIError{Status: http.StatusNotFound, Code: protocol.CodeNotFound, Message: what + " not found"}
}

func conflict(field, msg string) *APIError {
	return &APIError{Status: http.StatusConflict, Code: protocol.CodeConflict, Message: msg, Field: field}
}

func unauthorized(msg string) *APIError {
	return &APIError{Status: http.StatusUnauthorized, Code: protocol.CodeUnauth, Message: msg}
}

// prefixField puts a parent path in front of an APIError's field ("notify" + "emails[0]").
func prefixField(parent string, err error) error {
	var ae *APIError
	if errors.As(err, &ae) {
		c := *ae
		switch {
		case c.Field == "":
			c.Field = parent
		case strings.HasPrefix(c.Field, "["):
			c.Field = parent + c.Field
		default:
			c.Field = parent + "." + c.Field
		}
		return &c
	}
	return err
}

// writePage answers one page of a list, newest first: {key: items as view shows them,
// next_before: the id to pass as ?before= for the next page, null when this page was
// not full}.
func writePage[T, V any](w http.ResponseWriter, key string, items []T, limit int, view func(T) V, id func(T) string) {
	out := make([]V, 0, len(items))
	for _, it := range items {
		out = append(out, view(it))
	}
	var next *string
	if len(items) == limit && len(items) > 0 {
		last := id(items[len(items)-1])
		next = &last
	}
	WriteJSON(w, http.StatusOK, map[string]any{key: out, "next_before": next})
}

// WriteJSON answers status with v as JSON (nothing when v is nil), never cached.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if v != nil {
		_ = json.NewEncoder(w).Encode(v)
	}
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	// Errors is APIError.Errors; omitted by errors that do not list their problems.
	Errors []FieldProblem `json:"errors,omitempty"`
}

// WriteError renders err; anything that is not an *APIError is a 500 whose detail
// stays in the log, not in the answer.
func (h *Handler) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *APIError
	if !errors.As(err, &ae) {
		ae = h.storeError(r, err)
	}
	if ae.Status == http.StatusTooManyRequests && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", "60")
	}
	WriteJSON(w, ae.Status, errorBody{Error: errorDetail{Code: ae.Code, Message: ae.Message, Field: ae.Field, Errors: ae.Errors}})
}

// decodeObject reads a JSON object body into a map of raw fields, so handlers know
// which fields were sent and can name the one at fault.
func decodeObject(r *http.Request) (map[string]json.RawMessage, error) {
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	return parseObject(body, "")
}

// parseObject decodes data as a JSON object; path names it in errors.
func parseObject(data []byte, path string) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil || m == nil {
		if len(strings.TrimSpace(string(data))) == 0 {
			return nil, badRequest(path, "a JSON object is required")
		}
		if err == nil {
			return nil, badRequest(path, "must be a JSON object, not null")
		}
		return nil, badRequest(path, "must be a JSON object: %s", protocol.JSONErrorText(err))
	}
	return m, nil
}

// field decodes one raw field into v, naming it on error.
func field(raw json.RawMessage, name string, v any) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return badRequest(name, "%s", protocol.JSONErrorText(err))
	}
	return nil
}

// rejectUnknown returns an error naming the first field of m that is not in allowed
// (read-only fields a client may echo back are passed in ignore).
func rejectUnknown(m map[string]json.RawMessage, prefix string, allowed []string, ignore ...string) error {
	known := make(map[string]bool, len(allowed)+len(ignore))
	for _, a := range allowed {
		known[a] = true
	}
	for _, a := range ignore {
		known[a] = true
	}
	var bad []string
	for k := range m {
		if !known[k] {
			bad = append(bad, k)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	first := bad[0]
	for _, b := range bad[1:] {
		if b < first {
			first = b
		}
	}
	name := first
	if prefix != "" {
		name = prefix + "." + first
	}
	return badRequest(name, "unknown field")
}

// readBody reads a request body of at most MaxBodyBytes.
func readBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &APIError{Status: http.StatusRequestEntityTooLarge, Code: protocol.CodeBadRequest, Message: fmt.Sprintf("body larger than %d bytes", MaxBodyBytes)}
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return nil, &APIError{Status: http.StatusRequestTimeout, Code: protocol.CodeBadRequest, Message: "the request body did not arrive in time"}
		}
		return nil, badRequest("", "cannot read body: %v", err)
	}
	return body, nil
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// queryLimit reads ?limit= (1 to 500); def when absent.
func queryLimit(r *http.Request, def int) (int, error) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 500 {
		return 0, badRequest("limit", "must be a whole number from 1 to 500")
	}
	return n, nil
}
