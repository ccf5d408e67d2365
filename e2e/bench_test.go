package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/bench"
)

// BenchmarkStartup measures the built binary from exec to the first 200 from /_gureum/health on the
// embedded store (first start on an empty data dir, and a restart on an existing one), and its
// resident memory after a second of idling.
func BenchmarkStartup(b *testing.B) {
	for _, first := range []bool{true, false} {
		name := "restart"
		if first {
			name = "first-start"
		}
		b.Run(name, func(b *testing.B) {
			dir := b.TempDir()
			if !first {
				if _, err := bench.MeasureStartup(context.Background(), bin.Path, dir, 0); err != nil {
					b.Fatal(err)
				}
			}
			var total time.Duration
			var rss int64
			for i := 0; i < b.N; i++ {
				d := dir
				if first {
					d = b.TempDir()
				}
				s, err := bench.MeasureStartup(context.Background(), bin.Path, d, time.Second)
				if err != nil {
					b.Fatal(err)
				}
				total += s.ToHealthy
				rss = max(rss, s.IdleRSS)
			}
			b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms-to-healthy")
			b.ReportMetric(float64(rss)/(1<<20), "idle-RSS-MiB")
		})
	}
}
