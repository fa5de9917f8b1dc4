package loginlimit

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// testStart is where the login limits' clock starts.
var testStart = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// loginStep is n attempts from addr for account, after the clock moved by after:
// each must be admitted (refused false) or refused, and an admitted one ends as
// "ok", "fail", or stays "open" (in flight) until an "end" step ends the oldest
// open one of the same pair as a success.
type loginStep struct {
	after   time.Duration
	n       int
	addr    string
	account string
	outcome string
	refused bool
}

func TestLoginGuard(t *testing.T) {
	const owner = "owner@example.com"
	many := func(n int, addr, account, outcome string, refused bool) loginStep {
		return loginStep{n: n, addr: addr, account: account, outcome: outcome, refused: refused}
	}
	one := func(addr, account, outcome string, refused bool) loginStep {
		return many(1, addr, account, outcome, refused)
	}
	later := func(d time.Duration, s loginStep) loginStep { s.after = d; return s }
	cases := []struct {
		name  string
		steps []loginStep
	}{
		{"nobody can lock the owner out", []loginStep{
			many(LoginAccountBurst, "A", owner, "fail", false),
			many(45, "A", owner, "fail", true), // the account is under attack and A failed for it
			one("A", "other@example.com", "fail", false),
			one("B", owner, "ok", false), // the owner, elsewhere, gets in
			one("B", owner, "ok", false),
		}},
		{"an account under attack refuses only the addresses that failed for it", []loginStep{
			one("A1", owner, "fail", false), one("A2", owner, "fail", false), one("A3", owner, "fail", false),
			one("A4", owner, "fail", false), one("A5", owner, "fail", false), // the account is out of failures
			one("A1", owner, "ok", true),    // even with the right password: A1 failed for it
			one("A6", owner, "fail", false), // a new address gets one try
			one("A6", owner, "ok", true),
			one("A1", "other@example.com", "ok", false), // A1 is not out of failures for other accounts
			one("B", owner, "ok", false),
		}},
		{"the account recovers, and later the pair", []loginStep{
			many(LoginAccountBurst, "A", owner, "fail", false),
			one("A", owner, "ok", true),
			later(time.Minute/loginAccountPerMinute, one("A", owner, "ok", false)), // one failure back for the account
			one("A", owner, "fail", false),                                         // which this failure spends again,
			many(3, "A", owner, "ok", true),                                        // and A has failed for it
			later(loginPairMemory, one("A", owner, "ok", false)),
		}},
		{"an address out of failures is refused for every account", []loginStep{
			many(loginAddrBurst, "A", "", "fail", false),
			one("A", "fresh@example.com", "ok", true),
			later(time.Minute/loginAddrPerMinute, one("A", "fresh@example.com", "ok", false)),
			one("B", "fresh@example.com", "ok", false),
		}},
		{"successes cost nothing", []loginStep{
			many(10*loginAddrBurst, "A", owner, "ok", false),
			many(loginAddrBurst, "A", "", "fail", false),
		}},
		{"attempts in flight hold the address's failures", []loginStep{
			many(loginAddrBurst, "A", owner, "open", false),
			one("A", owner, "ok", true),
			one("B", owner, "ok", false),
			one("A", owner, "end", false),
			one("A", owner, "ok", false),
		}},
		{"under attack, a new address has one attempt in flight for the account", []loginStep{
			many(LoginAccountBurst, "A", owner, "fail", false),
			one("B", owner, "open", false),
			one("B", owner, "ok", true),
			one("B", "other@example.com", "ok", false),
			one("B", owner, "end", false),
			one("B", owner, "ok", false),
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := NewGuard()
			now := testStart
			open := map[string][]func(bool, time.Time){}
			for i, s := range c.steps {
				now = now.Add(s.after)
				for j := 0; j < s.n; j++ {
					account := s.account
					if account == "" {
						account = fmt.Sprintf("guess%d@example.com", j)
					}
					pair := s.addr + " " + account
					if s.outcome == "end" {
						open[pair][0](true, now)
						open[pair] = open[pair][1:]
						continue
					}
					done, admitted := g.Begin(s.addr, account, now)
					if refused := !admitted; refused != s.refused {
						t.Fatalf("step %d attempt %d (%s for %s): refused %v, want %v", i, j, s.addr, account, refused, s.refused)
					}
					if !admitted {
						continue
					}
					switch s.outcome {
					case "open":
						open[pair] = append(open[pair], done)
					default:
						done(s.outcome == "ok", now)
					}
				}
			}
		})
	}
}

func TestKeyedLimiterHoldsSpendsAndGivesBack(t *testing.T) {
	k := newKeyedLimiter(6, 2) // one back every 10 s
	now := testStart
	if k.exhausted("a", now) || len(k.m) != 0 {
		t.Fatal("a key never seen is exhausted, or asking made an entry")
	}
	e1, ok1 := k.hold("a", now)
	e2, ok2 := k.hold("a", now)
	if _, ok := k.hold("a", now); !ok1 || !ok2 || ok || !k.exhausted("a", now) {
		t.Fatalf("two holds of a burst of 2, then a third: %v %v %v", ok1, ok2, ok)
	}
	k.end(e1, false, now) // given back
	if k.exhausted("a", now) {
		t.Fatal("a hold given back is still spent")
	}
	k.end(e2, true, now) // spent
	k.fail("a", now)
	if !k.exhausted("a", now) {
		t.Fatal("two failures of a burst of 2 leave a token")
	}
	k.fail("a", now) // nothing left: stays exhausted, no debt
	if now = now.Add(9 * time.Second); !k.exhausted("a", now) {
		t.Fatal("a token came back before its 10 s")
	}
	if now = now.Add(time.Second); k.exhausted("a", now) {
		t.Fatal("no token back after 10 s")
	}
}

// A full map makes room by dropping the keys that hold nothing, then the least
// recently used ones; a key in use keeps its counter through any flood of new keys.
func TestKeyedLimiterEvictsTheOldestIdleKeys(t *testing.T) {
	cases := []struct {
		name     string
		recover  bool // the first keys' buckets are full again when the flood comes
		wantKept []string
		wantGone []string
	}{
		{"least recently used go first", false, []string{"target", "held"}, []string{"k1", "k2"}},
		{"keys holding nothing go first", true, []string{"target", "held"}, []string{"k1", "k9"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k := newKeyedLimiter(1, 1) // one failure, back after a minute
			k.maxKeys = 20
			k.idleTTL = time.Hour
			now := testStart
			k.fail("target", now)
			held, _ := k.hold("held", now)
			for i := 1; i <= 18; i++ {
				now = now.Add(time.Second)
				k.fail(fmt.Sprintf("k%d", i), now)
			}
			if c.recover {
				now = now.Add(time.Minute)
			}
			now = now.Add(time.Second)
			k.fail("target", now) // the target stays in use
			for i := 0; i < 100; i++ {
				now = now.Add(time.Second)
				k.fail(fmt.Sprintf("flood%d", i), now)
				k.fail("target", now)
			}
			if len(k.m) > k.maxKeys {
				t.Fatalf("%d keys, bound %d", len(k.m), k.maxKeys)
			}
			for _, key := range c.wantKept {
				if k.m[key] == nil {
					t.Errorf("%s was dropped", key)
				}
			}
			for _, key := range c.wantGone {
				if k.m[key] != nil {
					t.Errorf("%s was kept", key)
				}
			}
			if !k.exhausted("target", now) {
				t.Error("the flood reset the target's counter")
			}
			k.end(held, true, now)
			if !k.exhausted("held", now) {
				t.Error("the held key lost its entry")
			}
		})
	}
}

// Parallel guesses from one address are bounded by its failures in flight, and the
// owner elsewhere still gets in.
func TestLoginGuardUnderParallelGuesses(t *testing.T) {
	g := NewGuard()
	const owner = "owner@example.com"
	var mu sync.Mutex
	admitted := 0
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			done, ok := g.Begin("A", owner, testStart)
			if !ok {
				return
			}
			mu.Lock()
			admitted++
			mu.Unlock()
			done(false, testStart)
		}()
	}
	close(start)
	wg.Wait()
	if admitted < LoginAccountBurst || admitted > loginAddrBurst {
		t.Fatalf("%d of 100 parallel guesses checked, want %d to %d", admitted, LoginAccountBurst, loginAddrBurst)
	}
	done, ok := g.Begin("B", owner, testStart)
	if !ok {
		t.Fatal("the owner from another address is refused after parallel guesses from A")
	}
	done(true, testStart)
}
