package store

import (
	"context"
	"time"
)

// Delivery is a message to another component or service that a change caused: an S3 event
// notification, an asynchronous invocation, a fan-out, a schedule's target. It is recorded in the
// transaction of the change (or on its own with Enqueue) and delivered after, at least once, by a
// handler chosen by Kind, with retries and backoff; after a limit it is dead-lettered and kept,
// with its last error, until removed.
type Delivery struct {
	ID        int64
	Kind      string // which handler delivers it, e.g. "s3.notification", "lambda.async"
	Target    string // where to, in the handler's terms (a queue ARN, a function ARN)
	Payload   []byte
	Attempts  int       // delivery attempts begun (claims)
	NotBefore time.Time // not delivered before (the retry time, or the end of a claim)
	Created   time.Time
	LastError string // why the last attempt failed
	Dead      bool   // dead-lettered: no further attempts
}

// OutboxTopic is the notifier topic (Notifier) on which stores announce new deliveries, so
// dispatchers look at once rather than at their next poll.
const OutboxTopic = "outbox"

// DeliveryCounts are how many deliveries wait and how many are dead-lettered.
type DeliveryCounts struct {
	Pending, Dead int64
}

// Outbox stores deliveries.
type Outbox interface {
	// Enqueue records deliveries on their own (a change in another store records them in its
	// own transaction instead). ID, Attempts, LastError and Dead are ignored.
	Enqueue(ctx context.Context, ds ...Delivery) error
	// ClaimDeliveries takes up to limit pending deliveries due at now, oldest first, counts an
	// attempt on each and moves its NotBefore to until, so that no other claimer takes it before
	// then: a node that dies while delivering leaves it due again at until. The deliveries are
	// returned as claimed.
	ClaimDeliveries(ctx context.Context, now, until time.Time, limit int) ([]Delivery, error)
	// DeliveryDone removes a delivered delivery.
	DeliveryDone(ctx context.Context, id int64) error
	// RetryDelivery records a failed attempt: its error, and when to try again.
	RetryDelivery(ctx context.Context, id int64, lastErr string, at time.Time) error
	// DeadLetterDelivery records a failed attempt that is the last: the delivery stays, dead.
	DeadLetterDelivery(ctx context.Context, id int64, lastErr string) error
	// Deliveries lists deliveries, pending or dead, oldest first.
	Deliveries(ctx context.Context, dead bool, limit int) ([]Delivery, error)
	// CountDeliveries counts pending and dead deliveries.
	CountDeliveries(ctx context.Context) (DeliveryCounts, error)
}
