package copier

import (
	"strings"
	"testing"
	"time"
)

func TestBar(t *testing.T) {
	base := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name     string
		terminal bool
		steps    []time.Duration // when each event comes, after base
		events   []Event
		want     string
	}{
		{"terminal: redrawn, left on its line when done", true, []time.Duration{0, time.Second, 2 * time.Second},
			[]Event{{Table: "messages", Total: 100}, {Table: "messages", Total: 100, Read: 50}, {Table: "messages", Total: 100, Read: 100, Done: true}},
			"\r\033[Kmessages          [                              ] 0/100   0%        0 rows/s  copying" +
				"\r\033[Kmessages          [===============               ] 50/100  50%       50 rows/s  copying" +
				"\r\033[Kmessages          [==============================] 100/100 100%       50 rows/s  done\n"},
		{"plain: a line every 5 s and when done", false, []time.Duration{0, time.Second, 6 * time.Second, 7 * time.Second},
			[]Event{{Table: "sites", Total: 10}, {Table: "sites", Total: 10, Read: 2}, {Table: "sites", Total: 10, Read: 6, Resumed: 0}, {Table: "sites", Total: 10, Read: 10, Done: true}},
			"migrate-data: sites             6/10  60%        1 rows/s  copying\n" +
				"migrate-data: sites             10/10 100%        1 rows/s  done\n"},
		{"resumed rows do not count in the rate", false, []time.Duration{0, 2 * time.Second},
			[]Event{{Table: "agents", Total: 10, Read: 8, Resumed: 8}, {Table: "agents", Total: 10, Read: 10, Resumed: 8, Done: true}},
			"migrate-data: agents            10/10 100%        1 rows/s  done\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out strings.Builder
			now := base
			b := NewBar(&out, c.terminal, func() time.Time { return now })
			for i, e := range c.events {
				now = base.Add(c.steps[i])
				b.Update(e)
			}
			if out.String() != c.want {
				t.Errorf("got\n%q\nwant\n%q", out.String(), c.want)
			}
		})
	}
}
