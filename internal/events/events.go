// Package events is Amazon EventBridge (API 2015-10-07, AWS JSON 1.1, X-Amz-Target AWSEvents):
// event buses, rules with event patterns or schedules, targets, PutEvents and TestEventPattern.
//
// An accepted event is never lost: PutEvents matches the event against the bus's rules and
// records one outbox delivery per matching target in one durable write before it answers; the
// outbox delivers each at least once (deliver.go), retrying per the target's RetryPolicy and then
// sending it to the target's dead-letter queue. Scheduled rules fire from one periodic job
// across nodes (scheduled.go); a fire and its deliveries are one write too.
package events

import (
	"context"
	"strings"

	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/logs"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/sns"
	"github.com/gureum/gureum/internal/sqs"
	"github.com/gureum/gureum/internal/store"
)

// Store is what EventBridge keeps: buses and rules, the outbox its deliveries go through, and
// the notifier on which nodes announce rule changes.
type Store interface {
	store.EventBuses
	store.EventArchives
	store.Outbox
	store.Notifier
}

// Queues is how targets reach SQS queues (and dead-letter queues); sqs.Service's in-process
// Enqueue satisfies it.
type Queues interface {
	Enqueue(ctx context.Context, queueARN, body string, attrs map[string]sqs.MessageAttributeValue, groupID, dedupID string) (string, error)
}

// Invoker invokes a Lambda function asynchronously (InvocationType Event) with a payload; an
// error means the invocation was not accepted. The lead wires Lambda's implementation.
//
// src is the rule the target belongs to (its ARN and account) and the target's RoleArn: without
// a role the function's policy must allow events.amazonaws.com for the rule, with one the role
// must be allowed to invoke it.
type Invoker interface {
	InvokeAsync(ctx context.Context, functionARN string, src request.Source, payload []byte) error
}

// Topics is how targets reach SNS topics; sns.Service's in-process PublishFrom satisfies it.
type Topics interface {
	PublishFrom(ctx context.Context, src sns.Source, topicARN, body, groupID, dedupID string) (string, error)
}

// Logs is how targets reach CloudWatch Logs log groups; logs.Service's in-process Append
// satisfies it.
type Logs interface {
	Append(ctx context.Context, account, group, stream string, events []logs.Event) error
}

// Deps is what EventBridge is built with. Queues, Topics, Logs and Invoker may be nil: targets
// of that kind then fail as a missing resource does.
type Deps struct {
	service.Env
	Store   Store
	Queues  Queues
	Topics  Topics
	Logs    Logs
	Invoker Invoker
	// MaxRequestBytes is PutEvents' limit on a request's entries, counted as AWS counts them
	// (0: 1 MB, AWS's limit since January 2026; 256 KB is the classic one).
	MaxRequestBytes int
}

// Service serves EventBridge.
type Service struct {
	store   Store
	queues  Queues
	topics  Topics
	logs    Logs
	invoker Invoker
	region  string
	clock   background.Clock
	maxSize int
	matcher matcher

	unsubscribe func()
}

// New returns the EventBridge service; its delivery handler and schedule job are registered on
// d.Outbox and d.Runner when given.
func New(d Deps) *Service {
	d.Env = d.Env.For("events")
	s := &Service{store: d.Store, queues: d.Queues, topics: d.Topics, logs: d.Logs, invoker: d.Invoker, region: d.Region, clock: d.Clock, maxSize: d.MaxRequestBytes}
	if s.maxSize <= 0 {
		s.maxSize = 1 << 20
	}
	s.matcher = matcher{s: s, buses: map[busKey]*compiledBus{}}
	if d.Outbox != nil {
		d.Outbox.Handle(deliveryKind, s.deliver)
		d.Outbox.Concurrent(deliveryKind) // a fan-out's sends share group commits; FIFO targets keep their order
	}
	if d.Runner != nil {
		d.Runner.Every("events.schedules", scheduleTick, s.fireDue)
	}
	return s
}

// Start subscribes to rule changes made on other nodes.
func (s *Service) Start(context.Context) error {
	s.unsubscribe = s.store.Subscribe(rulesTopic, s.matcher.forget)
	return nil
}

// Stop ends the subscription.
func (s *Service) Stop() {
	if s.unsubscribe != nil {
		s.unsubscribe()
	}
}

func callerAccount(ctx context.Context) string {
	if p := request.From(ctx).Principal; p != nil {
		return p.Account
	}
	return ""
}

const defaultBus = "default"

func (s *Service) busARN(account, bus string) string {
	return "arn:aws:events:" + s.region + ":" + account + ":event-bus/" + bus
}

func (s *Service) ruleARN(account, bus, rule string) string {
	if bus == defaultBus {
		return "arn:aws:events:" + s.region + ":" + account + ":rule/" + rule
	}
	return "arn:aws:events:" + s.region + ":" + account + ":rule/" + bus + "/" + rule
}

// busOf resolves an EventBusName parameter (a name, an ARN, or empty for the default bus) to its
// account and name.
func busOf(ctx context.Context, nameOrARN string) (account, bus string) {
	account = callerAccount(ctx)
	switch {
	case nameOrARN == "":
		return account, defaultBus
	case strings.HasPrefix(nameOrARN, "arn:"):
		// A bus ARN may name another account's bus: what the caller may do there is its bus
		// policy's to say (the authorizer weighs it).
		parts := strings.SplitN(nameOrARN, ":", 6)
		if len(parts) == 6 && parts[2] == "events" && strings.HasPrefix(parts[5], "event-bus/") && len(parts[4]) == 12 {
			return parts[4], strings.TrimPrefix(parts[5], "event-bus/")
		}
		return account, nameOrARN
	}
	return account, nameOrARN
}
