package bench_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/bench"
	"github.com/gureum/gureum/internal/gureumtest"
	"github.com/gureum/gureum/internal/store"
	"github.com/gureum/gureum/internal/store/postgres"
	"github.com/gureum/gureum/internal/store/sqlite"
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

// BenchmarkQueueStore measures the queue store's hot writes from 16 concurrent callers, without
// HTTP: a single send, and a send of 10 followed by a receive and a delete of what came back (the
// batched workload's store work). ns/op and allocs/op are the figures; TMPDIR=/dev/shm takes the
// disk out of them. PostgreSQL runs when GUREUM_TEST_POSTGRES is set.
func BenchmarkQueueStore(b *testing.B) {
	ctx := context.Background()
	for _, name := range []string{"sqlite", "postgres"} {
		for _, w := range []struct {
			name string
			n    int  // messages a send
			dlq  bool // receives redrive to a dead-letter queue after 3 receives, as the workloads' queues do
		}{{"single-send", 1, false}, {"send-receive-delete-10", 10, false}, {"send-receive-delete-10-dlq", 10, true}} {
			b.Run(name+"/"+w.name, func(b *testing.B) {
				st := openStore(b, name)
				q := store.Queue{Account: "123456789012", Name: "bench", Attributes: map[string]string{}, Tags: map[string]string{}}
				if err := st.CreateQueue(ctx, &q); err != nil {
					b.Fatal(err)
				}
				r := store.Receive{QueueID: q.ID, Max: 10}
				if w.dlq {
					dlq := store.Queue{Account: "123456789012", Name: "bench-dlq", Attributes: map[string]string{}, Tags: map[string]string{}}
					if err := st.CreateQueue(ctx, &dlq); err != nil {
						b.Fatal(err)
					}
					r.MaxReceiveCount, r.DeadLetterQueue, r.DeadLetterExpiry, r.SourceARN = 3, dlq.ID, time.Hour, "arn:aws:sqs:us-east-1:123456789012:bench"
				}
				var ids atomic.Int64
				b.SetParallelism(16 / runtime.GOMAXPROCS(0))
				b.ReportAllocs()
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := queueCycle(ctx, st, r, w.n, &ids); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		}
	}
}

// queueCycle sends n messages to r's queue and, for a batch, receives up to 10 with r and deletes
// them.
func queueCycle(ctx context.Context, st store.Store, r store.Receive, n int, ids *atomic.Int64) error {
	queueID, now := r.QueueID, time.Now()
	msgs := make([]store.Message, n)
	for i := range msgs {
		msgs[i] = store.Message{ID: fmt.Sprint("m-", ids.Add(1)), Body: []byte("a benchmark message"),
			MD5Body: "0123456789abcdef0123456789abcdef", SenderID: "AIDABENCH", SentAt: now, VisibleAt: now, ExpiresAt: now.Add(time.Hour)}
	}
	if _, err := st.SendMessages(ctx, queueID, msgs, nil, now); err != nil || n == 1 {
		return err
	}
	r.Now, r.VisibleUntil = now, now.Add(time.Minute)
	r.NewToken = func() string { return fmt.Sprint("t-", ids.Add(1)) }
	received, err := st.ReceiveMessages(ctx, r)
	got := received.Messages
	if err != nil || len(got) == 0 {
		return err
	}
	handles := make([]store.Handle, len(got))
	for i, m := range got {
		handles[i] = store.Handle{Seq: m.Seq, Token: m.ReceiptToken}
	}
	_, err = st.DeleteMessages(ctx, queueID, handles)
	return err
}

// BenchmarkCountMessages measures ApproximateNumberOfMessages and its siblings on a deep queue:
// 100,000 messages, a tenth of them received (in flight) and a tenth delayed.
func BenchmarkCountMessages(b *testing.B) {
	ctx := context.Background()
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			st := openStore(b, name)
			q := store.Queue{Account: "123456789012", Name: "deep", Attributes: map[string]string{}, Tags: map[string]string{}}
			if err := st.CreateQueue(ctx, &q); err != nil {
				b.Fatal(err)
			}
			now := time.Now()
			const depth = 100_000
			var wg sync.WaitGroup
			for w := range 16 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := w * 10; i < depth; i += 16 * 10 {
						msgs := make([]store.Message, 10)
						for j := range msgs {
							visible := now
							if (i+j)%10 == 1 {
								visible = now.Add(time.Minute) // delayed
							}
							msgs[j] = store.Message{ID: fmt.Sprint("m-", i+j), Body: []byte("a message of a deep queue"), MD5Body: "0123456789abcdef0123456789abcdef",
								SenderID: "AIDABENCH", SentAt: now, VisibleAt: visible, ExpiresAt: now.Add(time.Hour)}
						}
						if _, err := st.SendMessages(ctx, q.ID, msgs, nil, now); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			for received := 0; received < depth/10; {
				got, err := st.ReceiveMessages(ctx, store.Receive{QueueID: q.ID, Max: 10, Now: now, VisibleUntil: now.Add(time.Minute), NewToken: func() string { return "t" }})
				if err != nil || len(got.Messages) == 0 {
					b.Fatal(err, len(got.Messages))
				}
				received += len(got.Messages)
			}
			b.ResetTimer()
			for b.Loop() {
				c, err := st.CountMessages(ctx, q.ID, now)
				if err != nil || c.Visible+c.InFlight+c.Delayed != depth {
					b.Fatalf("CountMessages = %+v, %v; want %d in all", c, err, depth)
				}
			}
		})
	}
}

// openStore opens an empty store of a backend for a benchmark and closes it when b ends: "sqlite"
// in a temporary directory, or "postgres" in a schema of its own, which skips the benchmark when
// GUREUM_TEST_POSTGRES is not set.
func openStore(b *testing.B, backend string) store.Store {
	ctx := context.Background()
	if backend == "sqlite" {
		st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "queues.db"), sqlite.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { st.Close() })
		return st
	}
	dsn := os.Getenv(gureumtest.PostgresEnv)
	if dsn == "" {
		b.Skip("NOTICE: " + gureumtest.PostgresEnv + " is not set")
	}
	schema := fmt.Sprintf("gureum_bench_%d", time.Now().UnixNano())
	st, err := postgres.Open(ctx, dsn, postgres.Options{Schema: schema, MaxConns: 16})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.DropSchema(ctx, schema); st.Close() })
	return st
}
