package main

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Dist is a latency distribution in milliseconds with its raw samples, so that the
// JSON of several processes merges into exact percentiles (see -merge).
type Dist struct {
	Count int     `json:"count"`
	Min   float64 `json:"min_ms"`
	P50   float64 `json:"p50_ms"`
	P90   float64 `json:"p90_ms"`
	P99   float64 `json:"p99_ms"`
	P999  float64 `json:"p999_ms"`
	Max   float64 `json:"max_ms"`
	Mean  float64 `json:"mean_ms"`
	// Raw is every sample in microseconds, sorted, space-separated (a string keeps
	// the indented JSON readable).
	Raw string `json:"raw_us,omitempty"`
}

// newDist summarises samples (any order; negative values are allowed).
func newDist(d []time.Duration) Dist {
	us := make([]int64, len(d))
	for i, x := range d {
		us[i] = x.Microseconds()
	}
	return distOfMicros(us)
}

// distOfMicros summarises microsecond samples; it sorts us in place.
func distOfMicros(us []int64) Dist {
	if len(us) == 0 {
		return Dist{}
	}
	slices.Sort(us)
	ms := func(x int64) float64 { return float64(x) / 1e3 }
	at := func(q float64) float64 {
		i := int(math.Ceil(q*float64(len(us)))) - 1
		return ms(us[max(0, min(i, len(us)-1))])
	}
	var sum float64
	var raw strings.Builder
	raw.Grow(len(us) * 6)
	for i, x := range us {
		sum += float64(x)
		if i > 0 {
			raw.WriteByte(' ')
		}
		raw.WriteString(strconv.FormatInt(x, 10))
	}
	return Dist{Count: len(us), Min: ms(us[0]), P50: at(0.50), P90: at(0.90), P99: at(0.99), P999: at(0.999),
		Max: ms(us[len(us)-1]), Mean: math.Round(sum/float64(len(us))) / 1e3, Raw: raw.String()}
}

// micros returns the raw samples; an error when Raw does not hold Count numbers
// (written without samples, or damaged).
func (d Dist) micros() ([]int64, error) {
	f := strings.Fields(d.Raw)
	if len(f) != d.Count {
		return nil, fmt.Errorf("%d raw samples for a count of %d", len(f), d.Count)
	}
	out := make([]int64, len(f))
	for i, s := range f {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("raw sample %q: %v", s, err)
		}
		out[i] = v
	}
	return out, nil
}

// mergeDists pools the raw samples of several distributions.
func mergeDists(ds []Dist) (Dist, error) {
	var all []int64
	for _, d := range ds {
		us, err := d.micros()
		if err != nil {
			return Dist{}, err
		}
		all = append(all, us...)
	}
	return distOfMicros(all), nil
}

func (d Dist) String() string {
	if d.Count == 0 {
		return "no samples"
	}
	return fmt.Sprintf("p50 %.1f ms  p90 %.1f ms  p99 %.1f ms  p99.9 %.1f ms  max %.1f ms  (n=%d)", d.P50, d.P90, d.P99, d.P999, d.Max, d.Count)
}

// durations is a goroutine-safe list of samples.
type durations struct{ samples }

func (s *durations) dist() Dist {
	s.mu.Lock()
	d := slices.Clone(s.d)
	s.mu.Unlock()
	return newDist(d)
}
