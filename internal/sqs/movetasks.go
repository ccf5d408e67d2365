package sqs

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/store"
)

type StartMessageMoveTaskInput struct {
	SourceArn                    string
	DestinationArn               string
	MaxNumberOfMessagesPerSecond *int
}

type StartMessageMoveTaskOutput struct {
	TaskHandle string
}

type ListMessageMoveTasksInput struct {
	SourceArn  string
	MaxResults *int
}

type MessageMoveTask struct {
	TaskHandle                        string `json:",omitempty" xml:",omitempty"`
	Status                            string
	SourceArn                         string
	DestinationArn                    string `json:",omitempty" xml:",omitempty"`
	MaxNumberOfMessagesPerSecond      *int   `json:",omitempty" xml:",omitempty"`
	ApproximateNumberOfMessagesMoved  int64
	ApproximateNumberOfMessagesToMove int64
	FailureReason                     string `json:",omitempty" xml:",omitempty"`
	StartedTimestamp                  int64
}

type ListMessageMoveTasksOutput struct {
	Results []MessageMoveTask `xml:"ListMessageMoveTasksResultEntry"`
}

type CancelMessageMoveTaskInput struct {
	TaskHandle string
}

type CancelMessageMoveTaskOutput struct {
	ApproximateNumberOfMessagesMoved int64
}

// moveTasks are the message-move tasks this node runs. The tasks are stored (store.MoveTasks)
// each with its lease (store.MoveTaskLease), and run as background tasks (background.Tasks): a
// node that stops gives its leases up, one that dies lets them expire, and another node claims
// and resumes them.
type moveTasks struct {
	tasks *background.Tasks // nil without a runner (New): then tasks are stored but run nowhere here

	mu   sync.Mutex
	wake map[string]chan struct{} // by handle, of the tasks running here: closed at a cancel
}

// moveTopic is the notifier topic on which a cancelled task's handle is announced, so that the
// node running it sees the cancel at once.
const moveTopic = "sqs_moves"

// moveTick is how often an unlimited task moves its next slice (of 100 messages).
const moveTick = 100 * time.Millisecond

// running registers a task running here and returns its wake-up channel and its removal.
func (m *moveTasks) running(handle string) (<-chan struct{}, func()) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ch := make(chan struct{})
	m.wake[handle] = ch
	return ch, func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		delete(m.wake, handle)
	}
}

// woken returns the task's current wake-up channel (wakeUp replaces it).
func (m *moveTasks) woken(handle string) <-chan struct{} {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.wake[handle]
}

// wakeUp wakes a task's runner if it runs here.
func (m *moveTasks) wakeUp(handle string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if ch, ok := m.wake[handle]; ok {
		close(ch)
		m.wake[handle] = make(chan struct{})
	}
}

func viewTask(t store.MoveTask) MessageMoveTask {
	v := MessageMoveTask{Status: t.Status, SourceArn: t.Source, DestinationArn: t.Destination,
		ApproximateNumberOfMessagesMoved: t.Moved, ApproximateNumberOfMessagesToMove: t.ToMove, FailureReason: t.Reason,
		StartedTimestamp: t.Started.UnixMilli()}
	if t.Rate > 0 {
		rate := t.Rate
		v.MaxNumberOfMessagesPerSecond = &rate
	}
	if t.Status == "RUNNING" {
		v.TaskHandle = t.Handle
	}
	return v
}

func taskHandle(id, source string) string {
	b, _ := json.Marshal(map[string]string{"taskId": id, "sourceArn": source})
	return base64.StdEncoding.EncodeToString(b)
}

// handleSource reads the source queue ARN out of a task handle, for authorization.
func handleSource(h string) string {
	b, err := base64.StdEncoding.DecodeString(h)
	if err != nil {
		return ""
	}
	var v struct {
		SourceArn string `json:"sourceArn"`
	}
	json.Unmarshal(b, &v)
	return v.SourceArn
}

// StartMessageMoveTask starts moving a dead-letter queue's messages back to their source queues,
// or to DestinationArn, at up to MaxNumberOfMessagesPerSecond.
func (s *Service) StartMessageMoveTask(ctx context.Context, in *StartMessageMoveTaskInput) (*StartMessageMoveTaskOutput, error) {
	if in.SourceArn == "" {
		return nil, ErrMissingParameter.Errorf("The request must contain the parameter SourceArn.")
	}
	src, err := s.queueByARN(ctx, in.SourceArn)
	if err != nil || src.Account != callerAccount(ctx) {
		return nil, ErrResourceNotFound.Errorf("The resource that you specified for the SourceArn parameter doesn't exist.")
	}
	if sources, err := s.store.DeadLetterSources(ctx, src.Account, in.SourceArn); err != nil {
		return nil, err
	} else if len(sources) == 0 {
		return nil, ErrInvalidParameterValue.Errorf("Source queue must be configured as a Dead Letter Queue.")
	}
	if in.DestinationArn != "" {
		if dst, err := s.queueByARN(ctx, in.DestinationArn); err != nil || dst.Account != src.Account {
			return nil, ErrResourceNotFound.Errorf("The resource that you specified for the DestinationArn parameter doesn't exist.")
		}
	}
	if r := in.MaxNumberOfMessagesPerSecond; r != nil && (*r < 1 || *r > 500) {
		return nil, ErrInvalidParameterValue.Errorf("Value %d for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: Must be between 1 and 500.", *r)
	}
	counts, err := s.store.CountMessages(ctx, src.ID, s.clock.Now())
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	t := store.MoveTask{Handle: taskHandle(request.NewID(), in.SourceArn), Account: src.Account, Source: in.SourceArn,
		Destination: in.DestinationArn, Status: "RUNNING", ToMove: counts.Visible, Started: now, Heartbeat: now}
	if in.MaxNumberOfMessagesPerSecond != nil {
		t.Rate = *in.MaxNumberOfMessagesPerSecond
	}
	if err := s.tasks.CreateMoveTask(ctx, t); errors.Is(err, store.ErrExists) {
		return nil, ErrUnsupportedOperation.Errorf("There is already a task running. Only one active task is allowed for a source queue arn at a given time.")
	} else if err != nil {
		return nil, err
	}
	if s.moves.tasks != nil {
		s.moves.tasks.Wake() // claim it here now rather than at the next poll
	}
	return &StartMessageMoveTaskOutput{TaskHandle: t.Handle}, nil
}

// runMove runs a stored task on this node, under its lease: until it completes, fails or is
// cancelled (nil: its lease is removed), or until ctx ends (the runner stops or the lease is
// lost: the task stays RUNNING for its next runner). An error leaves the task to be claimed again
// later.
func (s *Service) runMove(ctx context.Context, handle string) error {
	t, err := s.tasks.MoveTask(ctx, handle)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if !store.MoveTaskActive(t.Status) {
		return nil // finished before its lease was: nothing left to do
	}
	wake, done := s.moves.running(handle)
	defer done()
	return s.move(ctx, t, wake)
}

// move moves the task's messages in slices sized to its rate until none are left, it is
// cancelled (on any node), or ctx ends.
func (s *Service) move(ctx context.Context, t store.MoveTask, wake <-chan struct{}) error {
	perTick, every := 100, moveTick // unlimited: up to 1,000 messages a second
	if t.Rate > 0 {
		perTick = max(1, t.Rate*int(moveTick)/int(time.Second))
		every = time.Duration(perTick) * time.Second / time.Duration(t.Rate)
	}
	finish := func(status, reason string, from ...string) error {
		_, err := s.tasks.FinishMoveTask(ctx, t.Handle, status, reason, from...)
		return err
	}
	if t.Status == "CANCELLING" {
		return finish("CANCELLED", "", "CANCELLING")
	}
	src, err := s.queueByARN(ctx, t.Source)
	if errors.Is(err, store.ErrNotFound) {
		return finish("FAILED", "The source queue no longer exists.", "RUNNING", "CANCELLING")
	} else if err != nil {
		return err
	}
	route := s.moveRoute(ctx, t)
	for {
		// The move and its count are one write: a stop after it cannot lose the count.
		n, status, err := s.store.MoveMessages(ctx, src.ID, perTick, s.clock.Now(), route.to, t.Handle)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			return finish("FAILED", "Moving messages failed: the store did not accept the move.", "RUNNING", "CANCELLING")
		}
		for _, q := range route.dests {
			s.waiters.notify(q.ID)
		}
		switch {
		case status == "CANCELLING":
			return finish("CANCELLED", "", "CANCELLING")
		case status != "RUNNING":
			return nil
		case n < perTick:
			if done, err := s.tasks.FinishMoveTask(ctx, t.Handle, "COMPLETED", "", "RUNNING"); err != nil || done {
				return err
			}
			return finish("CANCELLED", "", "CANCELLING") // cancelled meanwhile
		}
		select {
		case <-s.clock.After(every):
		case <-wake:
			wake = s.moves.woken(t.Handle)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// moveRoute finds where a task's messages go: its destination, or each message's source queue.
type moveRoute struct {
	s     *Service
	ctx   context.Context
	t     store.MoveTask
	dests map[string]store.Queue // by ARN
}

func (s *Service) moveRoute(ctx context.Context, t store.MoveTask) *moveRoute {
	return &moveRoute{s: s, ctx: ctx, t: t, dests: map[string]store.Queue{}}
}

func (r *moveRoute) to(m store.Message) (int64, time.Time, bool) {
	arn := r.t.Destination
	if arn == "" {
		arn = m.DeadLetterSource
	}
	q, ok := r.dests[arn]
	if !ok {
		var err error
		if q, err = r.s.queueByARN(r.ctx, arn); err != nil {
			return 0, time.Time{}, false
		}
		r.dests[arn] = q
	}
	return q.ID, r.s.clock.Now().Add(parseConfig(q.Attributes).retention), true
}

// ListMessageMoveTasks lists the most recent tasks of a source queue, newest first.
func (s *Service) ListMessageMoveTasks(ctx context.Context, in *ListMessageMoveTasksInput) (*ListMessageMoveTasksOutput, error) {
	if in.SourceArn == "" {
		return nil, ErrMissingParameter.Errorf("The request must contain the parameter SourceArn.")
	}
	if _, err := s.queueByARN(ctx, in.SourceArn); err != nil {
		return nil, ErrResourceNotFound.Errorf("The resource that you specified for the SourceArn parameter doesn't exist.")
	}
	limit, err := intParam(in.MaxResults, 1, 1, 10, "MaxResults")
	if err != nil {
		return nil, err
	}
	tasks, err := s.tasks.ListMoveTasks(ctx, in.SourceArn, limit)
	if err != nil {
		return nil, err
	}
	out := &ListMessageMoveTasksOutput{Results: []MessageMoveTask{}}
	for _, t := range tasks {
		out.Results = append(out.Results, viewTask(t))
	}
	return out, nil
}

// CancelMessageMoveTask stops a running task; the messages it moved stay moved.
func (s *Service) CancelMessageMoveTask(ctx context.Context, in *CancelMessageMoveTaskInput) (*CancelMessageMoveTaskOutput, error) {
	t, err := s.tasks.MoveTask(ctx, in.TaskHandle)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrResourceNotFound.Errorf("Task does not exist.")
	} else if err != nil {
		return nil, err
	}
	ok, err := s.tasks.FinishMoveTask(ctx, in.TaskHandle, "CANCELLING", "", "RUNNING")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrUnsupportedOperation.Errorf("Only active tasks can be cancelled.")
	}
	s.moves.wakeUp(in.TaskHandle)                 // the runner sees CANCELLING at once, here
	s.notes.Notify(ctx, moveTopic, in.TaskHandle) // or on the node running it (best effort)
	return &CancelMessageMoveTaskOutput{ApproximateNumberOfMessagesMoved: t.Moved}, nil
}
