package ws

import (
	"testing"
	"time"
)

// The gate lets slots hellos in at once; the next one waits, gets in when a slot
// frees, and is refused (and counted) when its wait runs out first.
func TestHelloGate(t *testing.T) {
	g := newHelloGate(2, 5*time.Second)
	timeouts := make(chan chan time.Time, 4)
	g.after = func(d time.Duration) <-chan time.Time {
		if d != 5*time.Second {
			t.Errorf("waits %v, want the gate's 5 s", d)
		}
		c := make(chan time.Time, 1)
		timeouts <- c
		return c
	}
	if !g.enter() || !g.enter() {
		t.Fatal("the first two hellos waited")
	}
	// The third waits; a slot frees before its time runs out: it gets in.
	got := make(chan bool, 1)
	go func() { got <- g.enter() }()
	<-timeouts // it is waiting now
	g.leave()
	if !<-got {
		t.Fatal("the third hello was refused although a slot freed")
	}
	// The fourth waits and its time runs out: refused, counted, the slots unchanged.
	go func() { got <- g.enter() }()
	(<-timeouts) <- time.Time{}
	if <-got {
		t.Fatal("a hello got in with every slot taken")
	}
	if n := g.shed.Load(); n != 1 {
		t.Fatalf("shed %d, want 1", n)
	}
	g.leave()
	if !g.enter() {
		t.Fatal("no slot after one was given back")
	}
}
