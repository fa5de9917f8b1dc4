package schedule

import (
	"testing"
	"time"
)

// benchWeek is a realistic week: lunch breaks, a Friday night shift, a short Saturday,
// five exceptions.
const benchWeek = `{"enabled":true,"timezone":"Europe/Paris","weekly":{
	"mon":[{"from":"08:00","to":"12:00"},{"from":"13:00","to":"17:00"}],
	"tue":[{"from":"08:00","to":"12:00"},{"from":"13:00","to":"17:00"}],
	"wed":[{"from":"08:00","to":"12:00"},{"from":"13:00","to":"17:00"}],
	"thu":[{"from":"08:00","to":"12:00"},{"from":"13:00","to":"17:00"}],
	"fri":[{"from":"08:00","to":"12:00"},{"from":"13:00","to":"17:00"},{"from":"22:00","to":"02:00"}],
	"sat":[{"from":"09:00","to":"12:00"}]},
	"exceptions":[{"date":"2026-03-30","intervals":[]},{"date":"2026-04-06","intervals":[]},
		{"date":"2026-06-05","intervals":[{"from":"08:00","to":"12:00"}]},{"date":"2026-06-12","intervals":[]},
		{"date":"2026-06-17","intervals":[{"from":"10:00","to":"16:00"}]}]}`

// spread returns n instants spread over [from, from+span), at odd offsets.
func spread(tb testing.TB, from string, span time.Duration, n int) []time.Time {
	start := instant(tb, from)
	out := make([]time.Time, n)
	for k := range out {
		out[k] = start.Add(span*time.Duration(k)/time.Duration(n) + time.Duration(k%61)*time.Second)
	}
	return out
}

var sink int

func benchOpenAt(b *testing.B, from string, span time.Duration) {
	c := compile(b, benchWeek)
	ts := spread(b, from, span, 1000)
	b.ReportAllocs()
	n, i := 0, 0
	for b.Loop() {
		if c.OpenAt(ts[i%len(ts)]) {
			n++
		}
		i++
	}
	sink = n
}

// BenchmarkOpenAt: three ordinary weeks of June 2026 (the fast path).
func BenchmarkOpenAt(b *testing.B) {
	benchOpenAt(b, "2026-06-01T00:00:00Z", 21*24*time.Hour)
}

// BenchmarkOpenAtDSTWeek: the days around the 2026-03-29 change (the slow path).
func BenchmarkOpenAtDSTWeek(b *testing.B) {
	benchOpenAt(b, "2026-03-26T02:00:00Z", 5*24*time.Hour)
}

func BenchmarkNextChange(b *testing.B) {
	c := compile(b, benchWeek)
	ts := spread(b, "2026-06-01T00:00:00Z", 21*24*time.Hour, 1000)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c.NextChange(ts[i%len(ts)])
		i++
	}
}

func BenchmarkPeriods366Days(b *testing.B) {
	c := compile(b, benchWeek)
	from := Date{2026, time.January, 1}
	b.ReportAllocs()
	for b.Loop() {
		c.Periods(from, from.AddDays(365))
	}
}

func BenchmarkCompile(b *testing.B) {
	s, err := Parse([]byte(benchWeek))
	assertNoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(s); err != nil {
			b.Fatal(err)
		}
	}
}

// TestOpenAtDoesNotAllocate holds the design bar: no allocation, on either path.
func TestOpenAtDoesNotAllocate(t *testing.T) {
	c := compile(t, benchWeek)
	for _, ts := range [][]time.Time{
		spread(t, "2026-06-01T00:00:00Z", 21*24*time.Hour, 100),
		spread(t, "2026-03-26T02:00:00Z", 5*24*time.Hour, 100),
	} {
		i := 0
		allocs := testing.AllocsPerRun(200, func() {
			sink += len(ts) // keeps the closure honest
			if c.OpenAt(ts[i%len(ts)]) {
				sink++
			}
			i++
		})
		assertEqual(t, "allocations per OpenAt", allocs, 0.0)
	}
}
