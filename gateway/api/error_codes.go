package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/livedesk/gateway/protocol"
	"github.com/livedesk/gateway/store"
)

// errorCode is what a client is told of one kind of error: its wire code, and the
// HTTP API's status, field and message, and a socket's message.
type errorCode struct {
	err    error
	code   string
	status int
	field  string
	api    string
	socket string // "": not a socket's error, a socket answers internal
}

// errorCodes maps the errors of the store (and of a bounded wait) to their wire
// codes: the one table the HTTP API (storeError) and the sockets (SocketError)
// answer from; the first row err matches wins. An error no row takes is internal,
// and logged.
var errorCodes = []errorCode{
	{store.ErrNotFound, protocol.CodeNotFound, http.StatusNotFound, "", "record not found", "not found"},
	{store.ErrLastOwner, protocol.CodeConflict, http.StatusConflict, "role", "the last owner cannot be removed or demoted", ""},
	{store.ErrConflict, protocol.CodeConflict, http.StatusConflict, "email", "an agent with this e-mail already exists", ""},
	{store.ErrUnavailable, protocol.CodeUnavailable, http.StatusServiceUnavailable, "", "the store cannot take this now: retry", "the store cannot take this now: retry"},
	{context.DeadlineExceeded, protocol.CodeUnavailable, http.StatusServiceUnavailable, "", "request cancelled", "the store cannot take this now: retry"},
	{context.Canceled, protocol.CodeUnavailable, http.StatusServiceUnavailable, "", "request cancelled", ""},
}

// codeOf is the row of errorCodes err matches, on a socket (socket) or the API.
func codeOf(err error, socket bool) (errorCode, bool) {
	for _, c := range errorCodes {
		if errors.Is(err, c.err) && (!socket || c.socket != "") {
			return c, true
		}
	}
	return errorCode{}, false
}

// SocketError is the error frame a socket answers for err when a row of errorCodes
// takes it on a socket; false: the error is internal (the caller logs it).
func SocketError(err error) (*protocol.Error, bool) {
	if c, ok := codeOf(err, true); ok {
		return &protocol.Error{Code: c.code, Message: c.socket}, true
	}
	return nil, false
}
