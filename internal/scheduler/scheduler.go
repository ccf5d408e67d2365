// Package scheduler is Amazon EventBridge Scheduler (API 2021-06-30, REST-JSON): schedule
// groups and schedules with at(…), rate(…) and cron(…) expressions in a time zone, start and end
// dates, flexible time windows, and targets (SQS queues, Lambda functions through an Invoker,
// EventBridge buses) with retry policies and dead-letter queues.
//
// Schedules fire from one periodic job across nodes (fire.go): a fire, its outbox delivery and a
// completed one-time schedule's deletion (ActionAfterCompletion DELETE) are one durable write.
package scheduler

import (
	"context"

	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/sqs"
	"github.com/gureum/gureum/internal/store"
)

// Store is what Scheduler keeps: groups and schedules, and the outbox.
type Store interface {
	store.Schedules
	store.Outbox
}

// Queues is how targets reach SQS queues; sqs.Service's in-process Enqueue satisfies it.
type Queues interface {
	Enqueue(ctx context.Context, queueARN, body string, attrs map[string]sqs.MessageAttributeValue, groupID, dedupID string) (string, error)
}

// Invoker invokes a Lambda function asynchronously; the lead wires Lambda's implementation.
//
// src is the schedule (its ARN and account) and the target's RoleArn, which Scheduler assumes
// to invoke: the role must be allowed lambda:InvokeFunction.
type Invoker interface {
	InvokeAsync(ctx context.Context, functionARN string, src request.Source, payload []byte) error
}

// EventBuses puts one event on a bus; events.Service's PutEvent satisfies it.
type EventBuses interface {
	PutEvent(ctx context.Context, busARN, source, detailType, detail string) error
}

// Deps is what Scheduler is built with; nil peers make their targets fail as missing.
type Deps struct {
	service.Env
	Store   Store
	Queues  Queues
	Invoker Invoker
	Events  EventBuses
}

// Service serves EventBridge Scheduler.
type Service struct {
	store   Store
	queues  Queues
	invoker Invoker
	events  EventBuses
	region  string
	clock   background.Clock
}

// New returns the Scheduler service, registering its delivery handler and schedule job.
func New(d Deps) *Service {
	d.Env = d.Env.For("scheduler")
	s := &Service{store: d.Store, queues: d.Queues, invoker: d.Invoker, events: d.Events, region: d.Region, clock: d.Clock}
	if d.Outbox != nil {
		d.Outbox.Handle(deliveryKind, s.deliver)
	}
	if d.Runner != nil {
		d.Runner.Every("scheduler.schedules", tick, s.fireDue)
	}
	return s
}

// Describe returns Scheduler's operation table: every operation of the 2021-06-30 API.
func (s *Service) Describe() *service.Service {
	op := func(name, method, path string, h service.Handler) service.Operation {
		return service.Operation{Name: name, Action: "scheduler:" + name, Handler: h, Route: service.Route{Method: method, Path: path},
			Resource: s.resource(name)}
	}
	return (&service.Service{
		Name:        "scheduler",
		SigningName: "scheduler",
		Protocol:    service.RESTJSON,
		APIVersion:  "2021-06-30",
		Operations: []service.Operation{
			op("CreateSchedule", "POST", "/schedules/{Name}", service.Func(s.CreateSchedule)),
			op("CreateScheduleGroup", "POST", "/schedule-groups/{Name}", service.Func(s.CreateScheduleGroup)),
			op("DeleteSchedule", "DELETE", "/schedules/{Name}", service.Func(s.DeleteSchedule)),
			op("DeleteScheduleGroup", "DELETE", "/schedule-groups/{Name}", service.Func(s.DeleteScheduleGroup)),
			op("GetSchedule", "GET", "/schedules/{Name}", service.Func(s.GetSchedule)),
			op("GetScheduleGroup", "GET", "/schedule-groups/{Name}", service.Func(s.GetScheduleGroup)),
			op("ListScheduleGroups", "GET", "/schedule-groups", service.Func(s.ListScheduleGroups)),
			op("ListSchedules", "GET", "/schedules", service.Func(s.ListSchedules)),
			// A tag ARN holds "/" (schedule-group/<name>); the SDK escapes it as %2F, which the
			// router has decoded by the time it matches, so the label is greedy.
			op("ListTagsForResource", "GET", "/tags/{ResourceArn+}", service.Func(s.ListTagsForResource)),
			op("TagResource", "POST", "/tags/{ResourceArn+}", service.Func(s.TagResource)),
			op("UntagResource", "DELETE", "/tags/{ResourceArn+}", service.Func(s.UntagResource)),
			op("UpdateSchedule", "PUT", "/schedules/{Name}", service.Func(s.UpdateSchedule)),
		},
	}).Index()
}

// resource is the IAM resource of an operation: the schedule or group ARN it names.
func (s *Service) resource(name string) func(context.Context, any) string {
	return func(ctx context.Context, in any) string {
		account := callerAccount(ctx)
		switch i := in.(type) {
		case *ScheduleInput:
			return s.scheduleARN(account, groupOr(i.GroupName), i.Name)
		case *GetScheduleInput:
			return s.scheduleARN(account, groupOr(i.GroupName), i.Name)
		case *DeleteScheduleInput:
			return s.scheduleARN(account, groupOr(i.GroupName), i.Name)
		case *CreateScheduleGroupInput:
			return s.groupARN(account, i.Name)
		case *GroupNameInput:
			return s.groupARN(account, i.Name)
		case *TagResourceInput:
			return i.ResourceArn
		case *UntagResourceInput:
			return i.ResourceArn
		case *ResourceArnInput:
			return i.ResourceArn
		}
		return "*"
	}
}

const defaultGroup = "default"

func groupOr(g string) string {
	if g == "" {
		return defaultGroup
	}
	return g
}

func callerAccount(ctx context.Context) string {
	if p := request.From(ctx).Principal; p != nil {
		return p.Account
	}
	return ""
}

func (s *Service) scheduleARN(account, group, name string) string {
	return "arn:aws:scheduler:" + s.region + ":" + account + ":schedule/" + group + "/" + name
}

func (s *Service) groupARN(account, group string) string {
	return "arn:aws:scheduler:" + s.region + ":" + account + ":schedule-group/" + group
}
