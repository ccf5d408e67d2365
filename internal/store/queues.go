package store

import (
	"context"
	"time"
)

// Queue is an SQS queue as stored. Attributes holds the settable attributes by their AWS names,
// normalised and complete (defaults filled in); the service interprets them.
type Queue struct {
	ID         int64
	Account    string
	Name       string
	FIFO       bool
	Attributes map[string]string
	Tags       map[string]string
	// DeadLetterTarget is the deadLetterTargetArn of the queue's redrive policy (indexed, so a
	// dead-letter queue can list its sources).
	DeadLetterTarget string
	Created          time.Time
	Modified         time.Time
	PurgedAt         time.Time // the last PurgeQueue, for its 60-second rule
}

// Message is one stored SQS message.
type Message struct {
	Seq              int64 // store-assigned, increasing: the order of sends (and the FIFO SequenceNumber)
	ID               string
	Body             []byte
	Attributes       []byte // the message attributes, encoded by the service
	SystemAttributes []byte
	MD5Body          string
	MD5Attributes    string
	MD5System        string
	SenderID         string
	SentAt           time.Time
	VisibleAt        time.Time // not delivered before (delay, visibility timeout)
	ExpiresAt        time.Time // retention
	ReceiveCount     int
	FirstReceiveAt   time.Time
	ReceiptToken     string // changes with every receive; a receipt handle carries it
	GroupID          string
	DedupID          string
	DeadLetterSource string // the source queue's ARN once moved to a dead-letter queue
}

// SendResult is what one send produced: a new message, or the earlier one a FIFO deduplication
// id matched.
type SendResult struct {
	Seq       int64
	MessageID string
	Duplicate bool
}

// Dedup says how a FIFO send is deduplicated.
type Dedup struct {
	Scope   string // "" for the whole queue, the group id for messageGroup scope
	ID      string // MessageDeduplicationId or the body's SHA-256
	Expires time.Time
}

// Receive describes one receive.
type Receive struct {
	QueueID      int64
	FIFO         bool
	Max          int
	Now          time.Time
	VisibleUntil time.Time // the new visibility deadline of received messages
	NewToken     func() string
	// Redrive moves a message whose receive count reached MaxReceiveCount to DeadLetterQueue
	// instead of delivering it again (0 disables).
	MaxReceiveCount  int
	DeadLetterQueue  int64
	DeadLetterFIFO   bool
	DeadLetterExpiry time.Duration // the dead-letter queue's retention
	SourceARN        string
	// Attempt, on a FIFO queue, names the receive (SQS's ReceiveRequestAttemptId): until
	// AttemptExpires, a receive with the same Attempt returns the messages the first one
	// delivered that it still holds, with the same receipt tokens and their visibility timeout
	// restarted, instead of receiving afresh. Only when it holds none does it receive anew.
	Attempt        string
	AttemptExpires time.Time
}

// Received is the outcome of a receive.
type Received struct {
	Messages []Message // delivered
	Moved    int       // moved to the dead-letter queue instead of being delivered
}

// Handle names one receive of a message: its sequence number and the receipt token.
type Handle struct {
	Seq   int64
	Token string
}

// VisibilityChange is one visibility change.
type VisibilityChange struct {
	Handle
	VisibleAt time.Time
}

// ChangeResult is the outcome of one visibility change.
type ChangeResult int

const (
	Changed ChangeResult = iota
	NotFound
	NotInFlight
	// Hastened is Changed to an earlier deadline than the message had: it becomes visible
	// sooner, so long polls that waited for the old deadline must look again. On a store with
	// a listener the change announces the queue as a send does.
	Hastened
)

// Counts are a queue's approximate message counts.
type Counts struct {
	Visible, InFlight, Delayed int64
}

// Queues stores SQS queues and their messages.
type Queues interface {
	CreateQueue(ctx context.Context, q *Queue) error // sets q.ID; ErrExists when the name is taken
	Queue(ctx context.Context, account, name string) (Queue, error)
	QueueByID(ctx context.Context, id int64) (Queue, error)
	ListQueues(ctx context.Context, account, prefix string) ([]Queue, error) // by name
	UpdateQueue(ctx context.Context, q Queue) error                          // attributes, tags, modified, purged
	// DeleteQueue removes a queue and its messages and remembers the name as deleted at now.
	DeleteQueue(ctx context.Context, id int64, now time.Time) error
	// DeletedSince reports whether account/name was deleted at or after since.
	DeletedSince(ctx context.Context, account, name string, since time.Time) (bool, error)

	// SendMessages stores messages in one durable write. dedup, when not nil, holds one entry
	// per message (FIFO queues): a message whose id is already known within its window is not
	// stored again and its result names the earlier message.
	SendMessages(ctx context.Context, queueID int64, msgs []Message, dedup []Dedup, now time.Time) ([]SendResult, error)
	// ReceiveMessages makes up to Max visible messages invisible until VisibleUntil, counts the
	// receive, gives each a new receipt token and returns them; FIFO queues skip groups with a
	// message in flight and keep order within a group. Messages past their receive limit move
	// to the dead-letter queue instead; on a store with a listener the move announces that
	// queue as a send does.
	ReceiveMessages(ctx context.Context, r Receive) (Received, error)
	// DeleteMessages deletes, in one durable write, each message whose current receipt token is
	// the one given (at most 10 handles), and reports how many it deleted.
	DeleteMessages(ctx context.Context, queueID int64, handles []Handle) (deleted int, err error)
	// ChangeVisibility sets received messages' visibility deadlines in one durable write. A
	// result is NotFound when the message is gone or the token is stale, and NotInFlight
	// (changing nothing) when the message is not in flight at now.
	ChangeVisibility(ctx context.Context, queueID int64, changes []VisibilityChange, now time.Time) ([]ChangeResult, error)
	// MoveMessages moves up to max visible messages of queue from, longest visible first (for a
	// dead-letter queue, the order they arrived in), in one durable
	// write: route names each message's destination queue and its new expiry, or declines it
	// (the message stays). Moved messages keep their id, body and attributes and arrive visible,
	// unreceived. It returns how many moved. When task names a message-move task, the same write
	// adds the count to the task and sets its heartbeat to now, as MoveTasks.ProgressMoveTask does,
	// and status is the task's status: a stop between a move and its count cannot lose the count.
	MoveMessages(ctx context.Context, from int64, max int, now time.Time, route func(m Message) (to int64, expires time.Time, ok bool), task string) (moved int, status string, err error)
	PurgeMessages(ctx context.Context, queueID int64) error
	CountMessages(ctx context.Context, queueID int64, now time.Time) (Counts, error)
	// NextVisible is the earliest time after now at which a message of the queue becomes
	// visible, for long polls to sleep until.
	NextVisible(ctx context.Context, queueID int64, now time.Time) (time.Time, bool, error)
	// ExpireMessages deletes messages past their retention and FIFO deduplication entries past
	// their window, returning how many messages it deleted.
	ExpireMessages(ctx context.Context, now time.Time) (int64, error)
	// DeadLetterSources lists the queues whose redrive policy names this queue's ARN.
	DeadLetterSources(ctx context.Context, account, arn string) ([]Queue, error)
}
