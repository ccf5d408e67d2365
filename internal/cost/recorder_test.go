package cost

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/store"
	"github.com/gureum/gureum/internal/store/sqlite"
)

func openLedger(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "gureum.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// sizes stands in for EFS's metered sizes (the server wires EFS itself).
type sizes []FileSystemSize

func (s sizes) FileSystemSizes(context.Context) ([]FileSystemSize, error) { return s, nil }

func TestRecorderAddsUpAndFlushes(t *testing.T) {
	db := openLedger(t)
	ctx := context.Background()
	day := time.Date(2026, 12, 7, 23, 59, 59, 0, time.UTC)
	clock := background.NewFakeClock(day)
	r := NewRecorder(db, "us-east-1", clock, nil)
	for range 3 {
		// 100.2 ms bills as 101 ms: 128 × 101 MB·ms; 1024 MB of ephemeral storage is 512 above.
		r.Record(ctx, Invocation{AccountID: acct, FunctionName: "f", MemoryMB: 128, EphemeralStorageMB: 1024,
			BilledDuration: 100*time.Millisecond + 200*time.Microsecond, At: day})
	}
	// No duration still bills a millisecond; the next UTC day is a row of its own.
	r.Record(ctx, Invocation{AccountID: acct, FunctionName: "f", Version: "2", Architecture: ARM64, MemoryMB: 256,
		EphemeralStorageMB: 512, At: day.Add(2 * time.Second)})
	if err := r.SampleStorage(ctx, sizes{{acct, "fs-1", 1 << 30}, {acct, "fs-empty", 0}}, time.Minute); err != nil {
		t.Fatal(err)
	}
	if rows, _ := db.ListCostUsage(ctx, store.CostFilter{}); len(rows) != 0 {
		t.Fatalf("the ledger holds %d rows before a flush; want none", len(rows))
	}
	// A flush that cannot write keeps what it took.
	gone, cancel := context.WithCancel(ctx)
	cancel()
	if err := r.Flush(gone); err == nil {
		t.Fatal("Flush(cancelled) succeeded")
	}
	if err := r.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := db.ListCostUsage(ctx, store.CostFilter{})
	if err != nil {
		t.Fatal(err)
	}
	want := []store.CostUsage{
		{Account: acct, Region: "us-east-1", Day: "2026-12-07", Service: store.UsageEFS, Resource: "fs-1", ByteSeconds: 60 << 30},
		{Account: acct, Region: "us-east-1", Day: "2026-12-07", Service: store.UsageLambda, Resource: "f", Version: "$LATEST",
			Architecture: X86, Requests: 3, MBMillis: 3 * 128 * 101, EphemeralMBMillis: 3 * 512 * 101},
		{Account: acct, Region: "us-east-1", Day: "2026-12-08", Service: store.UsageLambda, Resource: "f", Version: "2",
			Architecture: ARM64, Requests: 1, MBMillis: 256},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ledger (-want +got):\n%s", diff)
	}
	// The next flush adds to the rows.
	r.Record(ctx, Invocation{AccountID: acct, FunctionName: "f", MemoryMB: 128, BilledDuration: time.Millisecond, At: day})
	if err := r.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	got, _ = db.ListCostUsage(ctx, store.CostFilter{From: "2026-12-07", To: "2026-12-07"})
	if len(got) != 2 || got[1].Requests != 4 || got[1].MBMillis != 3*128*101+128 {
		t.Errorf("after a second flush: %+v", got)
	}
}

func TestRecorderFlushesAsItStops(t *testing.T) {
	db := openLedger(t)
	clock := background.NewFakeClock(time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC))
	r := NewRecorder(db, "us-east-1", clock, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- r.Run(ctx) }()
	r.Record(ctx, Invocation{AccountID: acct, FunctionName: "f", MemoryMB: 128, BilledDuration: time.Millisecond, At: clock.Now()})
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}
	if rows, _ := db.ListCostUsage(context.Background(), store.CostFilter{}); len(rows) != 1 || rows[0].Requests != 1 {
		t.Errorf("after the stop the ledger holds %+v; want the one invocation", rows)
	}
}

func BenchmarkRecord(b *testing.B) {
	r := NewRecorder(nil, "us-east-1", nil, nil)
	inv := Invocation{AccountID: acct, FunctionName: "f", Version: "$LATEST", Architecture: X86, MemoryMB: 128,
		BilledDuration: 12 * time.Millisecond, At: time.Now()}
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r.Record(ctx, inv)
		}
	})
}
