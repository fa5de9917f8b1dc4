package hub

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/livedesk/gateway/internal/testkit"
)

// Figures between two brokers (two nodes) on one local redis-server. Run with a
// fixed message count, e.g.:
//
//	go test -run '^$' -bench RedisBroker -benchtime 20000x ./hub/

const benchChannels = 100

func benchChannel(i int) string { return "site:" + strconv.Itoa(i%benchChannels) }

// BenchmarkRedisBrokerLatency publishes b.N messages at a steady rate, round robin
// over 100 channels, and reports the publish -> handler latency percentiles.
func BenchmarkRedisBrokerLatency(b *testing.B) {
	for _, rate := range []int{2000, 10000} {
		b.Run(fmt.Sprintf("rate=%d", rate), func(b *testing.B) { benchRedisLatency(b, rate) })
	}
}

func benchRedisLatency(b *testing.B, rate int) {
	ctx := context.Background()
	r := startRedis(b)
	t0 := time.Now()
	var mu sync.Mutex
	lat := make([]time.Duration, 0, b.N)
	done := make(chan struct{})
	n := b.N
	node := newTestRedisBroker(b, r.Client(), func(_ string, payload []byte) {
		d := time.Since(t0) - time.Duration(binary.BigEndian.Uint64(payload))
		mu.Lock()
		defer mu.Unlock()
		if lat = append(lat, d); len(lat) == n {
			close(done)
		}
	}, RedisOptions{})
	for i := range benchChannels {
		testkit.NoError(b, node.Subscribe(ctx, benchChannel(i)))
	}
	pub := newTestRedisBroker(b, r.Client(), nil, RedisOptions{})

	interval := time.Second / time.Duration(rate)
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
			time.Sleep(d) // pacing the load, not waiting for a result
		}
		payload := binary.BigEndian.AppendUint64(make([]byte, 0, 8), uint64(time.Since(t0)))
		if err := pub.Publish(ctx, benchChannel(i), payload); err != nil {
			b.Fatal(err)
		}
	}
	select {
	case <-done:
	case <-time.After(guard):
		b.Fatalf("only %d of %d messages arrived (drops %d)", len(lat), n, node.Drops())
	}
	elapsed := time.Since(start)
	b.StopTimer()

	mu.Lock()
	defer mu.Unlock()
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) }
	b.ReportMetric(pct(0.50), "p50-µs")
	b.ReportMetric(pct(0.99), "p99-µs")
	b.ReportMetric(pct(0.999), "p99.9-µs")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds()), "max-µs")
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
}

// BenchmarkRedisBrokerThroughput has 16 goroutines publish b.N messages as fast as
// they can, round robin over 100 channels, and reports how many per second the
// receiving broker handed to its handler.
func BenchmarkRedisBrokerThroughput(b *testing.B) {
	const publishers = 16
	ctx := context.Background()
	r := startRedis(b)
	var got atomic.Int64
	done := make(chan struct{})
	finish := sync.OnceFunc(func() { close(done) })
	n := int64(b.N)
	var node *RedisBroker
	node = newTestRedisBroker(b, r.Client(), func(string, []byte) {
		if got.Add(1)+int64(node.Drops()) == n {
			finish()
		}
	}, RedisOptions{OnDrop: func(string) {
		if got.Load()+int64(node.Drops()) == n {
			finish()
		}
	}})
	for i := range benchChannels {
		testkit.NoError(b, node.Subscribe(ctx, benchChannel(i)))
	}
	pub := newTestRedisBroker(b, r.Client(), nil, RedisOptions{})
	payload := make([]byte, 200)

	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range publishers {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < n; i = next.Add(1) - 1 {
				if err := pub.Publish(ctx, benchChannel(int(i)), payload); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	select {
	case <-done:
	case <-time.After(guard):
		b.Fatalf("only %d of %d messages arrived (drops %d)", got.Load(), n, node.Drops())
	}
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(got.Load())/elapsed.Seconds(), "delivered/s")
	b.ReportMetric(float64(node.Drops()), "drops")
}
