package background

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/store"
	"github.com/gureum/gureum/internal/store/sqlite"
)

var epoch = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// openStore opens an SQLite store at path (a fresh one when path is empty).
func openStore(t *testing.T, path string) *sqlite.DB {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "db")
	}
	st, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// counts records what the runner reports.
type counts struct {
	mu sync.Mutex
	m  map[string]int
}

func (c *counts) add(k string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]int{}
	}
	c.m[k]++
}

func (c *counts) get(k string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[k]
}

func (c *counts) JobRun(job string)              { c.add("run:" + job) }
func (c *counts) JobError(job string)            { c.add("error:" + job) }
func (c *counts) LeasesHeld(string, int)         {}
func (c *counts) OutboxDelivered(kind string)    { c.add("delivered:" + kind) }
func (c *counts) OutboxRetried(kind string)      { c.add("retried:" + kind) }
func (c *counts) OutboxDeadLettered(kind string) { c.add("dead:" + kind) }
func (c *counts) OutboxDepth(int64, int64)       {}

func newRunner(st store.Leases, clock Clock, node string, m Metrics) *Runner {
	return New(Config{Node: node, Leases: st, Clock: clock, Metrics: m, LeaseTTL: 10 * time.Second})
}

// advanceUntil moves the fake clock by step, giving the runner's goroutines a moment after each
// step, until cond holds; it fails the test after 400 steps.
func advanceUntil(t *testing.T, clock *FakeClock, step time.Duration, cond func() bool) {
	t.Helper()
	advanceSettled(t, clock, step, func() {}, cond)
}

// advanceSettled is advanceUntil with settle called before each step (e.g. to wait until the
// runner's loops sleep on the clock).
func advanceSettled(t *testing.T, clock *FakeClock, step time.Duration, settle func(), cond func() bool) {
	t.Helper()
	for i := 0; i < 400; i++ {
		if cond() {
			return
		}
		settle()
		clock.Advance(step)
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("condition never held")
}

// TestStopIsPrompt checks that Stop returns at once while every kind of work waits on a clock
// that never moves.
func TestStopIsPrompt(t *testing.T) {
	st := openStore(t, "")
	clock := NewFakeClock(epoch)
	r := newRunner(st, clock, "n1", nil)
	running := make(chan struct{}, 1)
	r.Go("loop", func(ctx context.Context) error { return Sleep(ctx, clock, time.Hour) })
	r.Every("periodic", time.Hour, func(ctx context.Context) error { return nil })
	tasks := r.Tasks("task", func(ctx context.Context, name string) error {
		running <- struct{}{}
		return Sleep(ctx, clock, time.Hour)
	})
	r.Shards("shard", time.Hour, func(context.Context) ([]string, error) { return []string{"a"}, nil },
		func(ctx context.Context, name string) error { return Sleep(ctx, clock, time.Hour) })
	st.AddLease(context.Background(), "task", "t1")
	r.Start(context.Background())
	tasks.Wake()
	<-running
	start := time.Now()
	r.Stop()
	if d := time.Since(start); d > time.Second {
		t.Errorf("Stop took %v with work waiting on the clock; want at once", d)
	}
	// Stop gave the task's lease up: free at once for the next node.
	if ls, _ := st.ListLeases(context.Background(), "task"); len(ls) != 1 || ls[0].Holder != "" || !ls[0].Expires.IsZero() {
		t.Errorf("task lease after Stop = %+v; want it free", ls)
	}
}

// TestStopBoundedWhenWorkIgnoresContext checks that Stop gives up after StopTimeout on work that
// does not watch its context.
func TestStopBoundedWhenWorkIgnoresContext(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	r := New(Config{StopTimeout: 100 * time.Millisecond})
	started := make(chan struct{})
	r.Go("stubborn", func(ctx context.Context) error { close(started); <-block; return nil })
	r.Start(context.Background())
	<-started
	start := time.Now()
	r.Stop()
	if d := time.Since(start); d > time.Second {
		t.Errorf("Stop took %v; want about StopTimeout", d)
	}
}

// TestEveryRunsOnOneNode runs one periodic job on two nodes: one runs it; when it stops, the
// other takes over.
func TestEveryRunsOnOneNode(t *testing.T) {
	st := openStore(t, "")
	clock := NewFakeClock(epoch)
	var runs [2]atomic.Int32
	var rs [2]*Runner
	for i := range rs {
		rs[i] = newRunner(st, clock, fmt.Sprint("n", i), nil)
		rs[i].Every("sweep", time.Second, func(ctx context.Context) error { runs[i].Add(1); return nil })
		rs[i].Start(context.Background())
	}
	defer rs[1].Stop()
	advanceUntil(t, clock, time.Second, func() bool { return runs[0].Load()+runs[1].Load() >= 10 })
	if runs[0].Load() > 0 && runs[1].Load() > 0 {
		t.Fatalf("both nodes ran the job: %d and %d runs", runs[0].Load(), runs[1].Load())
	}
	holder := 0
	if runs[1].Load() > 0 {
		holder = 1
	}
	other := 1 - holder
	rs[holder].Stop()
	advanceUntil(t, clock, time.Second, func() bool { return runs[other].Load() >= 3 })
}

// TestEveryTakesOverFromDeadNode has a node that died holding the job's lease: the job runs
// nowhere until the lease expires, then here.
func TestEveryTakesOverFromDeadNode(t *testing.T) {
	st := openStore(t, "")
	ctx := context.Background()
	clock := NewFakeClock(epoch)
	st.AddLease(ctx, PeriodicLease, "sweep")
	if _, ok, err := st.ClaimLease(ctx, PeriodicLease, "sweep", "ghost", epoch, epoch.Add(30*time.Second)); !ok || err != nil {
		t.Fatalf("ghost's claim = %v, %v", ok, err)
	}
	var ran atomic.Int32
	var firstRun atomic.Int64
	r := newRunner(st, clock, "n1", nil)
	r.Every("sweep", time.Second, func(ctx context.Context) error {
		if ran.Add(1) == 1 {
			firstRun.Store(clock.Now().UnixNano())
		}
		return nil
	})
	r.Start(ctx)
	defer r.Stop()
	advanceUntil(t, clock, time.Second, func() bool { return ran.Load() > 0 })
	if at := time.Unix(0, firstRun.Load()); at.Before(epoch.Add(30 * time.Second)) {
		t.Errorf("ran at %v, before the dead node's lease expired", at.Sub(epoch))
	}
}

// TestErrorsAreCounted checks that a job's errors are logged and counted.
func TestErrorsAreCounted(t *testing.T) {
	st := openStore(t, "")
	clock := NewFakeClock(epoch)
	m := &counts{}
	r := newRunner(st, clock, "n1", m)
	r.Every("flaky", time.Second, func(ctx context.Context) error { return errors.New("boom") })
	r.Start(context.Background())
	defer r.Stop()
	advanceUntil(t, clock, time.Second, func() bool { return m.get("error:flaky") >= 3 })
	if m.get("run:flaky") < 3 {
		t.Errorf("runs = %d; want every run counted", m.get("run:flaky"))
	}
}

// TestTaskMovesToAnotherNode runs a task on one node, stops that node mid-task, and checks the
// other node resumes and finishes it; a finished task's lease is gone.
func TestTaskMovesToAnotherNode(t *testing.T) {
	st := openStore(t, "")
	ctx := context.Background()
	clock := NewFakeClock(epoch)
	st.AddLease(ctx, "job", "t1")
	ran := make(chan string, 4)
	r1 := newRunner(st, clock, "n1", nil)
	r1.Tasks("job", func(ctx context.Context, name string) error {
		ran <- "n1"
		<-ctx.Done() // runs until its node stops
		return ctx.Err()
	}).Wake()
	r1.Start(ctx)
	if got := <-ran; got != "n1" {
		t.Fatal(got)
	}
	r2 := newRunner(st, clock, "n2", nil)
	r2.Tasks("job", func(ctx context.Context, name string) error { ran <- "n2:" + name; return nil })
	r2.Start(ctx)
	defer r2.Stop()
	r1.Stop()
	advanceUntil(t, clock, time.Second, func() bool { return len(ran) > 0 })
	if got := <-ran; got != "n2:t1" {
		t.Errorf("resumed on %q; want n2:t1", got)
	}
	advanceUntil(t, clock, time.Second, func() bool {
		ls, _ := st.ListLeases(ctx, "job")
		return len(ls) == 0
	})
}

// TestTaskLeaseExpiresWhenNodeDies has a task held by a node that died: another node takes it
// once the lease expires, not before.
func TestTaskLeaseExpiresWhenNodeDies(t *testing.T) {
	st := openStore(t, "")
	ctx := context.Background()
	clock := NewFakeClock(epoch)
	st.AddLease(ctx, "job", "t1")
	if ls, err := st.ClaimLeases(ctx, "job", "ghost", epoch, epoch.Add(10*time.Second), 1); len(ls) != 1 || err != nil {
		t.Fatal(ls, err)
	}
	var at atomic.Int64
	r := newRunner(st, clock, "n1", nil)
	r.Tasks("job", func(ctx context.Context, name string) error { at.Store(clock.Now().UnixNano()); return nil })
	r.Start(ctx)
	defer r.Stop()
	advanceUntil(t, clock, time.Second, func() bool { return at.Load() != 0 })
	if got := time.Unix(0, at.Load()); got.Before(epoch.Add(10 * time.Second)) {
		t.Errorf("taken at +%v; want after the lease expired at +10s", got.Sub(epoch))
	}
}

// TestShardsSpreadAcrossNodes has two nodes share four shards, two each, and the survivor take
// all four when the other stops.
func TestShardsSpreadAcrossNodes(t *testing.T) {
	st := openStore(t, "")
	ctx := context.Background()
	clock := NewFakeClock(epoch)
	shards := func(context.Context) ([]string, error) { return []string{"a", "b", "c", "d"}, nil }
	var held [2]atomic.Int32
	var rs [2]*Runner
	for i := range rs {
		rs[i] = newRunner(st, clock, fmt.Sprint("n", i), nil)
		rs[i].Shards("poller", time.Second, shards, func(ctx context.Context, name string) error {
			held[i].Add(1)
			defer held[i].Add(-1)
			<-ctx.Done()
			return nil
		})
	}
	rs[0].Start(ctx)
	advanceUntil(t, clock, time.Second, func() bool { return held[0].Load() == 4 })
	rs[1].Start(ctx)
	defer rs[1].Stop()
	advanceUntil(t, clock, time.Second, func() bool { return held[0].Load() == 2 && held[1].Load() == 2 })
	rs[0].Stop()
	advanceUntil(t, clock, time.Second, func() bool { return held[1].Load() == 4 })
}
