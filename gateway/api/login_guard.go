package api

import (
	"net/http"
	"time"

	"github.com/livedesk/gateway/protocol"
)

// loginGuard limits failed logins so that guessing is slow and nobody can lock an
// account out (docs/operations.md#login-limits). Only failures count; a login that
// succeeds costs nothing.
//
//   - byAddr: the failures of an address, for any account. Its attempts in flight
//     hold a token each until they end, so a burst of parallel guesses is bounded
//     too. An address out of tokens is refused.
//   - byAccount: the failures for an account, from anywhere. An account out of tokens
//     is "under attack": it is then refused only to the addresses that have
//     themselves failed for it (pairs), and every other address gets one attempt
//     in flight for it at a time. So its owner, from an address that has not
//     failed, always has the password checked.
//   - pairs: the failures of an address for an account, remembered for
//     loginPairMemory.
type loginGuard struct {
	byAddr    *keyedLimiter
	byAccount *keyedLimiter
	pairs     *keyedLimiter
}

// Login limits: failures allowed at once, then per minute.
const (
	loginAddrBurst, loginAddrPerMinute = 10, 20
	// LoginAccountBurst is how many failed logins one account takes before it is
	// refused (refilling loginAccountPerMinute a minute).
	LoginAccountBurst, loginAccountPerMinute = 5, 5
	// loginPairMemory is how long an address that failed for an account stays
	// refused for it while the account is under attack.
	loginPairMemory = 15 * time.Minute
)

func newLoginGuard() *loginGuard {
	pairs := newKeyedLimiter(float64(time.Minute)/float64(loginPairMemory), 1)
	pairs.idleTTL = loginPairMemory
	return &loginGuard{byAddr: newKeyedLimiter(loginAddrPerMinute, loginAddrBurst),
		byAccount: newKeyedLimiter(loginAccountPerMinute, LoginAccountBurst), pairs: pairs}
}

// errLoginsLimited is the answer to a refused attempt.
var errLoginsLimited = &APIError{Status: http.StatusTooManyRequests, Code: protocol.CodeRateLimited, Message: "too many failed logins: wait a minute"}

// begin admits one attempt from addr for account (a lower-cased e-mail) at now, or
// refuses it with errLoginsLimited. An admitted attempt must be ended with done and
// its outcome: ok gives back what it held (a success, or a failure that was not the
// caller's), !ok counts a failure on the address, the account and the pair.
func (g *loginGuard) begin(addr, account string, now time.Time) (done func(ok bool, now time.Time), err *APIError) {
	heldAddr, ok := g.byAddr.hold(addr, now)
	if !ok {
		return nil, errLoginsLimited
	}
	pair := addr + "\x00" + account
	var heldPair *limiterEntry
	if g.byAccount.exhausted(account, now) {
		if heldPair, ok = g.pairs.hold(pair, now); !ok {
			g.byAddr.end(heldAddr, false, now)
			return nil, errLoginsLimited
		}
	}
	return func(ok bool, now time.Time) {
		g.byAddr.end(heldAddr, !ok, now)
		switch {
		case heldPair != nil:
			g.pairs.end(heldPair, !ok, now)
		case !ok:
			g.pairs.fail(pair, now)
		}
		if !ok {
			g.byAccount.fail(account, now)
		}
	}, nil
}
