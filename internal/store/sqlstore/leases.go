package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// Leases implements store.Leases: the leases table, claimed by conditional updates that
// re-check their condition under the row's lock (PostgreSQL) or in the single writer (SQLite), so
// two nodes never hold one lease.
type Leases struct {
	w     Writer
	d     Dialect
	stmts statements

	add, claim, claimMany, renew, release, finish, remove *sql.Stmt // write side
	list                                                  *sql.Stmt // read pool
}

const leaseColumns = `kind, name, holder, token, expires_at`

func newLeases(ctx context.Context, w Writer, writeDB Preparer, readDB Preparer, d Dialect) (*Leases, error) {
	l := &Leases{w: w, d: d, stmts: statements{ctx: ctx, d: d}}
	p := &l.stmts
	l.add = p.prepare(writeDB, `INSERT INTO leases (kind, name) VALUES (?, ?) ON CONFLICT (kind, name) DO NOTHING`)
	// A holder that still holds the lease keeps its token; a new holder, or any after expiry,
	// raises it.
	l.claim = p.prepare(writeDB, `UPDATE leases SET holder = ?, expires_at = ?,
			token = token + CASE WHEN holder = ? AND expires_at > ? THEN 0 ELSE 1 END
		WHERE kind = ? AND name = ? AND (holder = ? OR expires_at <= ?) RETURNING `+leaseColumns)
	// The candidates are a WITH query, which PostgreSQL runs once: as an IN subquery its LIMIT
	// could be run again for each row and let more through.
	l.claimMany = p.prepare(writeDB, `WITH cand AS (
			SELECT name FROM leases WHERE kind = ? AND expires_at <= ? ORDER BY expires_at, name LIMIT ?{{lock}})
		UPDATE leases SET holder = ?, expires_at = ?, token = token + 1
		WHERE kind = ? AND expires_at <= ? AND name IN (SELECT name FROM cand)
		RETURNING `+leaseColumns)
	l.renew = p.prepare(writeDB, `UPDATE leases SET expires_at = ? WHERE kind = ? AND name = ? AND holder = ? AND token = ?`)
	l.release = p.prepare(writeDB, `UPDATE leases SET holder = '', expires_at = ? WHERE kind = ? AND name = ? AND holder = ? AND token = ?`)
	l.finish = p.prepare(writeDB, `DELETE FROM leases WHERE kind = ? AND name = ? AND holder = ? AND token = ?`)
	l.remove = p.prepare(writeDB, `DELETE FROM leases WHERE kind = ? AND name = ?`)
	l.list = p.prepare(readDB, `SELECT `+leaseColumns+` FROM leases WHERE kind = ? ORDER BY name`)
	if p.err != nil {
		p.close()
		return nil, p.err
	}
	return l, nil
}

var _ store.Leases = (*Leases)(nil)

func (l *Leases) fault(op string, err error) error {
	if err == nil {
		return nil
	}
	return l.d.Fault("leases."+op, err)
}

func scanLease(row scanner) (store.Lease, error) {
	var x store.Lease
	var expires int64
	err := row.Scan(&x.Kind, &x.Name, &x.Holder, &x.Token, &expires)
	x.Expires = fromNanos(expires)
	return x, err
}

// AddLease records a free lease unless it exists.
func (l *Leases) AddLease(ctx context.Context, kind, name string) error {
	return l.w.WriteOne(ctx, func(ctx context.Context, tx Tx) error { return l.addTx(ctx, tx, kind, name) })
}

// addTx records a free lease in a write of another domain (a task stored with its lease).
func (l *Leases) addTx(ctx context.Context, tx Tx, kind, name string) error {
	_, err := tx.StmtContext(ctx, l.add).ExecContext(ctx, kind, name)
	return l.fault("AddLease", err)
}

// ClaimLease takes one lease for holder if it is free, expired or already holder's.
func (l *Leases) ClaimLease(ctx context.Context, kind, name, holder string, now, until time.Time) (store.Lease, bool, error) {
	var got []store.Lease
	err := l.w.WriteOne(ctx, func(ctx context.Context, tx Tx) error {
		rows, err := tx.StmtContext(ctx, l.claim).QueryContext(ctx, holder, nanos(until), holder, nanos(now), kind, name, holder, nanos(now))
		got, err = collect(rows, err, 1, scanLease)
		return l.fault("ClaimLease", err)
	})
	if err != nil || len(got) == 0 {
		return store.Lease{}, false, err
	}
	return got[0], true, nil
}

// ClaimLeases takes up to limit free or expired leases of a kind.
func (l *Leases) ClaimLeases(ctx context.Context, kind, holder string, now, until time.Time, limit int) ([]store.Lease, error) {
	var got []store.Lease
	err := l.w.WriteOne(ctx, func(ctx context.Context, tx Tx) error {
		rows, err := tx.StmtContext(ctx, l.claimMany).QueryContext(ctx, kind, nanos(now), limit, holder, nanos(until), kind, nanos(now))
		got, err = collect(rows, err, 0, scanLease)
		return l.fault("ClaimLeases", err)
	})
	return got, err
}

// RenewLease extends a held lease.
func (l *Leases) RenewLease(ctx context.Context, x store.Lease, until time.Time) (bool, error) {
	return l.exec(ctx, "RenewLease", l.renew, nanos(until), x.Kind, x.Name, x.Holder, x.Token)
}

// ReleaseLease frees a held lease from after on.
func (l *Leases) ReleaseLease(ctx context.Context, x store.Lease, after time.Time) error {
	_, err := l.exec(ctx, "ReleaseLease", l.release, nanos(after), x.Kind, x.Name, x.Holder, x.Token)
	return err
}

// FinishLease removes a held lease.
func (l *Leases) FinishLease(ctx context.Context, x store.Lease) error {
	_, err := l.exec(ctx, "FinishLease", l.finish, x.Kind, x.Name, x.Holder, x.Token)
	return err
}

// DeleteLease removes a lease whoever holds it.
func (l *Leases) DeleteLease(ctx context.Context, kind, name string) error {
	_, err := l.exec(ctx, "DeleteLease", l.remove, kind, name)
	return err
}

// exec runs one write statement and reports whether it changed a row.
func (l *Leases) exec(ctx context.Context, op string, st *sql.Stmt, args ...any) (bool, error) {
	var changed bool
	err := l.w.WriteOne(ctx, func(ctx context.Context, tx Tx) error {
		res, err := tx.StmtContext(ctx, st).ExecContext(ctx, args...)
		if err != nil {
			return l.fault(op, err)
		}
		n, _ := res.RowsAffected()
		changed = n > 0
		return nil
	})
	return changed, err
}

// ListLeases lists a kind's leases by name.
func (l *Leases) ListLeases(ctx context.Context, kind string) ([]store.Lease, error) {
	rows, err := l.list.QueryContext(ctx, kind)
	out, err := collect(rows, err, 0, scanLease)
	return out, l.fault("ListLeases", err)
}

func (l *Leases) close() { l.stmts.close() }
