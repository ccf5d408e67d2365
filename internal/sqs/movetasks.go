package sqs

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"sync"
	"time"

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

// moveTasks tracks the tasks this node runs; the tasks themselves are stored (store.MoveTasks),
// so they outlive the node: one that stops leaves its running tasks RUNNING, with a heartbeat
// that goes stale, and the next node to look claims and resumes them.
type moveTasks struct {
	mu      sync.Mutex
	running map[string]chan struct{} // by handle: closed to wake the runner at a local cancel
	wg      sync.WaitGroup
}

const (
	// moveTick is how often an unlimited task moves its next slice (of 100 messages).
	moveTick = 100 * time.Millisecond
	// moveStale is how old a running task's heartbeat must be before another runner claims it;
	// a runner reports at least once a second.
	moveStale = 10 * time.Second
	// moveClaimEvery is how often a node looks for tasks to claim.
	moveClaimEvery = 2 * time.Second
)

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
	s.runMove(t)
	return &StartMessageMoveTaskOutput{TaskHandle: t.Handle}, nil
}

// claimMoves runs, until Stop, a loop that claims tasks whose runner stopped (this node before a
// restart, or another node) and resumes them.
func (s *Service) claimMoves() {
	defer s.moves.wg.Done()
	for {
		now := s.clock.Now()
		if claimed, err := s.tasks.ClaimMoveTasks(context.Background(), now.Add(-moveStale), now); err == nil {
			for _, t := range claimed {
				s.runMove(t)
			}
		}
		select {
		case <-s.stopMoves:
			return
		case <-s.clock.After(moveClaimEvery):
		}
	}
}

// runMove starts running a task on this node.
func (s *Service) runMove(t store.MoveTask) {
	wake := make(chan struct{})
	s.moves.mu.Lock()
	select {
	case <-s.stopMoves: // stopping: the task stays stored for the next runner
		s.moves.mu.Unlock()
		return
	default:
	}
	if _, dup := s.moves.running[t.Handle]; dup {
		s.moves.mu.Unlock()
		return
	}
	s.moves.running[t.Handle] = wake
	s.moves.wg.Add(1)
	s.moves.mu.Unlock()
	go func() {
		defer func() {
			s.moves.mu.Lock()
			delete(s.moves.running, t.Handle)
			s.moves.mu.Unlock()
			s.moves.wg.Done()
		}()
		s.move(t, wake)
	}()
}

// move moves the task's messages in slices sized to its rate until none are left, it is
// cancelled (on any node), or the server stops (the task stays RUNNING for the next runner).
func (s *Service) move(t store.MoveTask, wake chan struct{}) {
	ctx := context.Background()
	perTick, every := 100, moveTick // unlimited: up to 1,000 messages a second
	if t.Rate > 0 {
		perTick = max(1, t.Rate*int(moveTick)/int(time.Second))
		every = time.Duration(perTick) * time.Second / time.Duration(t.Rate)
	}
	finish := func(status, reason string, from ...string) {
		s.tasks.FinishMoveTask(ctx, t.Handle, status, reason, from...)
	}
	if t.Status == "CANCELLING" {
		finish("CANCELLED", "", "CANCELLING")
		return
	}
	src, err := s.queueByARN(ctx, t.Source)
	if err != nil {
		finish("FAILED", "The source queue no longer exists.", "RUNNING", "CANCELLING")
		return
	}
	dests := map[string]store.Queue{}
	route := func(m store.Message) (int64, time.Time, bool) {
		arn := t.Destination
		if arn == "" {
			arn = m.DeadLetterSource
		}
		q, ok := dests[arn]
		if !ok {
			var err error
			if q, err = s.queueByARN(ctx, arn); err != nil {
				return 0, time.Time{}, false
			}
			dests[arn] = q
		}
		return q.ID, s.clock.Now().Add(parseConfig(q.Attributes).retention), true
	}
	for {
		n, err := s.store.MoveMessages(ctx, src.ID, perTick, s.clock.Now(), route)
		if err != nil {
			finish("FAILED", "Moving messages failed: the store did not accept the move.", "RUNNING", "CANCELLING")
			return
		}
		for _, q := range dests {
			s.waiters.notify(q.ID)
		}
		status, err := s.tasks.ProgressMoveTask(ctx, t.Handle, int64(n), s.clock.Now())
		switch {
		case err != nil:
			return // the store is away: the task stays RUNNING and is claimed again once stale
		case status == "CANCELLING":
			finish("CANCELLED", "", "CANCELLING")
			return
		case status != "RUNNING":
			return
		case n < perTick:
			if done, _ := s.tasks.FinishMoveTask(ctx, t.Handle, "COMPLETED", "", "RUNNING"); !done {
				finish("CANCELLED", "", "CANCELLING") // cancelled meanwhile
			}
			return
		}
		s.moves.mu.Lock()
		wake = s.moves.running[t.Handle]
		s.moves.mu.Unlock()
		select {
		case <-s.clock.After(every):
		case <-wake:
		case <-s.stopMoves:
			// Leave the task RUNNING with no heartbeat, for the next node (or this one after a
			// restart) to claim at once. A node that dies instead lets the heartbeat go stale.
			s.tasks.ProgressMoveTask(ctx, t.Handle, 0, time.Time{})
			return
		}
	}
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
	s.moves.mu.Lock()
	if wake, here := s.moves.running[in.TaskHandle]; here {
		close(wake) // the runner sees CANCELLING at once
		s.moves.running[in.TaskHandle] = make(chan struct{})
	}
	s.moves.mu.Unlock()
	return &CancelMessageMoveTaskOutput{ApproximateNumberOfMessagesMoved: t.Moved}, nil
}
