package hub

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/livedesk/gateway/internal/testkit"
)

// TestQueueAgainstModel drives the ring with random pushes, status pushes and pops
// (wrapping, growing and shrinking it) and compares it with a plain slice.
func TestQueueAgainstModel(t *testing.T) {
	for _, limit := range []int{1, 3, 4, 7, 16, 100} {
		t.Run(fmt.Sprint("limit", limit), func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(limit), 1))
			var q queue
			var model []string
			statusAt := -1 // index in model of the pending status frame
			for step := 0; step < 20000; step++ {
				f := fmt.Sprint(step)
				switch op := r.IntN(10); {
				case op < 4: // push
					ok := q.push([]byte(f), limit)
					testkit.Equal(t, "push ok", ok, len(model) < limit)
					if ok {
						model = append(model, f)
					}
				case op < 6: // status
					ok := q.pushStatus([]byte(f), limit)
					switch {
					case statusAt >= 0:
						testkit.Equal(t, "replace ok", ok, true)
						model[statusAt] = f
					case len(model) < limit:
						testkit.Equal(t, "status ok", ok, true)
						model = append(model, f)
						statusAt = len(model) - 1
					default:
						testkit.Equal(t, "status into full queue", ok, false)
					}
				default: // pop; bursts of pops drain the ring now and then
					for n := 1 + r.IntN(3)*r.IntN(8); n > 0; n-- {
						got, ok := q.pop()
						testkit.Equal(t, "pop ok", ok, len(model) > 0)
						if !ok {
							break
						}
						testkit.Equal(t, "pop", string(got), model[0])
						model = model[1:]
						statusAt--
					}
				}
				testkit.Equal(t, "len", q.len(), len(model))
				if len(q.buf) > limit {
					t.Fatalf("ring of %d slots over limit %d", len(q.buf), limit)
				}
				if len(model) == 0 && len(q.buf) > queueKeepCap {
					t.Fatalf("drained ring kept %d slots", len(q.buf))
				}
			}
		})
	}
}

func TestQueueReset(t *testing.T) {
	var q queue
	q.push([]byte("a"), 8)
	q.pushStatus([]byte("s"), 8)
	q.reset()
	testkit.Equal(t, "len", q.len(), 0)
	q.pushStatus([]byte("t"), 8) // must append, not replace a dropped status
	q.push([]byte("b"), 8)
	f, _ := q.pop()
	testkit.Equal(t, "first", string(f), "t")
	f, _ = q.pop()
	testkit.Equal(t, "second", string(f), "b")
}
