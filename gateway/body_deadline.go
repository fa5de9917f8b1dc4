package gateway

import (
	"errors"
	"io"
	"net/http"
	"time"
)

// DefaultBodyReadTimeout bounds how long a request may take to send its body, from
// the end of its headers (docs/operations.md#request-bodies). http.Server's
// ReadTimeout cannot be used: it would cut the WebSockets too.
const DefaultBodyReadTimeout = 10 * time.Second

// withBodyDeadline gives every request that has a body d to send it: the connection
// gets a read deadline, so a client that sends one byte a second is cut off
// (readBody answers 408 and the connection is closed) instead of holding it and a
// goroutine. The deadline is lifted once the body has been read to its end, so a
// slow handler is not cut short; a request without a body has nothing to wait for
// (its headers are bounded by the server's ReadHeaderTimeout). A WebSocket lifts
// it when it takes the connection over (smallBuffers.Hijack). d is real time:
// network deadlines do not follow the fake clock.
func withBodyDeadline(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		rc := http.NewResponseController(w)
		if err := rc.SetReadDeadline(time.Now().Add(d)); err != nil {
			next.ServeHTTP(w, r) // a writer without deadlines (a test's recorder)
			return
		}
		// A copy: net/http keeps the original request's body to drain or refuse
		// what the handler left unread.
		r2 := r.WithContext(r.Context())
		r2.Body = &deadlineBody{ReadCloser: r.Body, rc: rc}
		next.ServeHTTP(w, r2)
	})
}

// deadlineBody clears the connection's read deadline when the body ends.
type deadlineBody struct {
	io.ReadCloser
	rc   *http.ResponseController
	done bool
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if errors.Is(err, io.EOF) && !b.done {
		b.done = true
		_ = b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}
