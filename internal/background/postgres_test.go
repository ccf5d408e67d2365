package background

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/store"
	"github.com/gureum/gureum/internal/store/postgres"
)

// twoPostgresNodes opens two store handles on one fresh PostgreSQL schema, as two nodes would, or
// skips the test without GUREUM_TEST_POSTGRES.
func twoPostgresNodes(t *testing.T) (a, b *postgres.DB) {
	dsn := os.Getenv("GUREUM_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("GUREUM_TEST_POSTGRES is not set")
	}
	schema := fmt.Sprintf("gureum_bg_%d", time.Now().UnixNano())
	open := func() *postgres.DB {
		db, err := postgres.Open(context.Background(), dsn, postgres.Options{Schema: schema})
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	a, b = open(), open()
	t.Cleanup(func() {
		b.Close()
		a.DropSchema(context.Background(), schema)
		a.Close()
	})
	return a, b
}

// TestEveryRunsOnOnePostgresNode runs a periodic job on two nodes sharing PostgreSQL: one runs
// it; when that one stops, the other takes over.
func TestEveryRunsOnOnePostgresNode(t *testing.T) {
	a, b := twoPostgresNodes(t)
	clock := NewFakeClock(epoch)
	var runs [2]atomic.Int32
	var rs [2]*Runner
	for i, st := range []*postgres.DB{a, b} {
		rs[i] = newRunner(st, clock, fmt.Sprint("n", i), nil)
		rs[i].Every("sweep", time.Second, func(ctx context.Context) error { runs[i].Add(1); return nil })
		rs[i].Start(context.Background())
	}
	// Each step waits until both loops sleep on the clock: a step taken while the holder is still
	// writing its renewal could pass its lease's expiry in fake time (under load, CI saw both
	// nodes run the job when the clock ran ahead of the holder).
	settled := func(n int) func() {
		return func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			clock.WaitForTimers(ctx, n)
		}
	}
	advanceSettled(t, clock, time.Second, settled(2), func() bool { return runs[0].Load()+runs[1].Load() >= 10 })
	if runs[0].Load() > 0 && runs[1].Load() > 0 {
		t.Fatalf("both nodes ran the job: %d and %d runs", runs[0].Load(), runs[1].Load())
	}
	holder := 0
	if runs[1].Load() > 0 {
		holder = 1
	}
	rs[holder].Stop()
	defer rs[1-holder].Stop()
	advanceSettled(t, clock, time.Second, settled(1), func() bool { return runs[1-holder].Load() >= 3 })
}

// TestOutboxWakesAcrossPostgresNodes enqueues on one node while the other's dispatcher waits on a
// clock that never moves: the store's notice wakes it, and it delivers everything once.
func TestOutboxWakesAcrossPostgresNodes(t *testing.T) {
	a, b := twoPostgresNodes(t)
	ctx := context.Background()
	clock := NewFakeClock(epoch)
	seen := make(chan int64, 100)
	r := newRunner(b, clock, "b", nil)
	o := NewOutbox(r, b, b, OutboxOptions{Batch: 4})
	o.Handle("k", func(ctx context.Context, d store.Delivery) error {
		seen <- d.ID
		return nil
	})
	r.Go("notifier", b.Listen)
	r.Go("outbox", o.Run)
	r.Start(ctx)
	defer r.Stop()
	// Wait until node b listens on the outbox's topic: announce until heard.
	heard := make(chan string, 1)
	defer b.Subscribe(store.OutboxTopic, func(key string) {
		select {
		case heard <- key:
		default:
		}
	})()
	for {
		a.Notify(ctx, store.OutboxTopic, "probe")
		select {
		case <-heard:
		case <-time.After(100 * time.Millisecond):
			continue
		}
		break
	}
	const total = 40
	ids := map[int64]bool{}
	for deadline := time.After(20 * time.Second); len(ids) < total; {
		if len(ids)%10 == 0 { // enqueue the next ten once the last are delivered
			var ds []store.Delivery
			for range 10 {
				ds = append(ds, deliveryTo("k", "t"))
			}
			if err := a.Enqueue(ctx, ds...); err != nil {
				t.Fatal(err)
			}
		}
		select {
		case id := <-seen:
			if ids[id] {
				t.Errorf("delivery %d delivered twice", id)
			}
			ids[id] = true
		case <-deadline:
			t.Fatalf("delivered %d of %d (the clock never moved: only wake-ups drive the dispatcher)", len(ids), total)
		}
	}
}
