package bolt_test

import (
	"testing"

	"github.com/livedesk/gateway/store/storetest"
)

// The outbox and its indexes come back when the file is opened again.
func TestReopenKeepsOutbox(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	s := openT(t, dir)
	storetest.FillOutbox(t, ctx, s)
	must(t, s.Close())

	s = openT(t, dir)
	defer s.Close()
	storetest.CheckOutboxAfterRestart(t, ctx, s)
}
