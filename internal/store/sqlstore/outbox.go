package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// Outbox implements store.Outbox, and lets the other domains of this package record deliveries
// in their own write transactions (Store.appendDeliveries).
type Outbox struct {
	w      Writer
	d      Dialect
	notes  *Notifier
	stmts  statements
	now    func() time.Time
	insert *sql.Stmt
	claim  *sql.Stmt
	done   *sql.Stmt
	retry  *sql.Stmt
	dead   *sql.Stmt
	list   *sql.Stmt // read pool
	count  *sql.Stmt // read pool
}

const deliveryColumns = `id, kind, target, payload, attempts, not_before, created_at, last_error, dead`

func newOutbox(ctx context.Context, w Writer, writeDB, readDB Preparer, d Dialect, notes *Notifier) (*Outbox, error) {
	o := &Outbox{w: w, d: d, notes: notes, stmts: statements{ctx: ctx, d: d}, now: time.Now}
	p := &o.stmts
	o.insert = p.prepare(writeDB, `INSERT INTO outbox (kind, target, payload, attempts, not_before, created_at, last_error, dead)
		VALUES (?, ?, ?, 0, ?, ?, '', 0)`)
	// The candidates are a WITH query, which PostgreSQL runs once (see Leases.claimMany).
	o.claim = p.prepare(writeDB, `WITH cand AS (
			SELECT id FROM outbox WHERE dead = 0 AND not_before <= ? ORDER BY not_before, id LIMIT ?{{lock}})
		UPDATE outbox SET attempts = attempts + 1, not_before = ?
		WHERE dead = 0 AND not_before <= ? AND id IN (SELECT id FROM cand)
		RETURNING `+deliveryColumns)
	o.done = p.prepare(writeDB, `DELETE FROM outbox WHERE id = ?`)
	o.retry = p.prepare(writeDB, `UPDATE outbox SET last_error = ?, not_before = ? WHERE id = ?`)
	o.dead = p.prepare(writeDB, `UPDATE outbox SET last_error = ?, dead = 1 WHERE id = ?`)
	o.list = p.prepare(readDB, `SELECT `+deliveryColumns+` FROM outbox WHERE dead = ? ORDER BY id LIMIT ?`)
	o.count = p.prepare(readDB, `SELECT COALESCE(SUM(1 - dead), 0), COALESCE(SUM(dead), 0) FROM outbox`)
	if p.err != nil {
		p.close()
		return nil, p.err
	}
	return o, nil
}

var _ store.Outbox = (*Outbox)(nil)

func (o *Outbox) fault(op string, err error) error {
	if err == nil {
		return nil
	}
	return o.d.Fault("outbox."+op, err)
}

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
	st := tx.StmtContext(ctx, o.insert)
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
		rows, err := tx.StmtContext(ctx, o.claim).QueryContext(ctx, nanos(now), limit, nanos(until), nanos(now))
		got, err = collect(rows, err, limit, scanDelivery)
		return o.fault("ClaimDeliveries", err)
	})
	return got, err
}

// DeliveryDone removes a delivered delivery.
func (o *Outbox) DeliveryDone(ctx context.Context, id int64) error {
	return o.exec(ctx, "DeliveryDone", o.done, id)
}

// RetryDelivery records a failed attempt and the time of the next.
func (o *Outbox) RetryDelivery(ctx context.Context, id int64, lastErr string, at time.Time) error {
	return o.exec(ctx, "RetryDelivery", o.retry, lastErr, nanos(at), id)
}

// DeadLetterDelivery records the last failed attempt; the delivery stays, dead.
func (o *Outbox) DeadLetterDelivery(ctx context.Context, id int64, lastErr string) error {
	return o.exec(ctx, "DeadLetterDelivery", o.dead, lastErr, id)
}

func (o *Outbox) exec(ctx context.Context, op string, st *sql.Stmt, args ...any) error {
	return o.w.WriteOne(ctx, func(ctx context.Context, tx Tx) error {
		_, err := tx.StmtContext(ctx, st).ExecContext(ctx, args...)
		return o.fault(op, err)
	})
}

// Deliveries lists pending or dead deliveries, oldest first.
func (o *Outbox) Deliveries(ctx context.Context, dead bool, limit int) ([]store.Delivery, error) {
	rows, err := o.list.QueryContext(ctx, boolInt(dead), limit)
	out, err := collect(rows, err, 0, scanDelivery)
	return out, o.fault("Deliveries", err)
}

// CountDeliveries counts pending and dead deliveries.
func (o *Outbox) CountDeliveries(ctx context.Context) (store.DeliveryCounts, error) {
	var c store.DeliveryCounts
	err := o.count.QueryRowContext(ctx).Scan(&c.Pending, &c.Dead)
	return c, o.fault("CountDeliveries", err)
}

func (o *Outbox) close() { o.stmts.close() }
