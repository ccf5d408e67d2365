package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// Metrics implements store.Metrics: CloudWatch's data points (cw_points), the metrics that have
// data (cw_metrics), alarms under an optimistic revision (cw_alarms) and their history.
type Metrics struct {
	base
	outbox *Outbox
	st     struct {
		putPoint, touch, sweep                         *stmt
		points, list                                   *stmt
		insertAlarm, replaceAlarm, updateAlarm, remove *stmt
		removeHistory, addHistory                      *stmt
		alarm, alarms, allAlarms, history              *stmt
	}
}

const pointColumns = `account, namespace, name, dims, ts, cnt, total, lo, hi, unit`

func newMetrics(b base, o *Outbox) *Metrics {
	s := &Metrics{base: b.of("metrics"), outbox: o}
	w, r := s.stmts.w, s.stmts.r
	s.st.putPoint = w("putPoint", `INSERT INTO cw_points (`+pointColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	s.st.touch = w("touch", `INSERT INTO cw_metrics (account, namespace, name, dims, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (account, namespace, name, dims) DO UPDATE SET updated_at = excluded.updated_at`)
	s.st.sweep = w("sweep", `DELETE FROM cw_points WHERE id IN (SELECT id FROM cw_points WHERE ts < ? ORDER BY ts LIMIT ?)`)
	s.st.points = r("points", `SELECT `+pointColumns+` FROM cw_points
		WHERE account = ? AND namespace = ? AND name = ? AND dims = ? AND ts >= ? AND ts < ? ORDER BY ts, id`)
	s.st.list = r("list", `SELECT account, namespace, name, dims, updated_at FROM cw_metrics
		WHERE account = ? AND (CAST(? AS TEXT) = '' OR namespace = ?) AND (CAST(? AS TEXT) = '' OR name = ?) AND updated_at >= ?
		ORDER BY namespace, name, dims`)
	s.st.insertAlarm = w("insertAlarm", `INSERT INTO cw_alarms (account, name, rev, doc) VALUES (?, ?, 1, ?)
		ON CONFLICT (account, name) DO UPDATE SET rev = cw_alarms.rev + 1, doc = excluded.doc`)
	s.st.updateAlarm = w("updateAlarm", `UPDATE cw_alarms SET rev = rev + 1, doc = ? WHERE account = ? AND name = ? AND rev = ?`)
	s.st.remove = w("remove", `DELETE FROM cw_alarms WHERE account = ? AND name = ?`)
	s.st.removeHistory = w("removeHistory", `DELETE FROM cw_alarm_history WHERE account = ? AND name = ?`)
	s.st.addHistory = w("addHistory", `INSERT INTO cw_alarm_history (account, name, ts, type, summary, data) VALUES (?, ?, ?, ?, ?, ?)`)
	s.st.alarm = r("alarm", `SELECT account, name, rev, doc FROM cw_alarms WHERE account = ? AND name = ?`)
	s.st.alarms = r("alarms", `SELECT account, name, rev, doc FROM cw_alarms WHERE account = ? ORDER BY name`)
	s.st.allAlarms = r("allAlarms", `SELECT account, name, rev, doc FROM cw_alarms ORDER BY account, name`)
	s.st.history = r("history", `SELECT account, name, ts, type, summary, data FROM cw_alarm_history
		WHERE account = ? AND (CAST(? AS TEXT) = '' OR name = ?) AND ts >= ? AND ts < ? ORDER BY ts DESC, id DESC LIMIT ?`)
	return s
}

var _ store.Metrics = (*Metrics)(nil)

// PutMetricPoints stores points and touches their metrics in one transaction.
func (s *Metrics) PutMetricPoints(ctx context.Context, pts []store.MetricPoint) error {
	if len(pts) == 0 {
		return nil
	}
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		put, touch := s.st.putPoint.in(ctx, tx), s.st.touch.in(ctx, tx)
		for _, p := range pts {
			if _, err := put.ExecContext(ctx, p.Account, p.Namespace, p.Name, p.Dims, nanos(p.Time), p.Count, p.Sum, p.Min, p.Max, p.Unit); err != nil {
				return s.fault("PutMetricPoints", err)
			}
			if _, err := touch.ExecContext(ctx, p.Account, p.Namespace, p.Name, p.Dims, nanos(time.Now())); err != nil {
				return s.fault("PutMetricPoints", err)
			}
		}
		return nil
	})
}

// MetricPoints lists one metric's points in [from, to).
func (s *Metrics) MetricPoints(ctx context.Context, account, namespace, name, dims string, from, to time.Time) ([]store.MetricPoint, error) {
	rows, err := s.st.points.ps.QueryContext(ctx, account, namespace, name, dims, nanos(from), nanos(to))
	out, err := collect(rows, err, 0, func(row scanner) (store.MetricPoint, error) {
		var p store.MetricPoint
		var ts int64
		err := row.Scan(&p.Account, &p.Namespace, &p.Name, &p.Dims, &ts, &p.Count, &p.Sum, &p.Min, &p.Max, &p.Unit)
		p.Time = fromNanos(ts)
		return p, err
	})
	return out, s.fault("MetricPoints", err)
}

// ListMetrics lists an account's metrics.
func (s *Metrics) ListMetrics(ctx context.Context, account, namespace, name string, since time.Time) ([]store.Metric, error) {
	rows, err := s.st.list.ps.QueryContext(ctx, account, namespace, namespace, name, name, nanos(since))
	out, err := collect(rows, err, 0, func(row scanner) (store.Metric, error) {
		var m store.Metric
		var ts int64
		err := row.Scan(&m.Account, &m.Namespace, &m.Name, &m.Dims, &ts)
		m.Updated = fromNanos(ts)
		return m, err
	})
	return out, s.fault("ListMetrics", err)
}

// SweepMetricPoints drops up to limit points older than before.
func (s *Metrics) SweepMetricPoints(ctx context.Context, before time.Time, limit int) (int, error) {
	var n int64
	err := s.w.WriteOne(ctx, func(ctx context.Context, tx Tx) error {
		res, err := s.st.sweep.in(ctx, tx).ExecContext(ctx, nanos(before), limit)
		if err == nil {
			n, _ = res.RowsAffected()
		}
		return s.fault("SweepMetricPoints", err)
	})
	return int(n), err
}

// PutAlarm writes an alarm, its history and deliveries in one transaction.
func (s *Metrics) PutAlarm(ctx context.Context, a store.AlarmRecord, history []store.AlarmHistoryItem, ds []store.Delivery) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		if a.Rev == 0 {
			if _, err := s.st.insertAlarm.in(ctx, tx).ExecContext(ctx, a.Account, a.Name, string(a.Doc)); err != nil {
				return s.fault("PutAlarm", err)
			}
		} else {
			res, err := s.st.updateAlarm.in(ctx, tx).ExecContext(ctx, string(a.Doc), a.Account, a.Name, a.Rev)
			if err != nil {
				return s.fault("PutAlarm", err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return &store.Error{Op: s.domain + ".PutAlarm", Kind: store.ErrConditionFailed}
			}
		}
		add := s.st.addHistory.in(ctx, tx)
		for _, h := range history {
			if _, err := add.ExecContext(ctx, a.Account, a.Name, nanos(h.Time), h.Type, h.Summary, h.Data); err != nil {
				return s.fault("PutAlarm", err)
			}
		}
		if len(ds) > 0 {
			return s.outbox.append(ctx, tx, ds)
		}
		return nil
	})
}

func scanAlarm(row scanner) (store.AlarmRecord, error) {
	var a store.AlarmRecord
	var doc string
	err := row.Scan(&a.Account, &a.Name, &a.Rev, &doc)
	a.Doc = []byte(doc)
	return a, err
}

// Alarm reads one alarm.
func (s *Metrics) Alarm(ctx context.Context, account, name string) (store.AlarmRecord, error) {
	a, err := scanAlarm(s.st.alarm.ps.QueryRowContext(ctx, account, name))
	if errors.Is(err, sql.ErrNoRows) {
		return a, &store.Error{Op: s.domain + ".Alarm", Kind: store.ErrNotFound}
	}
	return a, s.fault("Alarm", err)
}

// ListAlarms lists an account's alarms, or every account's.
func (s *Metrics) ListAlarms(ctx context.Context, account string) ([]store.AlarmRecord, error) {
	var rows *sql.Rows
	var err error
	if account == "" {
		rows, err = s.st.allAlarms.ps.QueryContext(ctx)
	} else {
		rows, err = s.st.alarms.ps.QueryContext(ctx, account)
	}
	out, err := collect(rows, err, 0, scanAlarm)
	return out, s.fault("ListAlarms", err)
}

// DeleteAlarm removes an alarm and its history.
func (s *Metrics) DeleteAlarm(ctx context.Context, account, name string) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		res, err := s.st.remove.in(ctx, tx).ExecContext(ctx, account, name)
		if err != nil {
			return s.fault("DeleteAlarm", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &store.Error{Op: s.domain + ".DeleteAlarm", Kind: store.ErrNotFound}
		}
		_, err = s.st.removeHistory.in(ctx, tx).ExecContext(ctx, account, name)
		return s.fault("DeleteAlarm", err)
	})
}

// AlarmHistory lists history entries, newest first.
func (s *Metrics) AlarmHistory(ctx context.Context, account, name string, from, to time.Time, limit int) ([]store.AlarmHistoryItem, error) {
	rows, err := s.st.history.ps.QueryContext(ctx, account, name, name, nanos(from), nanos(to), limit)
	out, err := collect(rows, err, 0, func(row scanner) (store.AlarmHistoryItem, error) {
		var h store.AlarmHistoryItem
		var ts int64
		err := row.Scan(&h.Account, &h.Name, &ts, &h.Type, &h.Summary, &h.Data)
		h.Time = fromNanos(ts)
		return h, err
	})
	return out, s.fault("AlarmHistory", err)
}
