package api

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"testing"

	"go.uber.org/zap"

	"github.com/livedesk/gateway/protocol"
	"github.com/livedesk/gateway/routing"
	"github.com/livedesk/gateway/store"
)

// The HTTP API and the sockets answer the store's errors from the one table
// (errorCodes): the same wire code, except where a socket has no such error (it
// answers internal then).
func TestStoreErrorsAnswerFromOneTable(t *testing.T) {
	h := &Handler{log: zap.NewNop()}
	r := httptest.NewRequest("GET", "/api/v1/me", nil)
	for _, c := range []struct {
		err         error
		status      int
		api, socket string
	}{
		{fmt.Errorf("agent: %w", store.ErrNotFound), 404, protocol.CodeNotFound, protocol.CodeNotFound},
		{store.ErrLastOwner, 409, protocol.CodeConflict, protocol.CodeInternal},
		{store.ErrConflict, 409, protocol.CodeConflict, protocol.CodeInternal},
		{routing.ErrStartPending, 503, protocol.CodeUnavailable, protocol.CodeUnavailable},
		{context.DeadlineExceeded, 503, protocol.CodeUnavailable, protocol.CodeUnavailable},
		{context.Canceled, 503, protocol.CodeUnavailable, protocol.CodeInternal},
		{errors.New("boom"), 500, protocol.CodeInternal, protocol.CodeInternal},
	} {
		ae := h.storeError(r, c.err)
		if ae.Status != c.status || ae.Code != c.api || ae.Message == "" {
			t.Errorf("%v: API answers %d %s %q, want %d %s", c.err, ae.Status, ae.Code, ae.Message, c.status, c.api)
		}
		fe, ok := SocketError(c.err)
		if !ok {
			fe = &protocol.Error{Code: protocol.CodeInternal, Message: "internal error"}
		}
		if fe.Code != c.socket || fe.Message == "" {
			t.Errorf("%v: socket answers %s %q, want %s", c.err, fe.Code, fe.Message, c.socket)
		}
	}
}
