package scheduler

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/sqs"
	"github.com/gureum/gureum/internal/store"
)

// deliveryKind is the outbox kind of one invocation of a schedule's target.
const deliveryKind = "scheduler.target"

// payload is what an outbox delivery carries.
type payload struct {
	Schedule      string
	Target        Target
	ScheduledTime time.Time
	Execution     string
	First         time.Time
	Attempt       int // 1 on the first try
}

// Scheduler's retry defaults: 185 attempts within 24 hours.
const (
	defaultRetries = 185
	defaultMaxAge  = 24 * time.Hour
)

type targetError struct {
	code, msg string
	retry     bool
}

func (e *targetError) Error() string { return e.code + ": " + e.msg }

// input is the target's input with Scheduler's context attributes filled in.
func (p *payload) input() string {
	in := p.Target.Input
	if in == "" {
		in = "{}"
	}
	return strings.NewReplacer(
		"<aws.scheduler.schedule-arn>", p.Schedule,
		"<aws.scheduler.scheduled-time>", p.ScheduledTime.UTC().Format("2006-01-02T15:04:05Z"),
		"<aws.scheduler.execution-id>", p.Execution,
		"<aws.scheduler.attempt-number>", strconv.Itoa(max(p.Attempt, 1)),
	).Replace(in)
}

// deliver invokes a schedule's target once; failures are retried per the target's RetryPolicy
// by recording a new delivery, then sent to its dead-letter queue.
func (s *Service) deliver(ctx context.Context, d store.Delivery) error {
	var p payload
	if err := json.Unmarshal(d.Payload, &p); err != nil {
		return background.Permanent(err)
	}
	if p.Attempt == 0 {
		p.Attempt = 1
	}
	body := p.input()
	err := s.send(ctx, &p, body)
	if err == nil {
		return nil
	}
	var te *targetError
	if !errors.As(err, &te) {
		te = &targetError{code: "InternalError", msg: err.Error(), retry: true}
	}
	return s.failed(ctx, d, &p, body, te)
}

func serviceOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[2]
}

func (s *Service) send(ctx context.Context, p *payload, body string) error {
	arn := p.Target.Arn
	switch serviceOf(arn) {
	case "sqs":
		if s.queues == nil {
			return &targetError{code: "ResourceNotFound", msg: "SQS is not available to Scheduler."}
		}
		var group, dedup string
		if strings.HasSuffix(arn, ".fifo") {
			if p.Target.SqsParameters != nil {
				group = p.Target.SqsParameters.MessageGroupId
			}
			dedup = p.Execution
		}
		_, err := s.queues.Enqueue(ctx, arn, body, nil, group, dedup)
		return classify(err)
	case "lambda":
		if s.invoker == nil {
			return &targetError{code: "ResourceNotFound", msg: "Lambda is not available to Scheduler."}
		}
		src := request.Source{ARN: p.Schedule, Account: arnAccount(p.Schedule), Role: p.Target.RoleArn}
		return classify(s.invoker.InvokeAsync(ctx, arn, src, []byte(body)))
	case "events":
		ep := p.Target.EventBridgeParameters
		if s.events == nil || ep == nil {
			return &targetError{code: "ResourceNotFound", msg: "EventBridge targets need EventBridgeParameters."}
		}
		return classify(s.events.PutEvent(ctx, arn, ep.Source, ep.DetailType, body))
	}
	return &targetError{code: "ResourceNotFound", msg: "Target " + arn + " is not a target gureum invokes."}
}

func classify(err error) error {
	if err == nil {
		return nil
	}
	var ae *awserr.Error
	if errors.As(err, &ae) && ae.Code != nil {
		switch ae.Code.Name {
		case "QueueDoesNotExist", "ResourceNotFoundException":
			return &targetError{code: "ResourceNotFound", msg: ae.Message}
		case "AccessDeniedException", "AccessDenied":
			return &targetError{code: "AccessDenied", msg: ae.Message}
		}
		return &targetError{code: ae.Code.Name, msg: ae.Message, retry: true}
	}
	if errors.As(err, &ae) && ae.Kind == awserr.AccessDenied {
		return &targetError{code: "AccessDenied", msg: ae.Message}
	}
	return &targetError{code: "InternalError", msg: err.Error(), retry: true}
}

func (s *Service) failed(ctx context.Context, d store.Delivery, p *payload, body string, te *targetError) error {
	retries, maxAge := defaultRetries, defaultMaxAge
	if rp := p.Target.RetryPolicy; rp != nil {
		if rp.MaximumRetryAttempts != nil {
			retries = *rp.MaximumRetryAttempts
		}
		if rp.MaximumEventAgeInSeconds != nil {
			maxAge = time.Duration(*rp.MaximumEventAgeInSeconds) * time.Second
		}
	}
	now := s.clock.Now()
	next := now.Add(min(time.Second<<min(p.Attempt, 8), 3*time.Minute))
	exhausted := ""
	switch {
	case !te.retry:
	case p.Attempt > retries:
		exhausted = "MaximumRetryAttempts"
	case next.Sub(p.First) > maxAge:
		exhausted = "MaximumEventAgeInSeconds"
	default:
		p.Attempt++
		b, _ := json.Marshal(p)
		return s.store.Enqueue(ctx, store.Delivery{Kind: deliveryKind, Target: d.Target, Payload: b, NotBefore: next, Created: now})
	}
	dlq := p.Target.DeadLetterConfig
	if dlq == nil || dlq.Arn == "" || s.queues == nil {
		return nil
	}
	attrs := map[string]sqs.MessageAttributeValue{
		"ERROR_CODE":     str(te.code),
		"ERROR_MESSAGE":  str(te.msg),
		"RETRY_ATTEMPTS": {DataType: "Number", StringValue: ptr(strconv.Itoa(p.Attempt - 1))},
		"SCHEDULE_ARN":   str(p.Schedule),
		"TARGET_ARN":     str(p.Target.Arn),
	}
	if exhausted != "" {
		attrs["EXHAUSTED_RETRY_CONDITION"] = str(exhausted)
	}
	for k, v := range attrs {
		if *v.StringValue == "" {
			delete(attrs, k)
		}
	}
	_, err := s.queues.Enqueue(ctx, dlq.Arn, body, attrs, "", "")
	return err
}

func str(v string) sqs.MessageAttributeValue {
	if len(v) > 256 {
		v = v[:256]
	}
	return sqs.MessageAttributeValue{DataType: "String", StringValue: &v}
}

func ptr[T any](v T) *T { return &v }

// arnAccount is an ARN's account field (aws:SourceAccount of a call made for that resource).
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}
