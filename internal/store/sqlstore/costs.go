package sqlstore

import (
	"context"

	"github.com/gureum/gureum/internal/store"
)

// Costs implements store.Costs on the cost_usage table: a write is one upsert a row that adds to
// the counters, so nodes that flush their usage at once never lose each other's.
type Costs struct {
	base
	st struct {
		add, list *stmt
	}
}

const costColumns = `account, region, day, service, resource, version, architecture,
	requests, mb_ms, ephemeral_mb_ms, byte_seconds`

func newCosts(b base) *Costs {
	s := &Costs{base: b.of("costs")}
	s.st.add = s.stmts.w("add", `INSERT INTO cost_usage (`+costColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (account, region, day, service, resource, version, architecture) DO UPDATE SET
			requests = cost_usage.requests + excluded.requests,
			mb_ms = cost_usage.mb_ms + excluded.mb_ms,
			ephemeral_mb_ms = cost_usage.ephemeral_mb_ms + excluded.ephemeral_mb_ms,
			byte_seconds = cost_usage.byte_seconds + excluded.byte_seconds`)
	s.st.list = s.stmts.r("list", `SELECT `+costColumns+` FROM cost_usage
		WHERE (CAST(? AS TEXT) = '' OR account = ?) AND (CAST(? AS TEXT) = '' OR region = ?) AND day >= ? AND day <= ?
		ORDER BY account, region, day, service, resource, version, architecture`)
	return s
}

var _ store.Costs = (*Costs)(nil)

// AddCostUsage adds the rows' counters to the ledger in one transaction.
func (s *Costs) AddCostUsage(ctx context.Context, rows []store.CostUsage) error {
	if len(rows) == 0 {
		return nil
	}
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		st := s.st.add.in(ctx, tx)
		for _, u := range rows {
			if _, err := st.ExecContext(ctx, u.Account, u.Region, u.Day, u.Service, u.Resource, u.Version, u.Architecture,
				u.Requests, u.MBMillis, u.EphemeralMBMillis, u.ByteSeconds); err != nil {
				return s.fault("AddCostUsage", err)
			}
		}
		return nil
	})
}

// ListCostUsage lists the rows a filter selects.
func (s *Costs) ListCostUsage(ctx context.Context, f store.CostFilter) ([]store.CostUsage, error) {
	to := f.To
	if to == "" {
		to = "9999-12-31"
	}
	rows, err := s.st.list.ps.QueryContext(ctx, f.Account, f.Account, f.Region, f.Region, f.From, to)
	out, err := collect(rows, err, 0, func(row scanner) (store.CostUsage, error) {
		var u store.CostUsage
		err := row.Scan(&u.Account, &u.Region, &u.Day, &u.Service, &u.Resource, &u.Version, &u.Architecture,
			&u.Requests, &u.MBMillis, &u.EphemeralMBMillis, &u.ByteSeconds)
		return u, err
	})
	return out, s.fault("ListCostUsage", err)
}
