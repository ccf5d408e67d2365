// Package sqs is Amazon Simple Queue Service (API 2012-11-05): AWS JSON 1.0 as current SDKs send
// it, and the query protocol that older clients use, on the same endpoint. Queues and messages
// live in a store.Queues, so every acknowledged send, delete and visibility change is durable.
package sqs

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/iam"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/store"
)

// Clock is the service's time: Now for every timestamp and deadline, After for long-poll waits
// and background work.
type Clock = background.Clock

// Store is what SQS keeps: queues with their messages and message-move tasks, and the notifier
// on which other nodes announce queues that gain messages and cancelled tasks.
type Store interface {
	store.Queues
	store.MoveTasks
	store.Notifier
}

// Service serves SQS.
type Service struct {
	store   store.Queues
	tasks   store.MoveTasks
	notes   store.Notifier
	region  string
	clock   Clock
	waiters waiters
	queues  queueCache
	// policies caches queue policies for the authorizer (ResourcePolicy).
	policies *iam.PolicyCache
	moves    moveTasks

	unsubscribe []func() // Stop's: the notifier subscriptions Start made
}

// Deps is what SQS is built with.
type Deps struct {
	service.Env
	Store Store
}

// New returns the SQS service. Its background work (the retention sweeper and message-move
// tasks) is registered on d.Runner when there is one.
func New(d Deps) *Service {
	d.Env = d.Env.For("sqs")
	s := &Service{store: d.Store, tasks: d.Store, notes: d.Store, region: d.Region, clock: d.Clock, waiters: waiters{m: map[int64]chan struct{}{}},
		queues: queueCache{m: map[string]cachedQueue{}}, moves: moveTasks{wake: map[string]chan struct{}{}}}
	s.policies = iam.NewPolicyCache(d.Store, policyTopic, func() time.Time { return s.clock.Now() }, s.loadPolicy)
	if d.Runner != nil {
		s.register(d.Runner)
	}
	return s
}

// Describe returns SQS's operation table: every operation of the 2012-11-05 API.
func (s *Service) Describe() *service.Service {
	op := func(name string, h service.Handler, resource func(context.Context, any) string) service.Operation {
		return service.Operation{Name: name, Action: "sqs:" + name, Handler: h, Resource: resource}
	}
	byURL := func(ctx context.Context, in any) string { return s.arnFromInput(ctx, in) }
	return (&service.Service{
		Name:            "sqs",
		SigningName:     "sqs",
		Protocol:        service.JSON10,
		APIVersion:      "2012-11-05",
		TargetPrefix:    "AmazonSQS",
		ErrorTypePrefix: "com.amazonaws.sqs#",
		QueryCompatible: true,
		AlsoQuery:       true,
		XMLNamespace:    "http://queue.amazonaws.com/doc/2012-11-05/",
		// A JSON body the decoder would change (invalid UTF-8, an escaped lone surrogate) gets the
		// answer the query protocol gives such text once decoded.
		InvalidText: ErrInvalidMessageContents.Errorf(invalidCharacters),
		// Queue policies (the Policy attribute, AddPermission's statements) are weighed beside
		// the caller's own.
		ResourcePolicies: s.ResourcePolicy,
		Operations: []service.Operation{
			op("AddPermission", service.Func(s.AddPermission), byURL),
			op("CancelMessageMoveTask", service.Func(s.CancelMessageMoveTask), func(ctx context.Context, in any) string {
				return arnOr(handleSource(in.(*CancelMessageMoveTaskInput).TaskHandle))
			}),
			op("ChangeMessageVisibility", service.Func(s.ChangeMessageVisibility), byURL),
			op("ChangeMessageVisibilityBatch", service.Func(s.ChangeMessageVisibilityBatch), byURL),
			op("CreateQueue", service.Func(s.CreateQueue), func(ctx context.Context, in any) string {
				return s.arn(callerAccount(ctx), in.(*CreateQueueInput).QueueName)
			}),
			op("DeleteMessage", service.Func(s.DeleteMessage), byURL),
			op("DeleteMessageBatch", service.Func(s.DeleteMessageBatch), byURL),
			op("DeleteQueue", service.Func(s.DeleteQueue), byURL),
			op("GetQueueAttributes", service.Func(s.GetQueueAttributes), byURL),
			op("GetQueueUrl", service.Func(s.GetQueueUrl), func(ctx context.Context, in any) string {
				i := in.(*GetQueueUrlInput)
				account := i.QueueOwnerAWSAccountId
				if account == "" {
					account = callerAccount(ctx)
				}
				return s.arn(account, i.QueueName)
			}),
			op("ListDeadLetterSourceQueues", service.Func(s.ListDeadLetterSourceQueues), byURL),
			op("ListMessageMoveTasks", service.Func(s.ListMessageMoveTasks), func(ctx context.Context, in any) string {
				return arnOr(in.(*ListMessageMoveTasksInput).SourceArn)
			}),
			op("ListQueueTags", service.Func(s.ListQueueTags), byURL),
			op("ListQueues", service.Func(s.ListQueues), nil),
			op("PurgeQueue", service.Func(s.PurgeQueue), byURL),
			op("ReceiveMessage", service.Func(s.ReceiveMessage), byURL),
			op("RemovePermission", service.Func(s.RemovePermission), byURL),
			op("SendMessage", service.Func(s.SendMessage), byURL),
			op("SendMessageBatch", service.Func(s.SendMessageBatch), byURL),
			op("SetQueueAttributes", service.Func(s.SetQueueAttributes), byURL),
			op("StartMessageMoveTask", service.Func(s.StartMessageMoveTask), func(ctx context.Context, in any) string {
				return arnOr(in.(*StartMessageMoveTaskInput).SourceArn)
			}),
			op("TagQueue", service.Func(s.TagQueue), byURL),
			op("UntagQueue", service.Func(s.UntagQueue), byURL),
		},
	}).Index()
}

// arnOr is the IAM resource for an ARN parameter ("*" when absent; the handler reports it).
func arnOr(arn string) string {
	if arn == "" {
		return "*"
	}
	return arn
}

func callerAccount(ctx context.Context) string {
	if p := request.From(ctx).Principal; p != nil {
		return p.Account
	}
	return ""
}

func (s *Service) arn(account, name string) string {
	return "arn:aws:sqs:" + s.region + ":" + account + ":" + name
}

// queueURLer is any input that names its queue by URL.
type queueURLer interface{ queueURL() string }

func (i *QueueInput) queueURL() string                        { return i.QueueUrl }
func (i *GetQueueAttributesInput) queueURL() string           { return i.QueueUrl }
func (i *SetQueueAttributesInput) queueURL() string           { return i.QueueUrl }
func (i *TagQueueInput) queueURL() string                     { return i.QueueUrl }
func (i *UntagQueueInput) queueURL() string                   { return i.QueueUrl }
func (i *ListDeadLetterSourceQueuesInput) queueURL() string   { return i.QueueUrl }
func (i *SendMessageInput) queueURL() string                  { return i.QueueUrl }
func (i *SendMessageBatchInput) queueURL() string             { return i.QueueUrl }
func (i *ReceiveMessageInput) queueURL() string               { return i.QueueUrl }
func (i *DeleteMessageInput) queueURL() string                { return i.QueueUrl }
func (i *DeleteMessageBatchInput) queueURL() string           { return i.QueueUrl }
func (i *ChangeMessageVisibilityInput) queueURL() string      { return i.QueueUrl }
func (i *ChangeMessageVisibilityBatchInput) queueURL() string { return i.QueueUrl }
func (i *AddPermissionInput) queueURL() string                { return i.QueueUrl }
func (i *RemovePermissionInput) queueURL() string             { return i.QueueUrl }

// arnFromInput is the IAM resource of an operation on a queue named by URL.
func (s *Service) arnFromInput(ctx context.Context, in any) string {
	u, ok := in.(queueURLer)
	if !ok {
		return "*"
	}
	account, name, err := parseQueueURL(ctx, u.queueURL())
	if err != nil {
		return "*" // the handler reports the bad URL
	}
	return s.arn(account, name)
}

// parseQueueURL reads account and name from a queue URL (…/<account>/<name>, or …/queue/<name>
// for the caller's own account). An empty URL means the request's own path, where query
// clients post to the queue URL itself.
func parseQueueURL(ctx context.Context, raw string) (account, name string, err error) {
	path := raw
	if raw == "" {
		path = request.From(ctx).Path
	} else {
		path = queuePath(raw)
	}
	// The last two segments of the path, without its outer slashes.
	trimmed := strings.Trim(path, "/")
	i := strings.LastIndexByte(trimmed, '/')
	if i < 0 || trimmed[i+1:] == "" {
		if raw == "" {
			return "", "", ErrMissingParameter.Errorf("The request must contain the parameter QueueUrl.")
		}
		return "", "", ErrQueueDoesNotExist.Errorf("The specified queue does not exist.")
	}
	name = trimmed[i+1:]
	account = trimmed[strings.LastIndexByte(trimmed[:i], '/')+1 : i]
	if account == "queue" {
		account = callerAccount(ctx)
	}
	return account, name, nil
}

// queuePath is the path of a queue URL as url.Parse gives it. Every request names its queue by
// URL, and queue URLs are plain (http or https, host and port, /account/name): those are cut by
// hand, anything else is parsed.
func queuePath(raw string) string {
	rest, ok := strings.CutPrefix(raw, "http://")
	if !ok {
		rest, ok = strings.CutPrefix(raw, "https://")
	}
	for i := 0; ok && i < len(rest); i++ {
		c := rest[i]
		ok = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-_./:", c) >= 0
	}
	host, path := rest, ""
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		host, path = rest[:i], rest[i:]
	}
	if i := strings.IndexByte(host, ':'); i >= 0 { // a port, which url.Parse wants in digits
		for _, c := range []byte(host[i+1:]) {
			ok = ok && '0' <= c && c <= '9'
		}
	}
	if ok {
		return path
	}
	if u, err := url.Parse(raw); err == nil {
		return u.Path
	}
	return raw
}

// queueToChange resolves the queue an input names, as a copy the caller may modify.
func (s *Service) queueToChange(ctx context.Context, rawURL string) (store.Queue, error) {
	q, err := s.queue(ctx, rawURL)
	return copyQueue(q), err
}

// queue resolves the queue an input names. The queue may be shared with other callers (the
// cache's): it is read-only.
func (s *Service) queue(ctx context.Context, rawURL string) (store.Queue, error) {
	account, name, err := parseQueueURL(ctx, rawURL)
	if err != nil {
		return store.Queue{}, err
	}
	key := account + "/" + name
	now := s.clock.Now()
	if q, ok := s.queues.get(key, now); ok {
		return q, nil
	}
	q, err := s.store.Queue(ctx, account, name)
	if errors.Is(err, store.ErrNotFound) {
		return store.Queue{}, ErrQueueDoesNotExist.Errorf("The specified queue does not exist.")
	}
	if err != nil {
		return store.Queue{}, err
	}
	s.queues.put(key, q, now)
	return q, nil
}

// queueCacheTTL is how long a node trusts queue metadata it read. Changes made through this node
// take effect at once; another node may see them up to this late (AWS documents up to 60 seconds
// for attribute changes to propagate).
const queueCacheTTL = time.Second

const maxCachedQueues = 10000

// queueCache holds recently read queues. What get returns shares its maps with the cache and
// with every other caller: it is read-only. An operation that changes a queue takes it with
// Service.queueToChange, a copy.
type queueCache struct {
	mu sync.Mutex
	m  map[string]cachedQueue
}

type cachedQueue struct {
	q       store.Queue
	expires time.Time
}

func (c *queueCache) get(key string, now time.Time) (store.Queue, bool) {
	c.mu.Lock()
	e, ok := c.m[key]
	c.mu.Unlock()
	if !ok || !now.Before(e.expires) {
		return store.Queue{}, false
	}
	return e.q, true
}

func (c *queueCache) put(key string, q store.Queue, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxCachedQueues {
		clear(c.m)
	}
	c.m[key] = cachedQueue{q: copyQueue(q), expires: now.Add(queueCacheTTL)}
}

func (c *queueCache) forget(key string) {
	c.mu.Lock()
	delete(c.m, key)
	c.mu.Unlock()
}

func copyQueue(q store.Queue) store.Queue {
	q.Attributes = copyMap(q.Attributes)
	q.Tags = copyMap(q.Tags)
	return q
}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// updateQueue stores a changed queue and drops it from the cache.
func (s *Service) updateQueue(ctx context.Context, q store.Queue) error {
	s.queues.forget(q.Account + "/" + q.Name)
	err := s.store.UpdateQueue(ctx, q)
	s.queues.forget(q.Account + "/" + q.Name)
	s.policyChanged(ctx, q.Account, q.Name)
	return err
}

// queueURL is the URL clients use for a queue: the endpoint they called, then account and name.
func queueURL(ctx context.Context, q store.Queue) string {
	host := request.From(ctx).Host
	if host == "" {
		host = "localhost:4566"
	}
	return "http://" + host + "/" + q.Account + "/" + q.Name
}

// queueByARN finds a queue of this region by ARN.
func (s *Service) queueByARN(ctx context.Context, arn string) (store.Queue, error) {
	parts := strings.Split(arn, ":")
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "sqs" {
		return store.Queue{}, store.ErrNotFound
	}
	return s.store.Queue(ctx, parts[4], parts[5])
}

// waiters wakes long polls when a queue receives messages.
type waiters struct {
	mu sync.Mutex
	m  map[int64]chan struct{}
}

// wait returns a channel closed at the queue's next notify.
func (w *waiters) wait(queueID int64) <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	ch, ok := w.m[queueID]
	if !ok {
		ch = make(chan struct{})
		w.m[queueID] = ch
	}
	return ch
}

// notify wakes every waiter of the queue.
func (w *waiters) notify(queueID int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if ch, ok := w.m[queueID]; ok {
		close(ch)
		delete(w.m, queueID)
	}
}

// notifyAll wakes every waiter of every queue.
func (w *waiters) notifyAll() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for id, ch := range w.m {
		close(ch)
		delete(w.m, id)
	}
}

// sweepEvery is how often retention and deduplication expiry runs (on one node: register).
const sweepEvery = time.Second

// register puts SQS's background work on a runner: the retention sweeper, a periodic job on one
// node at a time, and message-move tasks, each under its lease (store.MoveTaskLease) on whichever
// node holds it.
func (s *Service) register(r *background.Runner) {
	r.Every("sqs.retention", sweepEvery, s.sweep)
	s.moves.tasks = r.Tasks(store.MoveTaskLease, s.runMove)
}

// sweep deletes messages past retention and deduplication entries past their window, in slices,
// until none are left.
func (s *Service) sweep(ctx context.Context) error {
	for {
		n, err := s.store.ExpireMessages(ctx, s.clock.Now())
		if err != nil || n == 0 {
			return err
		}
	}
}

// Start subscribes to the notifier: queues that gain messages on other nodes wake this node's
// long polls, and tasks cancelled on other nodes wake their runner here.
func (s *Service) Start(context.Context) error {
	s.unsubscribe = append(s.unsubscribe,
		s.notes.Subscribe(store.QueuesTopic, func(key string) {
			if key == "" { // announcements may have been missed: every long poll looks again
				s.waiters.notifyAll()
			} else if id, err := strconv.ParseInt(key, 10, 64); err == nil {
				s.waiters.notify(id)
			}
		}),
		s.notes.Subscribe(moveTopic, s.moves.wakeUp),
		s.policies.Subscribe())
	return nil
}

// Stop ends the subscriptions. Running move tasks end with the runner, which gives their leases
// up for the next node (or this one after a restart).
func (s *Service) Stop() {
	for _, cancel := range s.unsubscribe {
		cancel()
	}
	s.unsubscribe = nil
}
