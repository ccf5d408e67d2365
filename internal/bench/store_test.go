package bench_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/bench"
	"github.com/gureum/gureum/internal/gureumtest"
	"github.com/gureum/gureum/internal/store/postgres"
)

// BenchmarkStoreWrites measures durable single-row writes from 16 concurrent writers: SQLite with
// group commit beside SQLite with one fsync per write, and PostgreSQL when GUREUM_TEST_POSTGRES is set.
// Each sub-benchmark runs for a fixed time; writes/s is the figure.
func BenchmarkStoreWrites(b *testing.B) {
	ctx := context.Background()
	const writers = 16
	for _, c := range []struct {
		name     string
		maxBatch int
	}{{"sqlite-group-commit", 256}, {"sqlite-fsync-per-write", 1}} {
		b.Run(c.name, func(b *testing.B) {
			w, err := bench.SQLiteWrites(ctx, b.TempDir(), c.maxBatch, writers, 2*time.Second)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(w.PerSec, "writes/s")
			b.ReportMetric(float64(w.P50.Microseconds()), "p50-µs")
		})
	}
	b.Run("postgres", func(b *testing.B) {
		dsn := os.Getenv(gureumtest.PostgresEnv)
		if dsn == "" {
			b.Skip("NOTICE: " + gureumtest.PostgresEnv + " is not set")
		}
		schema := fmt.Sprintf("gureum_bench_%d", time.Now().UnixNano())
		st, err := postgres.Open(ctx, dsn, postgres.Options{Schema: schema, MaxConns: writers})
		if err != nil {
			b.Fatal(err)
		}
		defer func() { st.DropSchema(ctx, schema); st.Close() }()
		write, err := bench.AccessKeyWriter(ctx, st, "AKIAP")
		if err != nil {
			b.Fatal(err)
		}
		w, err := bench.StoreWrites(ctx, writers, 2*time.Second, write)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(w.PerSec, "writes/s")
		b.ReportMetric(float64(w.P50.Microseconds()), "p50-µs")
	})
}
