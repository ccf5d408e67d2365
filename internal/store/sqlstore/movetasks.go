package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// progressMoveTaskSQL adds to a task's moved count, refreshes its heartbeat and returns its status
// (ProgressMoveTask, and Queues.MoveMessages in the move's own write).
const progressMoveTaskSQL = `UPDATE move_tasks SET moved = moved + ?, heartbeat_at = ? WHERE handle = ? RETURNING status`

const moveTaskColumns = `handle, account_id, source_arn, dest_arn, rate, status, moved, to_move, reason, started_at, heartbeat_at`

// MoveTasks implements store.MoveTasks: SQS message-move tasks, each stored with its lease.
type MoveTasks struct {
	base
	leases *Leases
	st     struct {
		createMoveTask, progressMoveTask, finishMoveTask *stmt
		moveTask, listMoveTasks                          *stmt
	}
}

var _ store.MoveTasks = (*MoveTasks)(nil)

func newMoveTasks(b base, leases *Leases) *MoveTasks {
	s := &MoveTasks{base: b.of("movetasks"), leases: leases}
	w, r := s.stmts.w, s.stmts.r
	s.st.createMoveTask = w("createMoveTask", `INSERT INTO move_tasks (`+moveTaskColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	s.st.progressMoveTask = w("progressMoveTask", progressMoveTaskSQL)
	s.st.finishMoveTask = w("finishMoveTask", `UPDATE move_tasks SET status = ?, reason = ? WHERE handle = ? AND status IN (?, ?)`)
	s.st.moveTask = r("moveTask", `SELECT `+moveTaskColumns+` FROM move_tasks WHERE handle = ?`)
	s.st.listMoveTasks = r("listMoveTasks", `SELECT `+moveTaskColumns+` FROM move_tasks WHERE source_arn = ? ORDER BY started_at DESC, handle LIMIT ?`)
	return s
}

func scanMoveTask(row scanner) (store.MoveTask, error) {
	var t store.MoveTask
	var started, heartbeat int64
	err := row.Scan(&t.Handle, &t.Account, &t.Source, &t.Destination, &t.Rate, &t.Status, &t.Moved, &t.ToMove, &t.Reason, &started, &heartbeat)
	t.Started, t.Heartbeat = fromNanos(started), fromNanos(heartbeat)
	return t, err
}

// CreateMoveTask stores a new task and, in the same transaction, its free lease (kind
// store.MoveTaskLease, named by handle) for a node to claim; the partial unique index on active
// tasks makes a second active task for the same source ErrExists.
func (s *MoveTasks) CreateMoveTask(ctx context.Context, t store.MoveTask) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		_, err := s.st.createMoveTask.in(ctx, tx).ExecContext(ctx, t.Handle, t.Account, t.Source, t.Destination, t.Rate, t.Status,
			t.Moved, t.ToMove, t.Reason, nanos(t.Started), nanos(t.Heartbeat))
		if err != nil {
			return s.fault("CreateMoveTask", err)
		}
		return s.leases.addTx(ctx, tx, store.MoveTaskLease, t.Handle)
	})
}

// MoveTask reads one task.
func (s *MoveTasks) MoveTask(ctx context.Context, handle string) (store.MoveTask, error) {
	t, err := scanMoveTask(s.st.moveTask.ps.QueryRowContext(ctx, handle))
	return t, s.fault("MoveTask", err)
}

// ListMoveTasks lists a source's most recent tasks, newest first.
func (s *MoveTasks) ListMoveTasks(ctx context.Context, source string, limit int) ([]store.MoveTask, error) {
	rows, err := s.st.listMoveTasks.ps.QueryContext(ctx, source, limit)
	out, err := collect(rows, err, 0, scanMoveTask)
	return out, s.fault("ListMoveTasks", err)
}

// ProgressMoveTask adds to a task's moved count, refreshes its heartbeat and returns its status.
func (s *MoveTasks) ProgressMoveTask(ctx context.Context, handle string, moved int64, now time.Time) (string, error) {
	var status string
	err := s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		return s.fault("ProgressMoveTask", s.st.progressMoveTask.in(ctx, tx).QueryRowContext(ctx, moved, nanos(now), handle).Scan(&status))
	})
	return status, err
}

// FinishMoveTask moves a task from one of the statuses from (one or two) to status.
func (s *MoveTasks) FinishMoveTask(ctx context.Context, handle, status, reason string, from ...string) (bool, error) {
	if len(from) == 0 || len(from) > 2 {
		return false, fmt.Errorf("queues.FinishMoveTask: %d statuses to move from; want 1 or 2", len(from))
	}
	from = append(from, from[0])
	var done bool
	err := s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		res, err := s.st.finishMoveTask.in(ctx, tx).ExecContext(ctx, status, reason, handle, from[0], from[1])
		if err != nil {
			return s.fault("FinishMoveTask", err)
		}
		n, _ := res.RowsAffected()
		done = n == 1
		return nil
	})
	return done, err
}
