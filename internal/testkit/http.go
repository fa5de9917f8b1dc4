package testkit

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Response is an HTTP answer, read whole.
type Response struct {
	Code int
	Body []byte
	Hdr  http.Header
}

// JSON decodes the answer as a JSON object; a body that is not one fails the test.
func (r Response) JSON(tb testing.TB) map[string]any {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		tb.Fatalf("answer is not a JSON object: %v: %s", err, r.Body)
	}
	return m
}

// slowClient is Do's client when none is given: bcrypt under -race on a busy 2-core
// box takes seconds.
var slowClient = &http.Client{Timeout: 60 * time.Second}

// Do sends a request through c (nil: a client with a 60 s timeout) with an optional
// bearer token and body: a string is sent as it is, any other non-nil value as JSON
// (with Content-Type application/json). It reads the whole answer; a request that
// cannot be made or sent fails the test.
func Do(tb testing.TB, c *http.Client, method, url, token string, body any) Response {
	tb.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			tb.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c == nil {
		c = slowClient
	}
	resp, err := c.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return Response{Code: resp.StatusCode, Body: data, Hdr: resp.Header}
}

// DoJSON is Do with the default client, returning the status and the answer's JSON
// object (nil when the body is not one).
func DoJSON(tb testing.TB, method, url, token string, body any) (int, map[string]any) {
	tb.Helper()
	r := Do(tb, nil, method, url, token, body)
	var m map[string]any
	_ = json.Unmarshal(r.Body, &m)
	return r.Code, m
}
