package background

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/store"
	"github.com/gureum/gureum/internal/store/sqlite"
)

func deliveryTo(kind, target string) store.Delivery {
	return store.Delivery{Kind: kind, Target: target, Payload: []byte("{}"), Created: epoch}
}

// TestOutboxRetriesWithBackoff fails a delivery twice, then delivers it: the attempts are spaced
// by the backoff (1 s, then 2 s) and counted.
func TestOutboxRetriesWithBackoff(t *testing.T) {
	st := openStore(t, "")
	ctx := context.Background()
	clock := NewFakeClock(epoch)
	m := &counts{}
	r := newRunner(st, clock, "n1", m)
	o := NewOutbox(r, st, st, OutboxOptions{})
	var at []time.Duration
	o.Handle("test.kind", func(ctx context.Context, d store.Delivery) error {
		at = append(at, clock.Now().Sub(epoch))
		if d.Attempts < 3 {
			return errors.New("target away")
		}
		return nil
	})
	st.Enqueue(ctx, deliveryTo("test.kind", "t"))
	for range 8 {
		o.DeliverDue(ctx)
		clock.Advance(500 * time.Millisecond)
	}
	if len(at) != 3 || at[0] != 0 || at[1] != time.Second || at[2] != 3*time.Second {
		t.Errorf("attempts at %v; want 0s, 1s, 3s", at)
	}
	if m.get("retried:test.kind") != 2 || m.get("delivered:test.kind") != 1 {
		t.Errorf("metrics = %v; want 2 retried, 1 delivered", m.m)
	}
	if c, _ := st.CountDeliveries(ctx); c != (store.DeliveryCounts{}) {
		t.Errorf("CountDeliveries = %+v; want none left", c)
	}
}

// TestOutboxDeadLetters gives up on a delivery after MaxAttempts, at once on a permanent error,
// and on a kind nobody handles; dead deliveries are kept with their last error.
func TestOutboxDeadLetters(t *testing.T) {
	st := openStore(t, "")
	ctx := context.Background()
	clock := NewFakeClock(epoch)
	m := &counts{}
	r := newRunner(st, clock, "n1", m)
	o := NewOutbox(r, st, st, OutboxOptions{MaxAttempts: 3})
	o.Handle("flaky", func(context.Context, store.Delivery) error { return errors.New("still away") })
	o.Handle("gone", func(context.Context, store.Delivery) error { return Permanent(errors.New("no such target")) })
	st.Enqueue(ctx, deliveryTo("flaky", "a"), deliveryTo("gone", "b"), deliveryTo("unknown", "c"))
	for range 20 {
		o.DeliverDue(ctx)
		clock.Advance(time.Minute)
	}
	dead, err := st.Deliveries(ctx, true, 10)
	if err != nil || len(dead) != 3 {
		t.Fatalf("dead deliveries = %+v, %v; want 3", dead, err)
	}
	want := map[string]struct {
		attempts int
		err      string
	}{"a": {3, "still away"}, "b": {1, "no such target"}, "c": {3, "no handler for delivery kind unknown"}}
	for _, d := range dead {
		if w := want[d.Target]; d.Attempts != w.attempts || d.LastError != w.err {
			t.Errorf("dead %s: %d attempts, %q; want %d, %q", d.Target, d.Attempts, d.LastError, w.attempts, w.err)
		}
	}
	if m.get("dead:flaky") != 1 || m.get("dead:gone") != 1 || m.get("retried:flaky") != 2 {
		t.Errorf("metrics = %v", m.m)
	}
}

// TestOutboxDeliversAfterCrash records a delivery and closes the store before any dispatcher
// ran (a node killed after its change committed); a dispatcher on the reopened store delivers it.
// A second delivery was claimed by a dispatcher that died before finishing it: it is delivered
// again once its claim runs out (at least once).
func TestOutboxDeliversAfterCrash(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	ctx := context.Background()
	st, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Enqueue(ctx, deliveryTo("k", "recorded"), deliveryTo("k", "claimed")); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ClaimDeliveries(ctx, epoch, epoch.Add(30*time.Second), 1); err != nil {
		t.Fatal(err)
	}
	st.Close()

	st = openStore(t, path)
	clock := NewFakeClock(epoch)
	r := newRunner(st, clock, "n2", nil)
	o := NewOutbox(r, st, st, OutboxOptions{})
	var got atomic.Int32
	delivered := make(chan string, 2)
	o.Handle("k", func(ctx context.Context, d store.Delivery) error {
		got.Add(1)
		delivered <- d.Target
		return nil
	})
	r.Go("outbox", o.Run)
	r.Start(ctx)
	defer r.Stop()
	advanceUntil(t, clock, time.Second, func() bool { return got.Load() == 2 })
	if first := <-delivered; first != "claimed" && first != "recorded" {
		t.Errorf("delivered %q", first)
	}
}

// TestOutboxWakesOnEnqueue checks that a dispatcher delivers a new delivery without waiting for
// its poll: the clock never moves.
func TestOutboxWakesOnEnqueue(t *testing.T) {
	st := openStore(t, "")
	ctx := context.Background()
	clock := NewFakeClock(epoch)
	r := newRunner(st, clock, "n1", nil)
	o := NewOutbox(r, st, st, OutboxOptions{})
	delivered := make(chan string, 1)
	o.Handle("k", func(ctx context.Context, d store.Delivery) error { delivered <- d.Target; return nil })
	r.Go("outbox", o.Run)
	r.Start(ctx)
	defer r.Stop()
	clock.WaitForTimers(ctx, 1) // the dispatcher waits for its poll
	st.Enqueue(ctx, store.Delivery{Kind: "k", Target: "now", Payload: []byte("x"), Created: epoch})
	select {
	case got := <-delivered:
		if got != "now" {
			t.Errorf("delivered %q", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the dispatcher did not wake for a new delivery")
	}
}

// TestOutboxConcurrentKinds: the deliveries of a Concurrent kind in one batch run at once (each
// handler waits until all four have started), while those to FIFO targets run one after another
// in the order they were recorded; a kind not declared concurrent keeps its order too.
func TestOutboxConcurrentKinds(t *testing.T) {
	st := openStore(t, "")
	ctx := context.Background()
	r := newRunner(st, NewFakeClock(epoch), "n1", nil)
	o := NewOutbox(r, st, st, OutboxOptions{})
	var order []string // the ordered deliveries, appended by the dispatcher's own goroutine only
	var started sync.WaitGroup
	started.Add(4)
	o.Handle("fan", func(ctx context.Context, d store.Delivery) error {
		if strings.HasSuffix(d.Target, ".fifo") {
			order = append(order, string(d.Payload))
			return nil
		}
		started.Done()
		started.Wait() // only returns once every one is running
		return nil
	})
	o.Concurrent("fan")
	o.Handle("plain", func(ctx context.Context, d store.Delivery) error {
		order = append(order, string(d.Payload))
		return nil
	})
	var ds []store.Delivery
	for i := range 4 {
		ds = append(ds, deliveryTo("fan", fmt.Sprint("q", i)),
			store.Delivery{Kind: "fan", Target: "q.fifo", Payload: []byte(fmt.Sprint("f", i)), Created: epoch},
			store.Delivery{Kind: "plain", Target: "p", Payload: []byte(fmt.Sprint("p", i)), Created: epoch})
	}
	st.Enqueue(ctx, ds...)
	done := make(chan error, 1)
	go func() { _, err := o.DeliverDue(ctx); done <- err }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the concurrent deliveries did not run at once")
	}
	if got := strings.Join(order, " "); got != "f0 p0 f1 p1 f2 p2 f3 p3" {
		t.Errorf("ordered deliveries ran as %q; want f0 p0 f1 p1 f2 p2 f3 p3", got)
	}
	if c, _ := st.CountDeliveries(ctx); c != (store.DeliveryCounts{}) {
		t.Errorf("CountDeliveries = %+v; want none left", c)
	}
}
