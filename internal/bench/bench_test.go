package bench_test

import (
	"context"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/bench"
	"github.com/gureum/gureum/internal/gureumtest"
)

// BenchmarkGetCallerIdentity measures GetCallerIdentity end to end on loopback against the server
// running in-process: one client for latency (p50-µs, p99-µs), 16 for throughput (req/s).
func BenchmarkGetCallerIdentity(b *testing.B) {
	srv := gureumtest.Start(b, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	c := bench.NewCaller(srv.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey, gureumtest.Region)
	for _, clients := range []int{1, 16} {
		b.Run(map[int]string{1: "clients=1", 16: "clients=16"}[clients], func(b *testing.B) {
			c.Run(context.Background(), clients, 200, time.Second) // warm up connections and caches
			b.ResetTimer()
			lat, err := c.Run(context.Background(), clients, b.N, time.Hour)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(lat.P50.Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat.P99.Microseconds()), "p99-µs")
			b.ReportMetric(lat.PerSec, "req/s")
		})
	}
}
