package store

import (
	"context"
	"time"
)

// MoveTask is an SQS message-move task as stored, so that it outlives the node that started it:
// while it is active (RUNNING or CANCELLING) the node holding its lease (kind MoveTaskLease,
// named by its handle) runs it, and a node that stops leaves the lease for the next to claim.
type MoveTask struct {
	Handle      string
	Account     string
	Source      string // the dead-letter queue's ARN
	Destination string // "" moves each message back to its source queue
	Rate        int    // messages a second; 0 for no limit
	Status      string // RUNNING, CANCELLING, CANCELLED, COMPLETED or FAILED
	Moved       int64
	ToMove      int64
	Reason      string // why it FAILED
	Started     time.Time
	Heartbeat   time.Time // when its runner last reported progress
}

// MoveTaskLease is the kind of a move task's lease, which CreateMoveTask records with it.
const MoveTaskLease = "sqs.move"

// MoveTaskActive reports whether a task in status is still active.
func MoveTaskActive(status string) bool { return status == "RUNNING" || status == "CANCELLING" }

// MoveTasks stores message-move tasks.
type MoveTasks interface {
	// CreateMoveTask stores a new RUNNING task, with its free lease (MoveTaskLease); ErrExists
	// when its source has an active one.
	CreateMoveTask(ctx context.Context, t MoveTask) error
	MoveTask(ctx context.Context, handle string) (MoveTask, error)
	// ListMoveTasks lists a source's most recent tasks, newest first.
	ListMoveTasks(ctx context.Context, source string, limit int) ([]MoveTask, error)
	// ProgressMoveTask adds moved to a task's count, sets its heartbeat to now and returns its
	// status (which another node may have set to CANCELLING).
	ProgressMoveTask(ctx context.Context, handle string, moved int64, now time.Time) (status string, err error)
	// FinishMoveTask sets a task's status if its current status is one of from, and reports
	// whether it did.
	FinishMoveTask(ctx context.Context, handle, status, reason string, from ...string) (bool, error)
}
