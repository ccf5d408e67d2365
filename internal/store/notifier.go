package store

import "context"

// Notifier announces (topic, key) to subscribers on every node that shares the store: "this
// queue has messages", "this task was cancelled". It is a wake-up, not a delivery: a notice may
// be lost (a node reconnecting), so a subscriber also looks on a timer. On SQLite (one node) it
// is in process; on PostgreSQL, NOTIFY on the channel gureum_<topic>, which a store statement may
// also send inside its own transaction (SQS sends do), received by Listen.
type Notifier interface {
	// Notify announces key on topic. Topics are lower-case letters, digits and underscores.
	Notify(ctx context.Context, topic, key string) error
	// Subscribe calls fn with each key announced on topic, on any node, until cancel is called.
	// fn runs on the notifier's goroutine and must not block. fn is called with "" when this
	// node may have missed announcements (it has just begun or resumed listening): whatever fn
	// waits on or caches may have changed.
	Subscribe(topic string, fn func(key string)) (cancel func())
	// Listen receives other nodes' announcements until ctx ends (at once on a backend with one
	// node); one goroutine runs it for the store.
	Listen(ctx context.Context) error
	// Listening reports whether this node hears other nodes' announcements: always on a backend
	// with one node; on PostgreSQL once the LISTEN loop has begun, and not while it is failing.
	// The health report is degraded until it is.
	Listening() bool
}

// QueuesTopic is the topic on which a queue's id is announced when it gains visible messages
// (SQS long polls wait on it).
const QueuesTopic = "queues"
