package webhooktest

import (
	"context"
	"errors"
	"net"
)

// HostsOnlyResolver returns a resolver that answers from /etc/hosts only ("localhost"
// is 127.0.0.1) and fails every other name at once without sending a DNS query, so
// tests that check webhook hosts stay on loopback.
func HostsOnlyResolver() *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("webhooktest: no DNS in tests")
	}}
}
