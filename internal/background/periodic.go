package background

import (
	"context"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// PeriodicLease is the kind of the leases of periodic jobs, named by job.
const PeriodicLease = "periodic"

// Every runs fn every interval on exactly one node at a time: the node holding the job's lease
// (kind PeriodicLease, named name). Every node tries to claim it at each interval; the holder
// renews it as it runs, and when the holder stops (Stop gives the lease up; a node that dies
// stops renewing it), another node takes it at its next try. fn's errors are logged and counted.
// A run that outlasts the lease (at least twice the interval) may overlap a run elsewhere: fn
// should do a bounded amount of work.
func (r *Runner) Every(name string, interval time.Duration, fn func(ctx context.Context) error) {
	ttl := max(r.cfg.LeaseTTL, 2*interval)
	r.spawn(func(ctx context.Context) {
		p := periodic{r: r, kind: PeriodicLease, name: name, ttl: ttl}
		defer p.release()
		for ctx.Err() == nil {
			if p.hold(ctx) {
				r.cfg.Metrics.JobRun(name)
				r.failed(name, fn(ctx))
			}
			if Sleep(ctx, r.cfg.Clock, interval) != nil {
				return
			}
		}
	})
}

// periodic is a lease that one loop holds while it runs: a periodic job's, or a node's presence
// among a sharded job's nodes.
type periodic struct {
	r       *Runner
	kind    string
	name    string
	ttl     time.Duration
	added   bool
	lease   store.Lease
	holding bool
}

// hold claims the lease, or renews it once half its time is gone, and reports whether this node
// holds it. A holder whose lease has more than half its time left writes nothing.
func (p *periodic) hold(ctx context.Context) bool {
	leases := p.r.cfg.Leases
	if !p.added {
		if err := leases.AddLease(ctx, p.kind, p.name); err != nil {
			p.r.failed(p.name, err)
			return false
		}
		p.added = true
	}
	now := p.r.cfg.Clock.Now()
	if p.holding && p.lease.Expires.Sub(now) > p.ttl/2 {
		return true
	}
	l, ok, err := leases.ClaimLease(ctx, p.kind, p.name, p.r.cfg.Node, now, now.Add(p.ttl))
	if err != nil {
		p.r.failed(p.name, err)
		p.holding = p.holding && now.Before(p.lease.Expires)
		return p.holding
	}
	if ok != p.holding {
		p.r.cfg.Log.Debug("periodic job lease", "job", p.name, "held", ok, "node", p.r.cfg.Node)
	}
	p.lease, p.holding = l, ok
	return ok
}

// release gives the lease up, so another node runs the job at its next try.
func (p *periodic) release() {
	if !p.holding {
		return
	}
	ctx, cancel := releaseContext()
	defer cancel()
	p.r.failed(p.name, p.r.cfg.Leases.ReleaseLease(ctx, p.lease, time.Time{}))
}

// finish removes the lease (a node's presence, which ends with it).
func (p *periodic) finish() {
	if !p.holding {
		return
	}
	ctx, cancel := releaseContext()
	defer cancel()
	p.r.failed(p.name, p.r.cfg.Leases.FinishLease(ctx, p.lease))
}
