package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/gureum/gureum/internal/store"
)

const moveTaskColumns = `handle, account_id, source_arn, dest_arn, rate, status, moved, to_move, reason, started_at, heartbeat_at`

var moveTaskWriteSQL = map[string]string{
	"createMoveTask":   `INSERT INTO move_tasks (` + moveTaskColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	"progressMoveTask": `UPDATE move_tasks SET moved = moved + ?, heartbeat_at = ? WHERE handle = ? RETURNING status`,
	"finishMoveTask":   `UPDATE move_tasks SET status = ?, reason = ? WHERE handle = ? AND status IN (?, ?)`,
}

var moveTaskReadSQL = map[string]string{
	"moveTask":      `SELECT ` + moveTaskColumns + ` FROM move_tasks WHERE handle = ?`,
	"listMoveTasks": `SELECT ` + moveTaskColumns + ` FROM move_tasks WHERE source_arn = ? ORDER BY started_at DESC, handle LIMIT ?`,
}

var _ store.MoveTasks = (*Store)(nil)

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
func (s *Store) CreateMoveTask(ctx context.Context, t store.MoveTask) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		_, err := s.wst(ctx, tx, "createMoveTask").ExecContext(ctx, t.Handle, t.Account, t.Source, t.Destination, t.Rate, t.Status,
			t.Moved, t.ToMove, t.Reason, nanos(t.Started), nanos(t.Heartbeat))
		if err != nil {
			return s.fault("CreateMoveTask", err)
		}
		return s.Leases.addTx(ctx, tx, store.MoveTaskLease, t.Handle)
	})
}

// MoveTask reads one task.
func (s *Store) MoveTask(ctx context.Context, handle string) (store.MoveTask, error) {
	t, err := scanMoveTask(s.rs["moveTask"].QueryRowContext(ctx, handle))
	return t, s.fault("MoveTask", err)
}

// ListMoveTasks lists a source's most recent tasks, newest first.
func (s *Store) ListMoveTasks(ctx context.Context, source string, limit int) ([]store.MoveTask, error) {
	rows, err := s.rs["listMoveTasks"].QueryContext(ctx, source, limit)
	out, err := collect(rows, err, 0, scanMoveTask)
	return out, s.fault("ListMoveTasks", err)
}

// ProgressMoveTask adds to a task's moved count, refreshes its heartbeat and returns its status.
func (s *Store) ProgressMoveTask(ctx context.Context, handle string, moved int64, now time.Time) (string, error) {
	var status string
	err := s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		return s.fault("ProgressMoveTask", s.wst(ctx, tx, "progressMoveTask").QueryRowContext(ctx, moved, nanos(now), handle).Scan(&status))
	})
	return status, err
}

// FinishMoveTask moves a task from one of the statuses from (one or two) to status.
func (s *Store) FinishMoveTask(ctx context.Context, handle, status, reason string, from ...string) (bool, error) {
	if len(from) == 0 || len(from) > 2 {
		return false, fmt.Errorf("queues.FinishMoveTask: %d statuses to move from; want 1 or 2", len(from))
	}
	from = append(from, from[0])
	var done bool
	err := s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		res, err := s.wst(ctx, tx, "finishMoveTask").ExecContext(ctx, status, reason, handle, from[0], from[1])
		if err != nil {
			return s.fault("FinishMoveTask", err)
		}
		n, _ := res.RowsAffected()
		done = n == 1
		return nil
	})
	return done, err
}
