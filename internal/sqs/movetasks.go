package sqs

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"sort"
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

// moveTasks remembers this node's message-move tasks (running and finished) by source queue.
// Tasks live in memory: a restart ends running tasks, and the messages not yet moved stay in
// the dead-letter queue, where a new task can pick them up.
type moveTasks struct {
	mu       sync.Mutex
	bySource map[string][]*moveTask // newest last
	byHandle map[string]*moveTask
	wg       sync.WaitGroup
}

type moveTask struct {
	handle, source, dest string
	rate                 *int
	started              time.Time
	toMove               int64

	mu     sync.Mutex
	status string
	moved  int64
	reason string
	cancel chan struct{}
}

func (t *moveTask) view() MessageMoveTask {
	t.mu.Lock()
	defer t.mu.Unlock()
	v := MessageMoveTask{Status: t.status, SourceArn: t.source, DestinationArn: t.dest, MaxNumberOfMessagesPerSecond: t.rate,
		ApproximateNumberOfMessagesMoved: t.moved, ApproximateNumberOfMessagesToMove: t.toMove, FailureReason: t.reason,
		StartedTimestamp: t.started.UnixMilli()}
	if t.status == "RUNNING" {
		v.TaskHandle = t.handle
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
	t := &moveTask{handle: taskHandle(request.NewID(), in.SourceArn), source: in.SourceArn, dest: in.DestinationArn,
		rate: in.MaxNumberOfMessagesPerSecond, started: s.clock.Now(), toMove: counts.Visible, status: "RUNNING", cancel: make(chan struct{})}
	s.moves.mu.Lock()
	for _, other := range s.moves.bySource[in.SourceArn] {
		if other.view().Status == "RUNNING" {
			s.moves.mu.Unlock()
			return nil, ErrUnsupportedOperation.Errorf("There is already a task running. Only one active task is allowed for a source queue arn at a given time.")
		}
	}
	s.moves.bySource[in.SourceArn] = append(s.moves.bySource[in.SourceArn], t)
	s.moves.byHandle[t.handle] = t
	s.moves.wg.Add(1)
	s.moves.mu.Unlock()
	go s.runMove(t, src)
	return &StartMessageMoveTaskOutput{TaskHandle: t.handle}, nil
}

// moveTick is how often a task moves its next slice of messages.
const moveTick = 100 * time.Millisecond

// runMove moves the task's messages in slices sized to its rate until none are left, it is
// cancelled, or the server stops.
func (s *Service) runMove(t *moveTask, src store.Queue) {
	defer s.moves.wg.Done()
	ctx := context.Background()
	perTick := 100 // unlimited: up to 1,000 messages a second
	if t.rate != nil {
		perTick = max(1, *t.rate*int(moveTick)/int(time.Second))
	}
	dests := map[string]store.Queue{}
	route := func(m store.Message) (int64, time.Time, bool) {
		arn := t.dest
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
	finish := func(status, reason string) {
		t.mu.Lock()
		t.status, t.reason = status, reason
		t.mu.Unlock()
	}
	for {
		select {
		case <-t.cancel:
			finish("CANCELLED", "")
			return
		case <-s.stopMoves:
			finish("FAILED", "The server stopped; start a new task to move the remaining messages.")
			return
		default:
		}
		n, err := s.store.MoveMessages(ctx, src.ID, perTick, s.clock.Now(), route)
		if err != nil {
			finish("FAILED", "Moving messages failed: the store did not accept the move.")
			return
		}
		t.mu.Lock()
		t.moved += int64(n)
		t.mu.Unlock()
		for _, q := range dests {
			s.waiters.notify(q.ID)
		}
		if n < perTick {
			finish("COMPLETED", "")
			return
		}
		select {
		case <-s.clock.After(moveTick):
		case <-t.cancel:
		case <-s.stopMoves:
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
	s.moves.mu.Lock()
	tasks := append([]*moveTask(nil), s.moves.bySource[in.SourceArn]...)
	s.moves.mu.Unlock()
	sort.SliceStable(tasks, func(i, j int) bool { return tasks[i].started.After(tasks[j].started) })
	out := &ListMessageMoveTasksOutput{Results: []MessageMoveTask{}}
	for _, t := range tasks[:min(limit, len(tasks))] {
		out.Results = append(out.Results, t.view())
	}
	return out, nil
}

// CancelMessageMoveTask stops a running task; the messages it moved stay moved.
func (s *Service) CancelMessageMoveTask(ctx context.Context, in *CancelMessageMoveTaskInput) (*CancelMessageMoveTaskOutput, error) {
	s.moves.mu.Lock()
	t, ok := s.moves.byHandle[in.TaskHandle]
	s.moves.mu.Unlock()
	if !ok {
		return nil, ErrResourceNotFound.Errorf("Task does not exist.")
	}
	t.mu.Lock()
	running := t.status == "RUNNING"
	if running {
		t.status = "CANCELLING"
		close(t.cancel)
	}
	moved := t.moved
	t.mu.Unlock()
	if !running {
		return nil, ErrUnsupportedOperation.Errorf("Only active tasks can be cancelled.")
	}
	return &CancelMessageMoveTaskOutput{ApproximateNumberOfMessagesMoved: moved}, nil
}
