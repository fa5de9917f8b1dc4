package hub

import (
	"context"
	"fmt"
	"sync"
	"testing"
)

// discardTransport accepts every frame at once and counts it on wg.
type discardTransport struct{ wg *sync.WaitGroup }

func (d discardTransport) Write(context.Context, []byte) error { d.wg.Done(); return nil }
func (d discardTransport) Close(int, string) error             { return nil }

// statusFrame is a typical site status push, about 120 bytes.
var statusFrame = []byte(`{"type":"status","status":{"online":false,"reason":"outside_hours","opens_at":"2026-11-23T08:00:00Z","closes_at":null}}`)

// benchBroadcast measures one status flip to n clients in one group: an op ends when
// the last of the n writers has written the frame.
func benchBroadcast(b *testing.B, n int) {
	h := New(0)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		h.Join("site:bench", NewClient(discardTransport{&wg}, ClientOptions{}))
	}
	// Warm up: first writes create each client's ring and write timer.
	wg.Add(n)
	h.BroadcastStatus("site:bench", statusFrame)
	wg.Wait()

	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		wg.Add(n)
		if got := h.BroadcastStatus("site:bench", statusFrame); got != n {
			b.Fatalf("queued for %d of %d", got, n)
		}
		wg.Wait()
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/client")
}

func BenchmarkBroadcastStatus10k(b *testing.B) { benchBroadcast(b, 10_000) }

// BenchmarkBroadcastStatus18k is the size of a performance bar (docs/performance.md#bars): 18,000 visitors on a node.
func BenchmarkBroadcastStatus18k(b *testing.B) { benchBroadcast(b, 18_000) }

// BenchmarkSend: one frame to one idle client and back to idle, each op: the enqueue,
// starting the writer goroutine, the write and the writer's exit.
func BenchmarkSend(b *testing.B) {
	var wg sync.WaitGroup
	c := NewClient(discardTransport{&wg}, ClientOptions{})
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		wg.Add(1)
		c.Send(statusFrame)
		wg.Wait()
	}
}

// BenchmarkSendBurst: frames queued back to back to one client, in bursts of up to
// 128, as a busy conversation does; ns/op is per frame.
func BenchmarkSendBurst(b *testing.B) {
	var wg sync.WaitGroup
	c := NewClient(discardTransport{&wg}, ClientOptions{})
	b.ReportAllocs()
	for i := 0; i < b.N; i += 128 {
		k := min(128, b.N-i)
		wg.Add(k)
		for j := 0; j < k; j++ {
			if !c.Send(statusFrame) {
				b.Fatal("Send refused")
			}
		}
		wg.Wait()
	}
}

func BenchmarkHubJoinLeave(b *testing.B) {
	h := New(0)
	cs := make([]*Client, 1024)
	for i := range cs {
		cs[i] = NewClient(discardTransport{}, ClientOptions{})
	}
	names := make([]string, 64)
	for i := range names {
		names[i] = fmt.Sprint("site:", i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c, name := cs[i%len(cs)], names[i%len(names)]
		h.Join(name, c)
		h.Leave(name, c)
	}
}
