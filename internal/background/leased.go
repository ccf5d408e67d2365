package background

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// Why a leased run's context ended, besides the runner stopping.
var (
	errLost     = errors.New("lease lost")     // another node holds it, or its work is gone
	errGivenUp  = errors.New("lease given up") // this node hands it to another (rebalancing)
	retryFailed = 10 * time.Second             // a run that failed may be claimed again after this
)

// leased runs the claimed leases of one kind on this node, each on its own goroutine, under a
// context that ends when the runner stops or the lease is lost, renewing the lease meanwhile
// (every third of its time).
type leased struct {
	r    *Runner
	kind string
	fn   func(ctx context.Context, name string) error
	// done is what happens to the lease when fn returns nil: a task's is finished, a shard's
	// given back.
	done func(ctx context.Context, l store.Lease) error

	mu      sync.Mutex
	running map[string]context.CancelCauseFunc
}

func newLeased(r *Runner, kind string, fn func(context.Context, string) error, done func(context.Context, store.Lease) error) *leased {
	return &leased{r: r, kind: kind, fn: fn, done: done, running: map[string]context.CancelCauseFunc{}}
}

// claim takes up to limit free or expired leases of the kind and runs them.
func (g *leased) claim(ctx context.Context, limit int) {
	now := g.r.cfg.Clock.Now()
	ls, err := g.r.cfg.Leases.ClaimLeases(ctx, g.kind, g.r.cfg.Node, now, now.Add(g.r.cfg.LeaseTTL), limit)
	g.r.failed(g.kind, err)
	for _, l := range ls {
		g.start(l)
	}
}

// start runs fn for a lease this node has claimed.
func (g *leased) start(l store.Lease) {
	g.mu.Lock()
	_, dup := g.running[l.Name]
	g.mu.Unlock()
	if dup || !g.r.spawn(func(rctx context.Context) { g.run(rctx, l) }) {
		// Already running here under an older claim (which will find its lease lost), or the
		// runner has stopped: give the new claim back.
		g.release(l, time.Time{})
	}
}

func (g *leased) run(rctx context.Context, l store.Lease) {
	ctx, cancel := context.WithCancelCause(rctx)
	g.mu.Lock()
	if _, dup := g.running[l.Name]; dup {
		g.mu.Unlock()
		cancel(nil)
		g.release(l, time.Time{})
		return
	}
	g.running[l.Name] = cancel
	g.r.cfg.Metrics.LeasesHeld(g.kind, len(g.running))
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		delete(g.running, l.Name)
		g.r.cfg.Metrics.LeasesHeld(g.kind, len(g.running))
		g.mu.Unlock()
	}()
	beat := make(chan struct{})
	go func() {
		defer close(beat)
		g.heartbeat(ctx, cancel, l)
	}()
	g.r.cfg.Metrics.JobRun(g.kind)
	err := g.fn(ctx, l.Name)
	cause := context.Cause(ctx)
	cancel(nil)
	<-beat
	switch {
	case errors.Is(cause, errLost):
		// Another node has it, or its work is gone: nothing to give back.
	case rctx.Err() != nil || errors.Is(cause, errGivenUp):
		g.release(l, time.Time{}) // stopping or rebalancing: the next node takes it at once
	case err == nil:
		rel, cancel := releaseContext()
		g.r.failed(g.kind, g.done(rel, l), "name", l.Name)
		cancel()
	default:
		g.r.failed(g.kind, err, "name", l.Name)
		g.release(l, g.r.cfg.Clock.Now().Add(retryFailed))
	}
}

// heartbeat renews the lease every third of its time until ctx ends, and ends ctx when the
// lease is lost (another holder, or expired without a successful renewal).
func (g *leased) heartbeat(ctx context.Context, cancel context.CancelCauseFunc, l store.Lease) {
	ttl := g.r.cfg.LeaseTTL
	expires := l.Expires
	for Sleep(ctx, g.r.cfg.Clock, ttl/3) == nil {
		now := g.r.cfg.Clock.Now()
		held, err := g.r.cfg.Leases.RenewLease(ctx, l, now.Add(ttl))
		switch {
		case err != nil && ctx.Err() == nil:
			g.r.failed(g.kind, err, "name", l.Name)
			if !now.Before(expires) {
				cancel(errLost)
				return
			}
		case err == nil && !held:
			cancel(errLost)
			return
		case err == nil:
			expires = now.Add(ttl)
		}
	}
}

// release gives a lease back, free from after on.
func (g *leased) release(l store.Lease, after time.Time) {
	ctx, cancel := releaseContext()
	defer cancel()
	g.r.failed(g.kind, g.r.cfg.Leases.ReleaseLease(ctx, l, after), "name", l.Name)
}

// stop ends the local run of a lease, for the given cause.
func (g *leased) stop(name string, cause error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if cancel, ok := g.running[name]; ok {
		cancel(cause)
	}
}

// names returns the leases running here.
func (g *leased) names() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]string, 0, len(g.running))
	for n := range g.running {
		out = append(out, n)
	}
	return out
}
