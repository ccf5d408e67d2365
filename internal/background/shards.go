package background

import (
	"context"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// Shards runs work split into named shards (one poller per event source mapping, say) spread
// across the nodes: each shard is a lease of kind, and every interval each node reconciles the
// leases with names() (adding new shards, removing gone ones), counts the nodes taking part (each
// holds a presence lease of kind+".nodes", named after itself, while it runs), and claims free or
// expired shards up to its share (or gives back those above it).
// fn runs for each shard this node holds until its context ends (the runner stops, the shard is
// gone or given up, or its lease lost); if fn returns nil, the shard is given back and claimed
// again at the next interval, so fn may also be a single pass.
func (r *Runner) Shards(kind string, interval time.Duration, names func(ctx context.Context) ([]string, error), fn func(ctx context.Context, name string) error) {
	g := newLeased(r, kind, fn, func(ctx context.Context, l store.Lease) error {
		return r.cfg.Leases.ReleaseLease(ctx, l, time.Time{})
	})
	r.spawn(func(ctx context.Context) {
		p := periodic{r: r, name: r.cfg.Node, kind: kind + ".nodes", ttl: max(r.cfg.LeaseTTL, 2*interval)}
		defer p.finish()
		for ctx.Err() == nil {
			if p.hold(ctx) {
				r.failed(kind, balance(ctx, g, p.kind, names))
			}
			if Sleep(ctx, r.cfg.Clock, interval) != nil {
				return
			}
		}
	})
}

// balance reconciles a sharded job's leases with its shards and claims or gives back this node's
// share.
func balance(ctx context.Context, g *leased, nodesKind string, names func(ctx context.Context) ([]string, error)) error {
	r := g.r
	want, err := names(ctx)
	if err != nil {
		return err
	}
	list, err := r.cfg.Leases.ListLeases(ctx, g.kind)
	if err != nil {
		return err
	}
	nodes, err := r.cfg.Leases.ListLeases(ctx, nodesKind)
	if err != nil {
		return err
	}
	now := r.cfg.Clock.Now()
	holders := map[string]bool{r.cfg.Node: true}
	for _, n := range nodes {
		if n.Holder != "" && n.Expires.After(now) {
			holders[n.Holder] = true
		}
	}
	wanted := map[string]bool{}
	for _, n := range want {
		wanted[n] = true
	}
	for _, l := range list {
		if !wanted[l.Name] {
			g.stop(l.Name, errLost)
			if err := r.cfg.Leases.DeleteLease(ctx, g.kind, l.Name); err != nil {
				return err
			}
			continue
		}
		delete(wanted, l.Name)
		if l.Holder != "" && l.Expires.After(now) {
			holders[l.Holder] = true
		}
	}
	for n := range wanted { // shards without a lease yet
		if err := r.cfg.Leases.AddLease(ctx, g.kind, n); err != nil {
			return err
		}
	}
	share := (len(want) + len(holders) - 1) / len(holders)
	mine := g.names()
	for _, n := range mine[min(share, len(mine)):] {
		g.stop(n, errGivenUp)
	}
	if len(mine) < share {
		g.claim(ctx, share-len(mine))
	}
	return nil
}
