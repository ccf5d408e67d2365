package sqlstore

import (
	"context"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// Outbox implements store.Outbox, and lets the other domains of this package record deliveries
// in their own write transactions (Store.appendDeliveries).
type Outbox struct {
	base
	notes *Notifier
	now   func() time.Time
	st    struct {
		insert, claim, done, retry, dead *stmt
		list, count                      *stmt
	}
}

const deliveryColumns = `id, kind, target, payload, attempts, not_before, created_at, last_error, dead`

func newOutbox(b base, notes *Notifier) *Outbox {
	o := &Outbox{base: b.of("outbox"), notes: notes, now: time.Now}
	w, r := o.stmts.w, o.stmts.r
	o.st.insert = w("insert", `INSERT INTO outbox (kind, target, payload, attempts, not_before, created_at, last_error, dead)
		VALUES (?, ?, ?, 0, ?, ?, '', 0)`)
	// The candidates are a WITH query, which PostgreSQL runs once (see Leases.claimMany).
	o.st.claim = w("claim", `WITH cand AS (
			SELECT id FROM outbox WHERE dead = 0 AND not_before <= ? ORDER BY not_before, id LIMIT ?{{lock}})
		UPDATE outbox SET attempts = attempts + 1, not_before = ?
		WHERE dead = 0 AND not_before <= ? AND id IN (SELECT id FROM cand)
		RETURNING `+deliveryColumns)
	o.st.done = w("done", `DELETE FROM outbox WHERE id = ?`)
	o.st.retry = w("retry", `UPDATE outbox SET last_error = ?, not_before = ? WHERE id = ?`)
	o.st.dead = w("dead", `UPDATE outbox SET last_error = ?, dead = 1 WHERE id = ?`)
	o.st.list = r("list", `SELECT `+deliveryColumns+` FROM outbox WHERE dead = ? ORDER BY id LIMIT ?`)
	o.st.count = r("count", `SELECT COALESCE(SUM(1 - dead), 0), COALESCE(SUM(dead), 0) FROM outbox`)
	return o
}

var _ store.Outbox = (*Outbox)(nil)

func scanDelivery(row scanner) (store.Delivery, error) {
	var d store.Delivery
	var notBefore, created int64
	var dead int
	err := row.Scan(&d.ID, &d.Kind, &d.Target, &d.Payload, &d.Attempts, &notBefore, &created, &d.LastError, &dead)
	d.NotBefore, d.Created, d.Dead = fromNanos(notBefore), fromNanos(created), dead == 1
	return d, err
}

// Enqueue records deliveries in a write of their own.
func (o *Outbox) Enqueue(ctx context.Context, ds ...store.Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	return o.w.Write(ctx, func(ctx context.Context, tx Tx) error { return o.append(ctx, tx, ds) })
}

// append records deliveries in tx and announces them (at commit on PostgreSQL). A delivery
// without a Created time is created now; one without a NotBefore is due at once.
func (o *Outbox) append(ctx context.Context, tx Tx, ds []store.Delivery) error {
	st := o.st.insert.in(ctx, tx)
	for _, d := range ds {
		if d.Created.IsZero() {
			d.Created = o.now()
		}
		payload := d.Payload
		if payload == nil {
			payload = []byte{}
		}
		if _, err := st.ExecContext(ctx, d.Kind, d.Target, payload, nanos(d.NotBefore), nanos(d.Created)); err != nil {
			return o.fault("Enqueue", err)
		}
	}
	return o.notes.notifyTx(ctx, tx, store.OutboxTopic, "")
}

// appendDeliveries records deliveries inside another domain's write transaction, so that they
// are durable exactly when the change that causes them is: every write in this package that
// causes a delivery calls it with its own tx.
func (s *Store) appendDeliveries(ctx context.Context, tx Tx, ds []store.Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	return s.Outbox.append(ctx, tx, ds)
}

// ClaimDeliveries takes due deliveries, counting an attempt on each, until the time given.
func (o *Outbox) ClaimDeliveries(ctx context.Context, now, until time.Time, limit int) ([]store.Delivery, error) {
	var got []store.Delivery
	err := o.w.WriteOne(ctx, func(ctx context.Context, tx Tx) error {
		rows, err := o.st.claim.in(ctx, tx).QueryContext(ctx, nanos(now), limit, nanos(until), nanos(now))
		got, err = collect(rows, err, limit, scanDelivery)
		return o.fault("ClaimDeliveries", err)
	})
	return got, err
}

// DeliveryDone removes a delivered delivery.
func (o *Outbox) DeliveryDone(ctx context.Context, id int64) error {
	return o.exec(ctx, "DeliveryDone", o.st.done, id)
}

// RetryDelivery records a failed attempt and the time of the next.
func (o *Outbox) RetryDelivery(ctx context.Context, id int64, lastErr string, at time.Time) error {
	return o.exec(ctx, "RetryDelivery", o.st.retry, lastErr, nanos(at), id)
}

// DeadLetterDelivery records the last failed attempt; the delivery stays, dead.
func (o *Outbox) DeadLetterDelivery(ctx context.Context, id int64, lastErr string) error {
	return o.exec(ctx, "DeadLetterDelivery", o.st.dead, lastErr, id)
}

func (o *Outbox) exec(ctx context.Context, op string, st *stmt, args ...any) error {
	return o.w.WriteOne(ctx, func(ctx context.Context, tx Tx) error {
		_, err := st.in(ctx, tx).ExecContext(ctx, args...)
		return o.fault(op, err)
	})
}

// Deliveries lists pending or dead deliveries, oldest first.
func (o *Outbox) Deliveries(ctx context.Context, dead bool, limit int) ([]store.Delivery, error) {
	rows, err := o.st.list.ps.QueryContext(ctx, boolInt(dead), limit)
	out, err := collect(rows, err, 0, scanDelivery)
	return out, o.fault("Deliveries", err)
}

// CountDeliveries counts pending and dead deliveries.
func (o *Outbox) CountDeliveries(ctx context.Context) (store.DeliveryCounts, error) {
	var c store.DeliveryCounts
	err := o.st.count.ps.QueryRowContext(ctx).Scan(&c.Pending, &c.Dead)
	return c, o.fault("CountDeliveries", err)
}
