package logs

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/store/sqlite"
)

// BenchmarkAppend measures the in-process Append on SQLite: an invocation's four lines (START,
// output, END, REPORT) per call, and 1,000-line batches.
func BenchmarkAppend(b *testing.B) {
	for _, n := range []int{4, 1000} {
		b.Run(fmt.Sprint(n, "lines"), func(b *testing.B) {
			st, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "db"), sqlite.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			clock := background.NewFakeClock(time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC))
			s := New(Deps{Env: service.Env{Region: "us-east-1", Clock: clock}, Store: st})
			evs := make([]Event, n)
			for i := range evs {
				evs[i] = Event{Time: clock.Now(), Message: "REPORT RequestId: 3f1c Duration: 1.23 ms Billed Duration: 2 ms Memory Size: 128 MB Max Memory Used: 40 MB"}
			}
			b.ResetTimer()
			b.SetParallelism(16) // concurrent invocations, as a function under load writes them
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := s.Append(context.Background(), "000000000000", "/aws/lambda/f", "s", evs); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}
