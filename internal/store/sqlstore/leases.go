package sqlstore

import (
	"context"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// Leases implements store.Leases: the leases table, claimed by conditional updates that
// re-check their condition under the row's lock (PostgreSQL) or in the single writer (SQLite), so
// two nodes never hold one lease.
type Leases struct {
	base
	st struct {
		add, requeue, claim, claimMany, renew, release, finish, remove *stmt
		list                                                           *stmt
	}
}

const leaseColumns = `kind, name, holder, token, expires_at`

func newLeases(b base) *Leases {
	l := &Leases{base: b.of("leases")}
	w, r := l.stmts.w, l.stmts.r
	l.st.add = w("add", `INSERT INTO leases (kind, name) VALUES (?, ?) ON CONFLICT (kind, name) DO NOTHING`)
	// A lease whose holder may still be finishing the previous piece of the same work is freed
	// under a new token: the old holder's finish no longer matches it, so it stays for a node
	// to take.
	l.st.requeue = w("requeue", `INSERT INTO leases (kind, name) VALUES (?, ?)
		ON CONFLICT (kind, name) DO UPDATE SET holder = '', expires_at = 0, token = leases.token + 1`)
	// A holder that still holds the lease keeps its token; a new holder, or any after expiry,
	// raises it.
	l.st.claim = w("claim", `UPDATE leases SET holder = ?, expires_at = ?,
			token = token + CASE WHEN holder = ? AND expires_at > ? THEN 0 ELSE 1 END
		WHERE kind = ? AND name = ? AND (holder = ? OR expires_at <= ?) RETURNING `+leaseColumns)
	// The candidates are a WITH query, which PostgreSQL runs once: as an IN subquery its LIMIT
	// could be run again for each row and let more through.
	l.st.claimMany = w("claimMany", `WITH cand AS (
			SELECT name FROM leases WHERE kind = ? AND expires_at <= ? ORDER BY expires_at, name LIMIT ?{{lock}})
		UPDATE leases SET holder = ?, expires_at = ?, token = token + 1
		WHERE kind = ? AND expires_at <= ? AND name IN (SELECT name FROM cand)
		RETURNING `+leaseColumns)
	l.st.renew = w("renew", `UPDATE leases SET expires_at = ? WHERE kind = ? AND name = ? AND holder = ? AND token = ?`)
	l.st.release = w("release", `UPDATE leases SET holder = '', expires_at = ? WHERE kind = ? AND name = ? AND holder = ? AND token = ?`)
	l.st.finish = w("finish", `DELETE FROM leases WHERE kind = ? AND name = ? AND holder = ? AND token = ?`)
	l.st.remove = w("remove", `DELETE FROM leases WHERE kind = ? AND name = ?`)
	l.st.list = r("list", `SELECT `+leaseColumns+` FROM leases WHERE kind = ? ORDER BY name`)
	return l
}

var _ store.Leases = (*Leases)(nil)

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
// requeueTx records a free lease for new work under a name whose lease may still exist: the
// previous work's holder, finishing, does not remove it (a stack's next operation stored the
// moment its last one ended).
func (l *Leases) requeueTx(ctx context.Context, tx Tx, kind, name string) error {
	_, err := l.st.requeue.in(ctx, tx).ExecContext(ctx, kind, name)
	return l.fault("AddLease", err)
}

func (l *Leases) addTx(ctx context.Context, tx Tx, kind, name string) error {
	_, err := l.st.add.in(ctx, tx).ExecContext(ctx, kind, name)
	return l.fault("AddLease", err)
}

// ClaimLease takes one lease for holder if it is free, expired or already holder's.
func (l *Leases) ClaimLease(ctx context.Context, kind, name, holder string, now, until time.Time) (store.Lease, bool, error) {
	var got []store.Lease
	err := l.w.WriteOne(ctx, func(ctx context.Context, tx Tx) error {
		rows, err := l.st.claim.in(ctx, tx).QueryContext(ctx, holder, nanos(until), holder, nanos(now), kind, name, holder, nanos(now))
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
		rows, err := l.st.claimMany.in(ctx, tx).QueryContext(ctx, kind, nanos(now), limit, holder, nanos(until), kind, nanos(now))
		got, err = collect(rows, err, 0, scanLease)
		return l.fault("ClaimLeases", err)
	})
	return got, err
}

// RenewLease extends a held lease.
func (l *Leases) RenewLease(ctx context.Context, x store.Lease, until time.Time) (bool, error) {
	return l.exec(ctx, "RenewLease", l.st.renew, nanos(until), x.Kind, x.Name, x.Holder, x.Token)
}

// ReleaseLease frees a held lease from after on.
func (l *Leases) ReleaseLease(ctx context.Context, x store.Lease, after time.Time) error {
	_, err := l.exec(ctx, "ReleaseLease", l.st.release, nanos(after), x.Kind, x.Name, x.Holder, x.Token)
	return err
}

// FinishLease removes a held lease.
func (l *Leases) FinishLease(ctx context.Context, x store.Lease) error {
	_, err := l.exec(ctx, "FinishLease", l.st.finish, x.Kind, x.Name, x.Holder, x.Token)
	return err
}

// DeleteLease removes a lease whoever holds it.
func (l *Leases) DeleteLease(ctx context.Context, kind, name string) error {
	_, err := l.exec(ctx, "DeleteLease", l.st.remove, kind, name)
	return err
}

// exec runs one write statement and reports whether it changed a row.
func (l *Leases) exec(ctx context.Context, op string, st *stmt, args ...any) (bool, error) {
	var changed bool
	err := l.w.WriteOne(ctx, func(ctx context.Context, tx Tx) error {
		res, err := st.in(ctx, tx).ExecContext(ctx, args...)
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
	rows, err := l.st.list.ps.QueryContext(ctx, kind)
	out, err := collect(rows, err, 0, scanLease)
	return out, l.fault("ListLeases", err)
}
