package clock

import (
	"testing"
	"time"
)

func TestFakeRunsTimersInOrderAtTheirDeadline(t *testing.T) {
	start := time.Date(2026, 11, 23, 16, 59, 0, 0, time.UTC)
	c := NewFake(start)
	var got []time.Time
	c.AfterFunc(2*time.Minute, func() { got = append(got, c.Now()) })
	c.AfterFunc(time.Minute, func() {
		got = append(got, c.Now())
		c.AfterFunc(30*time.Second, func() { got = append(got, c.Now()) })
	})
	stopped := c.AfterFunc(90*time.Second, func() { t.Error("stopped timer ran") })
	if !stopped.Stop() {
		t.Fatal("Stop of a pending timer reported false")
	}
	c.Advance(5 * time.Minute)
	want := []time.Time{start.Add(time.Minute), start.Add(90 * time.Second), start.Add(2 * time.Minute)}
	if len(got) != len(want) {
		t.Fatalf("ran %d callbacks, want %d", len(got), len(want))
	}
	for i := range want {
		if !got[i].Equal(want[i]) {
			t.Errorf("callback %d saw %v, want %v", i, got[i], want[i])
		}
	}
	if !c.Now().Equal(start.Add(5 * time.Minute)) {
		t.Errorf("Now = %v after Advance", c.Now())
	}
	if c.Pending() != 0 {
		t.Errorf("Pending = %d", c.Pending())
	}
}

func TestFakeDoesNotRunEarly(t *testing.T) {
	c := NewFake(time.Unix(0, 0))
	ran := false
	c.AfterFunc(time.Second, func() { ran = true })
	c.Advance(999 * time.Millisecond)
	if ran {
		t.Fatal("timer ran before its deadline")
	}
	c.Advance(time.Millisecond)
	if !ran {
		t.Fatal("timer did not run at its deadline")
	}
}
