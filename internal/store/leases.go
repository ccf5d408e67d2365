package store

import (
	"context"
	"time"
)

// Lease is a piece of background work and the node that holds it: a periodic job (one lease
// that exactly one node holds at a time), a shard of a sharded job, or a long-running task. A
// holder keeps its lease by renewing it before it expires; a node that stops renewing loses it to
// the next node that claims it. Token rises at every hand-over, so a renewal by a holder that lost
// the lease meanwhile fails.
type Lease struct {
	Kind    string    // what work, e.g. "periodic", "sqs.move"
	Name    string    // which one of its kind, e.g. a job's name or a task's handle
	Holder  string    // the node holding it; "" when free
	Token   int64     // raised at each claim by a new holder or after expiry
	Expires time.Time // when the holder loses it; zero (or past) when free
}

// Leases stores leases. Times come from the caller's clock.
type Leases interface {
	// AddLease records work (kind, name) that nobody holds yet; a lease that exists is kept.
	AddLease(ctx context.Context, kind, name string) error
	// ClaimLease takes an existing lease for holder until the time given, if it is free, expired
	// at now, or already held by holder (a renewal that keeps its token). ok is false when
	// another node holds it or it does not exist.
	ClaimLease(ctx context.Context, kind, name, holder string, now, until time.Time) (l Lease, ok bool, err error)
	// ClaimLeases takes up to limit leases of kind that are free or expired at now, for holder
	// until the time given; a lease is claimed by one caller only.
	ClaimLeases(ctx context.Context, kind, holder string, now, until time.Time, limit int) ([]Lease, error)
	// RenewLease extends a held lease (a heartbeat); held is false when l.Holder no longer holds
	// it with l.Token.
	RenewLease(ctx context.Context, l Lease, until time.Time) (held bool, err error)
	// ReleaseLease gives a held lease up: it is free for any node from after on (zero: at once).
	ReleaseLease(ctx context.Context, l Lease, after time.Time) error
	// FinishLease removes a held lease: its work is done.
	FinishLease(ctx context.Context, l Lease) error
	// DeleteLease removes a lease whoever holds it: its work is gone (a shard's source deleted).
	DeleteLease(ctx context.Context, kind, name string) error
	// ListLeases lists the leases of a kind by name.
	ListLeases(ctx context.Context, kind string) ([]Lease, error)
}
