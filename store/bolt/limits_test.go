package bolt_test

import (
	"testing"

	"github.com/livedesk/gateway/store/storetest"
)

// The list limits: a default for limit <= 0 and a cap for large ones.
func TestListLimits(t *testing.T) {
	s := openT(t, t.TempDir())
	defer s.Close()
	storetest.ListLimits(t, s)
}

// Agents without an e-mail are not indexed: several may exist, and none is found
// by the empty e-mail.
func TestAgentsWithoutEmail(t *testing.T) {
	s := openT(t, t.TempDir())
	defer s.Close()
	storetest.AgentsWithoutEmail(t, s)
}
