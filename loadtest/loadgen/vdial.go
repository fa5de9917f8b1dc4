package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/livedesk/gateway/protocol"
)

// visitorFrame is the union of the server frames a visitor socket reads here.
type visitorFrame struct {
	Type         string           `json:"type"`
	Code         string           `json:"code"`
	Message      string           `json:"message"`
	VisitorID    string           `json:"visitor_id"`
	VisitorToken string           `json:"visitor_token"`
	Status       *protocol.Status `json:"status"`
	Conversation *struct {
		Messages []struct {
			Seq int64 `json:"seq"`
		} `json:"messages"`
	} `json:"conversation"`
}

// lastSeq is the highest message seq a welcome carried (0 without a conversation).
func (f *visitorFrame) lastSeq() int64 {
	var n int64
	if f.Conversation != nil {
		for _, m := range f.Conversation.Messages {
			n = max(n, m.Seq)
		}
	}
	return n
}

// helloError is an error frame answering hello, with the close code that followed.
type helloError struct {
	code  string
	close int
}

func (e *helloError) Error() string {
	return fmt.Sprintf("hello: error %s (close %d)", e.code, e.close)
}

// dialVisitor opens a visitor socket from source address src (nil: the system's
// choice), sends hello and waits for welcome, within timeout.
func dialVisitor(ctx context.Context, u string, src net.IP, hello map[string]any, timeout time.Duration) (*wsConn, *visitorFrame, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c, err := dialWS(ctx, u, src)
	if err != nil {
		return nil, nil, err
	}
	w, err := c.hello(hello)
	if err != nil {
		c.closeNow()
		if ctx.Err() != nil && closeCode(err) == -1 {
			return nil, nil, ctx.Err()
		}
		return nil, nil, err
	}
	c.setDeadline(time.Time{})
	return c, w, nil
}

// hello sends hello and reads until welcome; an error frame is returned as a
// *helloError with the close code that followed it.
func (c *wsConn) hello(hello map[string]any) (*visitorFrame, error) {
	b, err := json.Marshal(hello)
	if err != nil {
		return nil, err
	}
	if err := c.writeText(b); err != nil {
		return nil, err
	}
	for {
		b, err := c.readMessage()
		if err != nil {
			return nil, err
		}
		var f visitorFrame
		if json.Unmarshal(b, &f) != nil {
			continue
		}
		switch f.Type {
		case "welcome":
			return &f, nil
		case "error":
			he := &helloError{code: f.Code, close: -1}
			// The close that follows says whether to retry (1013) or not.
			c.setDeadline(time.Now().Add(time.Second))
			for {
				if _, err := c.readMessage(); err != nil {
					he.close = closeCode(err)
					return nil, he
				}
			}
		}
	}
}

// failReason turns a connect error into a short, countable reason.
func failReason(err error) string {
	var he *helloError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &he):
		return fmt.Sprintf("hello error %s, close %d", he.code, he.close)
	case closeCode(err) != -1:
		return fmt.Sprintf("close %d", closeCode(err))
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, syscall.EADDRNOTAVAIL), errors.Is(err, syscall.EADDRINUSE):
		return "no local port (source address exhausted)"
	case errors.Is(err, syscall.EMFILE), errors.Is(err, syscall.ENFILE):
		return "too many open files (load generator)"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	}
	var se *wsStatusError
	if errors.As(err, &se) {
		return fmt.Sprintf("http %d", se.status)
	}
	msg := err.Error()
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "connection closed (EOF)"
	}
	if len(msg) > 80 {
		msg = msg[:80]
	}
	return "other: " + msg
}

// retryable says whether the widget would reconnect after this failure: anything
// but a refusal of the identity or the site.
func retryable(err error) bool {
	var he *helloError
	if errors.As(err, &he) {
		return he.code == "unavailable" || he.close == 1013
	}
	return !errors.Is(err, context.Canceled)
}
