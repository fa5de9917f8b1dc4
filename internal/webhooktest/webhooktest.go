// Package webhooktest runs a real HTTP receiver for webhooks on a loopback port and
// keeps every POST it gets; it can refuse the first ones.
package webhooktest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// Request is one POST the receiver got, and the status it answered.
type Request struct {
	Header http.Header
	Body   []byte
	Status int
}

// Receiver is a running webhook receiver.
//
// Lock rule: mu guards reqs and fail.
type Receiver struct {
	URL string

	mu   sync.Mutex
	reqs []Request
	fail []int
	got  chan struct{}
}

// Start runs a receiver that answers 204 (after any failures queued with Fail) and
// stops it when the test ends.
func Start(t testing.TB) *Receiver {
	t.Helper()
	r := &Receiver{got: make(chan struct{}, 1)}
	srv := httptest.NewServer(http.HandlerFunc(r.serve))
	r.URL = srv.URL + "/hook"
	t.Cleanup(srv.Close)
	return r
}

// Fail makes the next requests get these statuses, one each, in order.
func (r *Receiver) Fail(statuses ...int) {
	r.mu.Lock()
	r.fail = append(r.fail, statuses...)
	r.mu.Unlock()
}

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	code := http.StatusNoContent
	if len(r.fail) > 0 {
		code, r.fail = r.fail[0], r.fail[1:]
	}
	r.reqs = append(r.reqs, Request{Header: req.Header.Clone(), Body: body, Status: code})
	r.mu.Unlock()
	select {
	case r.got <- struct{}{}:
	default:
	}
	if code >= 300 {
		http.Error(w, "receiver says no", code)
		return
	}
	w.WriteHeader(code)
}

// Requests returns a copy of every request so far.
func (r *Receiver) Requests() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Request(nil), r.reqs...)
}

// Wait returns once n requests arrived, or fails the test after timeout.
func (r *Receiver) Wait(t testing.TB, n int, timeout time.Duration) []Request {
	t.Helper()
	deadline := time.After(timeout)
	for {
		if got := r.Requests(); len(got) >= n {
			return got
		}
		select {
		case <-r.got:
		case <-deadline:
			t.Fatalf("webhooktest: %d requests within %s, want %d", len(r.Requests()), timeout, n)
		}
	}
}
