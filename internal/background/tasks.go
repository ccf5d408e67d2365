package background

import (
	"context"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// TaskPoll is how often a node looks for tasks to take: free ones (new, or given up by a node
// that stopped) and those whose node stopped renewing their lease.
const TaskPoll = 2 * time.Second

// Tasks are long-running tasks of one kind (message-move tasks, deployments, executions), each
// under a lease named after it: whoever stores a task adds its free lease (store.Leases.AddLease,
// or in the task's own transaction), and a node claims it and runs fn until it returns. A task
// moves to another node when its node dies (the lease expires) or stops (Stop gives it up at
// once). When fn returns nil the task is done and its lease removed; an error is logged and
// counted, and the task may be claimed again after a delay. fn's context ends when the runner
// stops or the lease is lost; fn should keep its progress in the store so the next run resumes.
type Tasks struct {
	g    *leased
	wake chan struct{}
}

// Tasks registers a kind of task.
func (r *Runner) Tasks(kind string, fn func(ctx context.Context, name string) error) *Tasks {
	t := &Tasks{wake: make(chan struct{}, 1)}
	t.g = newLeased(r, kind, fn, func(ctx context.Context, l store.Lease) error { return r.cfg.Leases.FinishLease(ctx, l) })
	r.spawn(func(ctx context.Context) {
		for ctx.Err() == nil {
			t.g.claim(ctx, 64)
			select {
			case <-r.cfg.Clock.After(TaskPoll):
			case <-t.wake:
			case <-ctx.Done():
			}
		}
	})
	return t
}

// Wake makes this node look for tasks to take now (after storing one, so that it starts at once
// rather than at the next poll).
func (t *Tasks) Wake() {
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// Running lists the tasks running on this node.
func (t *Tasks) Running() []string { return t.g.names() }
