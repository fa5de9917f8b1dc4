// Package loginlimit limits failed logins per address and per account, so that
// guessing is slow and nobody can lock an account out (docs/operations.md#login-limits).
package loginlimit

import (
	"time"
)

// Guard limits failed logins so that guessing is slow and nobody can lock an
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
type Guard struct {
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

// NewGuard returns a Guard with the gateway's limits.
func NewGuard() *Guard {
	pairs := newKeyedLimiter(float64(time.Minute)/float64(loginPairMemory), 1)
	pairs.idleTTL = loginPairMemory
	return &Guard{byAddr: newKeyedLimiter(loginAddrPerMinute, loginAddrBurst),
		byAccount: newKeyedLimiter(loginAccountPerMinute, LoginAccountBurst), pairs: pairs}
}

// Begin admits one attempt from addr for account (a lower-cased e-mail) at now
// (ok), or refuses it (!ok: answer 429). An admitted attempt must be ended with done and
// its outcome: ok gives back what it held (a success, or a failure that was not the
// caller's), !ok counts a failure on the address, the account and the pair.
func (g *Guard) Begin(addr, account string, now time.Time) (done func(ok bool, now time.Time), admitted bool) {
	heldAddr, ok := g.byAddr.hold(addr, now)
	if !ok {
		return nil, false
	}
	pair := addr + "\x00" + account
	var heldPair *limiterEntry
	if g.byAccount.exhausted(account, now) {
		if heldPair, ok = g.pairs.hold(pair, now); !ok {
			g.byAddr.end(heldAddr, false, now)
			return nil, false
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
	}, true
}
