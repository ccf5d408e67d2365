// Package background runs gureum's work outside requests, the one way every service does it:
//
//   - leases (store.Leases) decide which node runs what, and move work off a node that stops
//     renewing them;
//   - a Runner owns the goroutines, through a context that Stop cancels, on an injected Clock;
//     it logs and counts every error;
//   - kinds of work: Go (a loop on every node), Every (a periodic job on exactly one node at a
//     time), Tasks (long-running tasks, each under its lease, resumed elsewhere when their node
//     dies) and Shards (work split into named shards that the nodes share out);
//   - Outbox delivers the deliveries that stores record with their changes (store.Outbox), at
//     least once, with retries and backoff, dead-lettering them after a limit.
//
// Cross-node wake-ups go through the store's Notifier (store.Notifier), whose Listen loop a Runner
// runs like any other (Go).
package background

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// Metrics is what background work reports; *telemetry.Metrics implements it. Nil reports
// nothing.
type Metrics interface {
	JobRun(job string)
	JobError(job string)
	LeasesHeld(kind string, n int)
	OutboxDelivered(kind string)
	OutboxRetried(kind string)
	OutboxDeadLettered(kind string)
	OutboxDepth(pending, dead int64)
}

// Config is what a Runner needs.
type Config struct {
	Node     string        // this node's name as a lease holder; NodeID() when empty
	Leases   store.Leases  // where leases are kept; needed by Every, Tasks and Shards
	Clock    Clock         // RealClock when nil
	Log      *slog.Logger  // discarded when nil
	Metrics  Metrics       // nil reports nothing
	LeaseTTL time.Duration // how long a lease lasts unrenewed (default 10 s); renewed every third of it
	// StopTimeout bounds how long Stop waits for work that ignores its context (default 5 s).
	StopTimeout time.Duration
}

// Runner runs background work. Register work (Go, Every, Tasks, Shards) before Start; Stop
// cancels it all, gives up the leases this node holds so the next node takes them at once, and
// returns once every goroutine has ended (or StopTimeout has passed).
type Runner struct {
	cfg Config

	mu      sync.Mutex
	pending []func(ctx context.Context) // registered before Start
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	stopped bool
}

// NodeID is a name for this process as a lease holder: its host name and a random suffix, so two
// processes on one host differ.
func NodeID() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	rand.Read(b)
	return host + "-" + hex.EncodeToString(b)
}

// New returns a runner.
func New(cfg Config) *Runner {
	if cfg.Node == "" {
		cfg.Node = NodeID()
	}
	if cfg.Clock == nil {
		cfg.Clock = RealClock{}
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Metrics == nil {
		cfg.Metrics = noMetrics{}
	}
	if cfg.LeaseTTL <= 0 {
		cfg.LeaseTTL = 10 * time.Second
	}
	if cfg.StopTimeout <= 0 {
		cfg.StopTimeout = 5 * time.Second
	}
	return &Runner{cfg: cfg}
}

// Node is this runner's name as a lease holder.
func (r *Runner) Node() string { return r.cfg.Node }

// Clock is the runner's clock.
func (r *Runner) Clock() Clock { return r.cfg.Clock }

// Start starts the registered work. ctx is not kept: only Stop ends the work.
func (r *Runner) Start(context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ctx != nil {
		return nil
	}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	for _, fn := range r.pending {
		r.launch(fn)
	}
	r.pending = nil
	return nil
}

// Stop ends all work and waits for it, at most StopTimeout.
func (r *Runner) Stop() {
	r.mu.Lock()
	r.stopped = true
	cancel := r.cancel
	r.mu.Unlock()
	if cancel == nil {
		return
	}
	cancel()
	done := make(chan struct{})
	go func() {
		r.wg.Wait()
		close(done)
	}()
	t := time.NewTimer(r.cfg.StopTimeout)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		r.cfg.Log.Error("background work did not stop in time", "timeout", r.cfg.StopTimeout)
	}
}

// spawn runs fn on a goroutine of the runner's: at Start if it has not started, now if it has,
// never once it has stopped. It reports whether fn will run.
func (r *Runner) spawn(fn func(ctx context.Context)) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.stopped:
		return false
	case r.ctx == nil:
		r.pending = append(r.pending, fn)
	default:
		r.launch(fn)
	}
	return true
}

func (r *Runner) launch(fn func(ctx context.Context)) {
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		fn(r.ctx)
	}()
}

// failed logs and counts an error of job (a context ending is not one).
func (r *Runner) failed(job string, err error, args ...any) {
	if err == nil || errors.Is(err, context.Canceled) {
		return
	}
	r.cfg.Metrics.JobError(job)
	r.cfg.Log.Warn("background work failed", append([]any{"job", job, "err", err}, args...)...)
}

// Go runs fn on every node until Stop: a loop of the node's own, such as the store notifier's
// Listen. If fn returns an error it is logged and counted and fn runs again after a backoff
// (1 s, doubling to 30 s); if it returns nil it is done.
func (r *Runner) Go(name string, fn func(ctx context.Context) error) {
	r.spawn(func(ctx context.Context) {
		backoff := time.Second
		for ctx.Err() == nil {
			r.cfg.Metrics.JobRun(name)
			err := fn(ctx)
			if err == nil || ctx.Err() != nil {
				return
			}
			r.failed(name, err)
			if Sleep(ctx, r.cfg.Clock, backoff) != nil {
				return
			}
			backoff = min(2*backoff, 30*time.Second)
		}
	})
}

// releaseContext is for the store calls a runner makes after its context ended (giving up
// leases): bounded, so a store that is away does not hold Stop up.
func releaseContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 2*time.Second)
}

type noMetrics struct{}

func (noMetrics) JobRun(string)             {}
func (noMetrics) JobError(string)           {}
func (noMetrics) LeasesHeld(string, int)    {}
func (noMetrics) OutboxDelivered(string)    {}
func (noMetrics) OutboxRetried(string)      {}
func (noMetrics) OutboxDeadLettered(string) {}
func (noMetrics) OutboxDepth(int64, int64)  {}
