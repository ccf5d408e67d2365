package background

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// Handler delivers one delivery of its kind. An error means the delivery is retried later (with
// exponential backoff) unless it is Permanent or the attempts are spent, when the delivery is
// dead-lettered. Delivery is at least once: a handler may see a delivery again (after a node
// died mid-delivery), so what it does should tolerate a repeat.
type Handler func(ctx context.Context, d store.Delivery) error

// Permanent marks a delivery error that no retry will mend (the target is gone): the delivery is
// dead-lettered at once.
func Permanent(err error) error { return permanent{err} }

type permanent struct{ error }

func (p permanent) Unwrap() error { return p.error }

// OutboxOptions tune an Outbox; zero values take the defaults.
type OutboxOptions struct {
	Poll        time.Duration // how often to look for due deliveries besides wake-ups (1 s)
	Claim       time.Duration // how long a claimed delivery is this node's, its handler's deadline (30 s)
	Batch       int           // deliveries claimed at once (16)
	MaxAttempts int           // attempts before a delivery is dead-lettered (8)
	Backoff     time.Duration // the wait after the first failed attempt, doubling after each (1 s)
	MaxBackoff  time.Duration // the longest wait between attempts (5 min)
}

// Outbox delivers the outbox's deliveries (store.Outbox) through the handler registered for
// their kind. Every node runs one (Run, through Runner.Go): claims are safe across nodes (row
// locks skipped on PostgreSQL, the single writer on SQLite).
type Outbox struct {
	st       store.Outbox
	notes    store.Notifier // may be nil: then it looks at each Poll only
	r        *Runner
	opt      OutboxOptions
	handlers map[string]Handler
	// concurrent are the kinds whose deliveries in one claimed batch run at once (Concurrent).
	concurrent map[string]bool
	wake       chan struct{}
}

// NewOutbox returns a dispatcher for st, running on r's clock, log and metrics. Register its
// handlers, then run it with r.Go("outbox", o.Run).
func NewOutbox(r *Runner, st store.Outbox, notes store.Notifier, opt OutboxOptions) *Outbox {
	if opt.Poll <= 0 {
		opt.Poll = time.Second
	}
	if opt.Claim <= 0 {
		opt.Claim = 30 * time.Second
	}
	if opt.Batch <= 0 {
		opt.Batch = 16
	}
	if opt.MaxAttempts <= 0 {
		opt.MaxAttempts = 8
	}
	if opt.Backoff <= 0 {
		opt.Backoff = time.Second
	}
	if opt.MaxBackoff <= 0 {
		opt.MaxBackoff = 5 * time.Minute
	}
	return &Outbox{st: st, notes: notes, r: r, opt: opt, handlers: map[string]Handler{}, concurrent: map[string]bool{}, wake: make(chan struct{}, 1)}
}

// Concurrent lets the deliveries of a kind in one claimed batch run at once rather than one
// after another, so that their writes (an SQS send and the delivery's removal each) share the
// store's group commits: the throughput of a fan-out into queues. Deliveries to a target whose
// name ends in ".fifo" (FIFO queues and topics) still run in order, one after another. Call
// before Run.
func (o *Outbox) Concurrent(kind string) { o.concurrent[kind] = true }

// Handle registers the handler of a kind of delivery. Register before Run.
func (o *Outbox) Handle(kind string, h Handler) { o.handlers[kind] = h }

// Run delivers until ctx ends.
func (o *Outbox) Run(ctx context.Context) error {
	if o.notes != nil {
		defer o.notes.Subscribe(store.OutboxTopic, func(string) {
			select {
			case o.wake <- struct{}{}:
			default:
			}
		})()
	}
	// Deliveries of Concurrent kinds run in goroutines, up to four batches' worth at once, while
	// the loop claims the next batch: the sends of a fan-out share the store's group commits
	// instead of each waiting for its own. Run waits for them before it returns.
	var inflight sync.WaitGroup
	defer inflight.Wait()
	slots := make(chan struct{}, 4*o.opt.Batch)
	var counted time.Time
	for ctx.Err() == nil {
		n, err := o.deliverDue(ctx, &inflight, slots)
		o.r.failed("outbox", err)
		if now := o.r.cfg.Clock.Now(); now.Sub(counted) >= 5*time.Second {
			if c, err := o.st.CountDeliveries(ctx); err == nil {
				o.r.cfg.Metrics.OutboxDepth(c.Pending, c.Dead)
				counted = now
			}
		}
		if n == o.opt.Batch && err == nil {
			continue // more may be due
		}
		select {
		case <-o.r.cfg.Clock.After(o.opt.Poll):
		case <-o.wake:
		case <-ctx.Done():
		}
	}
	return nil
}

// DeliverDue claims one batch of due deliveries and delivers them; it returns how many it
// claimed once all are delivered (or have failed).
func (o *Outbox) DeliverDue(ctx context.Context) (int, error) {
	var wg sync.WaitGroup
	n, err := o.deliverDue(ctx, &wg, nil)
	wg.Wait()
	return n, err
}

// deliverDue claims one batch of due deliveries and delivers them: those of a Concurrent kind
// (not to a FIFO target) in goroutines of their own, counted in wg and, when slots is not nil,
// each holding a slot while it runs; the others one after another, in the order claimed.
func (o *Outbox) deliverDue(ctx context.Context, wg *sync.WaitGroup, slots chan struct{}) (int, error) {
	now := o.r.cfg.Clock.Now()
	ds, err := o.st.ClaimDeliveries(ctx, now, now.Add(o.opt.Claim), o.opt.Batch)
	if err != nil {
		return 0, err
	}
	var mu sync.Mutex
	var errs []error
	for _, d := range ds {
		if !o.concurrent[d.Kind] || strings.HasSuffix(d.Target, ".fifo") {
			if err := o.deliver(ctx, d); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
			continue
		}
		if slots != nil {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return len(ds), nil // stopping: the claims run out and the deliveries are due again
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := o.deliver(ctx, d)
			if slots != nil {
				<-slots
				o.r.failed("outbox", err) // no caller waits for it
				return
			}
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	mu.Lock()
	defer mu.Unlock()
	return len(ds), errors.Join(errs...)
}

// deliver runs a delivery's handler and records the outcome.
func (o *Outbox) deliver(ctx context.Context, d store.Delivery) error {
	err := errors.New("no handler for delivery kind " + d.Kind)
	if h, ok := o.handlers[d.Kind]; ok {
		hctx, cancel := context.WithTimeout(ctx, o.opt.Claim)
		err = callHandler(hctx, h, d)
		cancel()
	}
	if ctx.Err() != nil {
		return nil // stopping: the claim runs out and the delivery is due again
	}
	m := o.r.cfg.Metrics
	if err == nil {
		m.OutboxDelivered(d.Kind)
		return o.st.DeliveryDone(ctx, d.ID)
	}
	var perm permanent
	if errors.As(err, &perm) || d.Attempts >= o.opt.MaxAttempts {
		m.OutboxDeadLettered(d.Kind)
		o.r.cfg.Log.Warn("outbox delivery dead-lettered", "kind", d.Kind, "target", d.Target, "id", d.ID, "attempts", d.Attempts, "err", err)
		return o.st.DeadLetterDelivery(ctx, d.ID, err.Error())
	}
	m.OutboxRetried(d.Kind)
	wait := o.backoff(d.Attempts)
	o.r.cfg.Log.Info("outbox delivery failed; will retry", "kind", d.Kind, "target", d.Target, "id", d.ID, "attempts", d.Attempts, "retry_in", wait, "err", err)
	return o.st.RetryDelivery(ctx, d.ID, err.Error(), o.r.cfg.Clock.Now().Add(wait))
}

// backoff is the wait after a delivery's attempts-th failure: Backoff, doubling, at most
// MaxBackoff.
func (o *Outbox) backoff(attempts int) time.Duration {
	d := o.opt.Backoff
	for i := 1; i < attempts && d < o.opt.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, o.opt.MaxBackoff)
}

// callHandler runs h, turning a panic into an error.
func callHandler(ctx context.Context, h Handler, d store.Delivery) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("handler panicked: %v", p)
		}
	}()
	return h(ctx, d)
}
