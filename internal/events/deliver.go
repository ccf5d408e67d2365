package events

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/iam"
	"github.com/gureum/gureum/internal/logs"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/sns"
	"github.com/gureum/gureum/internal/sqs"
	"github.com/gureum/gureum/internal/store"
)

// deliveryKind is the outbox kind of a delivery of one event to one target.
const deliveryKind = "events.target"

// payload is what an outbox delivery carries: the target as it was when the event was
// accepted, the event, and the retries spent.
type payload struct {
	Rule     string
	RuleName string
	Target   Target
	Event    json.RawMessage
	Ingested time.Time
	First    time.Time // the first attempt, from which MaximumEventAgeInSeconds counts
	Retries  int
}

// AWS's defaults for a target without a RetryPolicy: 185 retries within 24 hours.
const (
	defaultRetries = 185
	defaultMaxAge  = 24 * time.Hour
	maxBackoff     = 3 * time.Minute
)

// targetError is a failed delivery: AWS's ERROR_CODE for the dead-letter queue, and whether a
// retry may mend it (a missing resource or permission is not retried).
type targetError struct {
	code, msg string
	retry     bool
}

func (e *targetError) Error() string { return e.code + ": " + e.msg }

// deliver delivers one event to one target. A failure is retried by recording a new delivery
// due after the backoff, so the target's own RetryPolicy governs, not the outbox's; once spent
// the event goes to the target's dead-letter queue, or is dropped as AWS drops it.
func (s *Service) deliver(ctx context.Context, d store.Delivery) error {
	var p payload
	if err := json.Unmarshal(d.Payload, &p); err != nil {
		return background.Permanent(err)
	}
	body, ok := targetInput(&p.Target, p.Event, transformContext{ruleARN: p.Rule, ruleName: p.RuleName, ingestion: p.Ingested.UTC().Format(timeFormat)})
	if !ok {
		return nil // a template that renders invalid JSON: AWS delivers nothing
	}
	err := s.send(ctx, &p, body)
	if err == nil {
		return nil
	}
	var te *targetError
	if !errors.As(err, &te) {
		te = &targetError{code: "INTERNAL_ERROR", msg: err.Error(), retry: true}
	}
	return s.failed(ctx, d, &p, te)
}

// send hands the body to the target.
func (s *Service) send(ctx context.Context, p *payload, body string) error {
	arn := p.Target.Arn
	switch serviceOf(arn) {
	case "sqs":
		return s.sendQueue(ctx, p, arn, body)
	case "lambda":
		if s.invoker == nil {
			return &targetError{code: "NO_RESOURCE", msg: "Lambda is not available to EventBridge."}
		}
		src := request.Source{ARN: p.Rule, Account: policyAccount(p.Rule), Role: p.Target.RoleArn}
		if err := s.invoker.InvokeAsync(ctx, arn, src, []byte(body)); err != nil {
			return classify(err)
		}
		return nil
	case "sns":
		return s.sendTopic(ctx, p, arn, body)
	case "logs":
		return s.sendLogs(ctx, p, arn, body)
	case "events":
		if strings.Contains(arn, ":archive/") {
			return s.keepArchived(ctx, arn, p.Event)
		}
		return s.forward(ctx, p.Rule, arn, p.Event)
	}
	return &targetError{code: "NO_RESOURCE", msg: "Target " + arn + " is not a target gureum delivers to."}
}

func serviceOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[2]
}

func (s *Service) sendQueue(ctx context.Context, p *payload, arn, body string) error {
	if s.queues == nil {
		return &targetError{code: "NO_RESOURCE", msg: "SQS is not available to EventBridge."}
	}
	var group, dedup string
	if strings.HasSuffix(arn, ".fifo") {
		if p.Target.SqsParameters != nil {
			group = p.Target.SqsParameters.MessageGroupId
		}
		dedup = eventID(p.Event) + ":" + p.Target.Id // one event reaches a target once, retries included
	}
	// EventBridge sends as its service principal for the rule: a queue of another account takes
	// the event only when its policy allows events.amazonaws.com.
	ctx = sqs.WithSource(ctx, sqs.Source{Service: "events.amazonaws.com", ARN: p.Rule})
	if _, err := s.queues.Enqueue(ctx, arn, body, nil, group, dedup); err != nil {
		return classify(err)
	}
	return nil
}

// sendTopic publishes the body to a topic as EventBridge's service principal for the rule.
func (s *Service) sendTopic(ctx context.Context, p *payload, arn, body string) error {
	if s.topics == nil {
		return &targetError{code: "NO_RESOURCE", msg: "SNS is not available to EventBridge."}
	}
	group, dedup := "", ""
	if strings.HasSuffix(arn, ".fifo") {
		if p.Target.SqsParameters != nil {
			group = p.Target.SqsParameters.MessageGroupId
		}
		dedup = eventID(p.Event) + ":" + p.Target.Id
	}
	src := sns.Source{Service: "events.amazonaws.com", ARN: p.Rule, Account: policyAccount(p.Rule)}
	if _, err := s.topics.PublishFrom(ctx, src, arn, body, group, dedup); err != nil {
		return classify(err)
	}
	return nil
}

// sendLogs writes the body as one log event to the target's log group, in a stream named after
// the event's id (as EventBridge does), at the event's time.
func (s *Service) sendLogs(ctx context.Context, p *payload, arn, body string) error {
	if s.logs == nil {
		return &targetError{code: "NO_RESOURCE", msg: "CloudWatch Logs is not available to EventBridge."}
	}
	account, group, ok := logGroupOf(arn)
	if !ok {
		return &targetError{code: "NO_RESOURCE", msg: "Target " + arn + " is not a log group."}
	}
	if from := policyAccount(p.Rule); from != "" && from != account {
		return &targetError{code: "NO_PERMISSIONS", msg: "EventBridge writes only to log groups of the rule's account."}
	}
	var ev struct {
		ID   string    `json:"id"`
		Time time.Time `json:"time"`
	}
	json.Unmarshal(p.Event, &ev)
	if ev.Time.IsZero() {
		ev.Time = p.Ingested
	}
	if ev.ID == "" {
		ev.ID = p.Target.Id
	}
	if err := s.logs.Append(ctx, account, group, ev.ID, []logs.Event{{Time: ev.Time, Message: body}}); err != nil {
		return classify(err)
	}
	return nil
}

// logGroupOf reads account and group name from a log group ARN (arn:aws:logs:r:a:log-group:name,
// with or without a trailing ":*").
func logGroupOf(arn string) (account, group string, ok bool) {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) < 7 || parts[2] != "logs" || parts[5] != "log-group" {
		return "", "", false
	}
	group = strings.TrimSuffix(parts[6], ":*")
	return parts[4], group, group != "" && !strings.Contains(group, ":")
}

func eventID(event []byte) string {
	var id struct {
		ID string `json:"id"`
	}
	json.Unmarshal(event, &id)
	return id.ID
}

// classify turns a peer's error into a target error.
func classify(err error) *targetError {
	var ae *awserr.Error
	if errors.As(err, &ae) && ae.Code != nil {
		switch ae.Code.Name {
		case "QueueDoesNotExist", "ResourceNotFoundException", "NotFound":
			return &targetError{code: "NO_RESOURCE", msg: ae.Message}
		case "AccessDeniedException", "AccessDenied", "AuthorizationError":
			return &targetError{code: "NO_PERMISSIONS", msg: ae.Message}
		case "TooManyRequestsException", "ThrottlingException":
			return &targetError{code: "THROTTLING", msg: ae.Message, retry: true}
		}
		return &targetError{code: ae.Code.Name, msg: ae.Message, retry: ae.Code.Status >= 500}
	}
	if errors.As(err, &ae) {
		switch ae.Kind {
		case awserr.AccessDenied:
			return &targetError{code: "NO_PERMISSIONS", msg: ae.Message}
		case awserr.Throttled:
			return &targetError{code: "THROTTLING", msg: ae.Message, retry: true}
		}
	}
	return &targetError{code: "INTERNAL_ERROR", msg: err.Error(), retry: true}
}

// forward puts an event on another bus: its rules route it as they route the bus's own.
func (s *Service) forward(ctx context.Context, ruleARN, busARN string, event []byte) error {
	parts := strings.SplitN(busARN, ":", 6)
	if len(parts) != 6 || !strings.HasPrefix(parts[5], "event-bus/") {
		return &targetError{code: "NO_RESOURCE", msg: "Target " + busARN + " is not an event bus."}
	}
	account, bus := parts[4], strings.TrimPrefix(parts[5], "event-bus/")
	b, err := s.store.EventBus(ctx, account, bus)
	if err != nil && bus != defaultBus {
		if errors.Is(err, store.ErrNotFound) {
			return &targetError{code: "NO_RESOURCE", msg: "Event bus " + bus + " does not exist."}
		}
		return err
	}
	// Another account's bus takes the rule's events only when its policy allows the rule's
	// account events:PutEvents, as on AWS.
	if from := policyAccount(ruleARN); from != "" && from != account {
		doc := ""
		if err == nil {
			doc = decodeBus(b).Policy
		}
		if err := iam.AuthorizeAccountCall(from, "events:PutEvents", busARN, doc, s.clock.Now()); err != nil {
			return &targetError{code: "NO_PERMISSIONS", msg: awserr.As(err).Message}
		}
	}
	ds, err := s.route(ctx, account, bus, event, s.clock.Now())
	if err != nil {
		return err
	}
	return s.store.Enqueue(ctx, ds...)
}

// failed schedules a retry, or sends the event to the dead-letter queue once the target's
// RetryPolicy is spent (or at once when no retry can help).
func (s *Service) failed(ctx context.Context, d store.Delivery, p *payload, te *targetError) error {
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
	next := now.Add(backoff(p.Retries))
	exhausted := ""
	switch {
	case !te.retry:
	case p.Retries >= retries:
		exhausted = "MaximumRetryAttempts"
	case next.Sub(p.First) > maxAge:
		exhausted = "MaximumEventAgeInSeconds"
	default:
		p.Retries++
		b, _ := json.Marshal(p)
		return s.store.Enqueue(ctx, store.Delivery{Kind: deliveryKind, Target: d.Target, Payload: b, NotBefore: next, Created: now})
	}
	dlq := p.Target.DeadLetterConfig
	if dlq == nil || dlq.Arn == "" || s.queues == nil {
		return nil // dropped, as AWS drops an event without a dead-letter queue
	}
	attrs := map[string]sqs.MessageAttributeValue{
		"RULE_ARN":       str(p.Rule),
		"TARGET_ARN":     str(p.Target.Arn),
		"ERROR_CODE":     str(te.code),
		"ERROR_MESSAGE":  str(truncate(te.msg, 256)),
		"RETRY_ATTEMPTS": {DataType: "Number", StringValue: ptr(strconv.Itoa(p.Retries))},
	}
	if exhausted != "" {
		attrs["EXHAUSTED_RETRY_CONDITION"] = str(exhausted)
	}
	for k, v := range attrs {
		if *v.StringValue == "" {
			delete(attrs, k)
		}
	}
	ctx = sqs.WithSource(ctx, sqs.Source{Service: "events.amazonaws.com", ARN: p.Rule})
	_, err := s.queues.Enqueue(ctx, dlq.Arn, string(p.Event), attrs, "", "")
	return err
}

func backoff(retries int) time.Duration {
	if retries > 10 {
		return maxBackoff
	}
	return min(time.Second<<retries, maxBackoff)
}

func str(v string) sqs.MessageAttributeValue {
	return sqs.MessageAttributeValue{DataType: "String", StringValue: &v}
}

func ptr[T any](v T) *T { return &v }

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// policyAccount is an ARN's account field.
func policyAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}
